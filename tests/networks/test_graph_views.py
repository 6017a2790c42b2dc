"""The network view (/networks/graph/) and its CSV: who may open them, what they show
(the graph's data, the same nodes as a table, the groups), in English and Spanish, the
audit trail, and a fixed number of queries however many groups there are."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.networks.recurrence_data import ADDRESS, PHONE, PHONE_TYPED, recurring_world

pytestmark = pytest.mark.django_db

GRAPH = reverse("networks:graph")
CSV = reverse("networks:graph_csv")


@pytest.fixture
def world():
    return recurring_world()


def _graph_data(html: str) -> dict:
    script = html.split('<script id="network-data" type="application/json">')[1]
    return json.loads(script.split("</script>")[0])


def _table(html: str) -> str:
    return html.split('data-testid="network-table"')[1].split("</table>")[0]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LIAISON, Role.ANALYST])
def test_who_may_open_the_network_view(world, role):
    client = signed_in_client(make_user(role))
    assert client.get(GRAPH).status_code == 200
    assert client.get(CSV).status_code == 200


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.ADMINISTRATOR])
def test_who_may_not(world, role):
    client = signed_in_client(make_user(role))
    assert client.get(GRAPH).status_code == 403
    assert client.get(CSV).status_code == 403


def test_anonymous_is_sent_to_sign_in(world):
    for url in (GRAPH, CSV):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_opens_the_largest_group_as_a_graph_and_a_table(world):
    analyst = make_user(Role.ANALYST)
    html = signed_in_client(analyst).get(GRAPH).content.decode()
    assert "Group 1: 3 cases" in html
    assert "Its identifiers also appear in 1 case you may not open." in html
    data = _graph_data(html)
    labels = {node["label"] for node in data["nodes"]}
    assert labels == {
        world.warehouse.reference,
        world.salon.reference,
        world.parlor.reference,
        world.exploiter.display_name,
        "Glam Nails",
        "Relax Spa",
        PHONE,
        ADDRESS,
    }
    assert world.farm.reference not in html and "Restricted farm" not in html
    # An analyst opens no case: no links, no titles.
    assert all(node["url"] == "" for node in data["nodes"])
    assert "Warehouse" not in html
    table = _table(html)
    assert table.count('data-testid="network-node"') == 8
    phone_row = table.split(PHONE)[1].split("</tr>")[0]
    assert "3 <span" in phone_row and "(1 you may not open)" in phone_row
    assert ">2</td>" in phone_row  # degree: the exploiter and the salon
    assert "networks/vendor/cytoscape.min.js" in html
    assert "networks/recurrence_graph.js" in html


def test_a_supervisor_named_on_the_restricted_case_sees_it_with_links(world):
    html = signed_in_client(world.restrictor).get(GRAPH).content.decode()
    data = _graph_data(html)
    farm = next(n for n in data["nodes"] if n["label"] == world.farm.reference)
    assert farm["url"] == f"/cases/{world.farm.reference}/"
    assert "Group 1: 4 cases" in html


def test_search_opens_the_group_of_an_identifier_or_a_case(world):
    client = signed_in_client(world.restrictor)
    html = client.get(GRAPH, {"q": PHONE_TYPED}).content.decode()
    assert world.parlor.reference in _table(html)
    html = client.get(GRAPH, {"q": "+17135550199"}).content.decode()
    assert 'data-testid="network-not-found"' in html
    assert 'data-testid="network-table"' not in html


def test_filters_choose_the_groups(world):
    client = signed_in_client(world.restrictor)
    html = client.get(GRAPH, {"kind": "address"}).content.decode()
    assert "Group 1: 2 cases" in html
    assert PHONE not in _table(html)
    html = client.get(GRAPH, {"min_cases": "9"}).content.decode()
    assert "No identifier is shared by two cases you may see" in html


def test_the_page_in_spanish(world):
    html = signed_in_client(world.restrictor).get(GRAPH, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Vista de red" in html
    assert "Grupo 1: 4 casos" in html
    assert "Intermediación" in html
    assert "Grupos de casos que comparten identificadores" in html


def test_the_csv_holds_the_table_with_translated_headers_and_is_audited(world):
    analyst = make_user(Role.ANALYST)
    client = signed_in_client(analyst)
    response = client.get(CSV, {"component": "1"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Node",
        "Kind",
        "Details",
        "Cases",
        "Cases you may not open",
        "Degree",
        "Betweenness",
        "Component",
    ]
    by_node = {row[0]: row for row in rows[1:]}
    # Without the farm, a path of 8 nodes; the phone is third: 2 × 5 of 21 pairs.
    assert len(by_node) == 8
    assert by_node[PHONE][1:] == [
        "Identifier",
        "Phone number",
        "3",
        "1",
        "2",
        f"{10 / 21:.4f}",
        "1",
    ]
    assert world.farm.reference not in response.content.decode()
    entry = AuditEntry.objects.get(actor=analyst, action="export")
    assert entry.object_type == "network"
    assert entry.reason == "kind=all min_cases=2 nodes=8"
    spanish = client.get(CSV, HTTP_ACCEPT_LANGUAGE="es").content.decode("utf-8-sig")
    assert spanish.splitlines()[0] == (
        "Nodo,Tipo,Detalles,Casos,Casos que usted no puede abrir,Grado,Intermediación,Componente"
    )


def test_each_look_is_audited_with_what_was_searched(world):
    analyst = make_user(Role.ANALYST)
    signed_in_client(analyst).get(GRAPH, {"q": PHONE_TYPED, "kind": "phone"})
    entry = AuditEntry.objects.get(actor=analyst, action="view", object_type="network")
    assert entry.object_ref == "component 1"
    assert entry.reason == "kind=phone min_cases=2"
    assert entry.changes == [{"field": "search", "old": None, "new": PHONE_TYPED}]


def _more_groups(owner, n):
    for i in range(n):
        first = make_case(created_by=owner, title=f"Group {i} a")
        second = make_case(created_by=owner, title=f"Group {i} b")
        for case in (first, second):
            cases.add_identifier(case=case, by=owner, kind="vehicle", value=f"TX-{i:04d}")


def test_the_number_of_queries_does_not_grow_with_the_groups(world):
    client = signed_in_client(world.restrictor)
    client.get(GRAPH)  # sessions, caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(GRAPH).status_code == 200
    _more_groups(world.owner, 3)
    with CaptureQueriesContext(connection) as four:
        html = client.get(GRAPH).content.decode()
    assert html.count('data-testid="network-component-row"') == 4
    assert len(four) == len(one)
