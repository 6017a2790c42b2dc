"""The network graph on a known small network: which nodes and edges, the exact degree
and betweenness, the components, the filters, and permission filtering of every node."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.networks.models import PersonLink
from puente.networks.recurrence_graph import GraphFilters, find_component, focus, network
from tests.factories import make_user
from tests.networks.recurrence_data import ADDRESS, PHONE, PHONE_TYPED, recurring_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return recurring_world()


def _focused(user, filters=None):
    net = network(user=user, filters=filters or GraphFilters())
    assert net.components, "no component"
    return net, focus(net=net, component=net.components[0], case_url=lambda r: f"/cases/{r}/")


def _by_label(graph):
    return {node.label: node for node in graph.nodes}


def test_one_component_of_four_cases_with_exact_degree_and_betweenness(world):
    net, graph = _focused(world.owner)
    # The phone joins the warehouse (through its exploiter), the salon and the farm; the
    # address joins the salon's and the parlor's businesses. The caller's case holds the
    # number only through contacts, and "Unrelated" shares nothing: neither is drawn.
    assert len(net.components) == 1
    component = net.components[0]
    assert component.case_ids == sorted(
        [world.warehouse.pk, world.salon.pk, world.farm.pk, world.parlor.pk]
    )
    assert component.identifiers == [("phone", PHONE), ("address", ADDRESS)]
    nodes = _by_label(graph)
    w, s, f, p = (c.reference for c in (world.warehouse, world.salon, world.farm, world.parlor))
    exploiter = world.exploiter.display_name
    expected = {
        # label: (kind, degree, betweenness): a tree of 9 nodes, pairs through each / 28
        w: ("case", 1, 0.0),
        exploiter: ("person", 2, 7 / 28),
        PHONE: ("identifier", 3, 17 / 28),
        s: ("case", 2, 16 / 28),
        f: ("case", 1, 0.0),
        "Glam Nails": ("business", 2, 15 / 28),
        ADDRESS: ("identifier", 2, 12 / 28),
        "Relax Spa": ("business", 2, 7 / 28),
        p: ("case", 1, 0.0),
    }
    assert set(nodes) == set(expected)
    for label, (kind, degree, betweenness) in expected.items():
        node = nodes[label]
        assert (node.kind, node.degree, node.component) == (kind, degree, 1), label
        assert node.betweenness == pytest.approx(betweenness), label
    assert len(graph.edges) == 8
    assert nodes[PHONE].cases == 3 and nodes[PHONE].hidden_cases == 0
    assert nodes[w].url == f"/cases/{w}/" and nodes[w].detail == "Warehouse"
    # Best-connected first.
    assert graph.nodes[0].label == PHONE


def test_a_restricted_case_the_reader_may_not_open_is_never_a_node_but_still_counted(world):
    outsider = make_user(Role.ADVOCATE)
    net, graph = _focused(outsider)
    nodes = _by_label(graph)
    assert world.farm.reference not in nodes
    assert all("farm" not in node.detail.lower() for node in graph.nodes)
    assert (nodes[PHONE].cases, nodes[PHONE].hidden_cases, nodes[PHONE].degree) == (3, 1, 2)
    assert net.components[0].hidden_cases == 1
    assert net.components[0].size == 3
    assert f"case:{world.farm.pk}" not in str(graph.as_json())


def test_an_analyst_sees_references_without_titles_or_links(world):
    analyst = make_user(Role.ANALYST)
    _net, graph = _focused(analyst)
    nodes = _by_label(graph)
    case_nodes = [n for n in graph.nodes if n.kind == "case"]
    assert sorted(n.label for n in case_nodes) == sorted(
        c.reference for c in (world.warehouse, world.salon, world.parlor)
    )
    assert all(n.url == "" and n.detail == "" for n in case_nodes)
    assert nodes[PHONE].hidden_cases == 1


def test_a_confirmed_match_joins_two_cases_through_the_same_person(world):
    rafa = cases.add_person(
        case=world.unrelated, by=world.owner, role="exploiter", first_name="Rafa"
    )
    a, b = sorted([world.exploiter.pk, rafa.pk])
    PersonLink.objects.create(
        person_a_id=a,
        person_b_id=b,
        status="confirmed",
        match_weight=11.5,
        match_probability=0.99,
        decided_at=timezone.now(),
    )
    # A proposed (undecided) link joins nothing.
    other = cases.add_person(case=world.caller, by=world.owner, role="exploiter", first_name="R")
    PersonLink.objects.create(
        person_a_id=min(other.pk, rafa.pk),
        person_b_id=max(other.pk, rafa.pk),
        match_weight=3.0,
        match_probability=0.6,
    )
    net, graph = _focused(world.owner)
    assert world.unrelated.pk in net.components[0].case_ids
    assert world.caller.pk not in net.components[0].case_ids
    same = [e for e in graph.edges if e.kind == "same_person"]
    assert [
        (e.source, e.target) in {(f"person:{a}", f"person:{b}"), (f"person:{b}", f"person:{a}")}
        for e in same
    ] == [True]
    nodes = _by_label(graph)
    assert nodes["Rafa"].degree == 2  # its case and the same person
    assert nodes[world.unrelated.reference].kind == "case"


def test_a_link_into_a_case_the_reader_may_not_open_is_not_drawn(world):
    hidden_person = cases.add_person(
        case=world.farm, by=world.owner, role="exploiter", first_name="Secreto"
    )
    rafa = cases.add_person(
        case=world.unrelated, by=world.owner, role="exploiter", first_name="Rafa"
    )
    PersonLink.objects.create(
        person_a_id=min(hidden_person.pk, rafa.pk),
        person_b_id=max(hidden_person.pk, rafa.pk),
        status="confirmed",
        match_weight=10.0,
        match_probability=0.99,
        decided_at=timezone.now(),
    )
    outsider = make_user(Role.ADVOCATE)
    net, graph = _focused(outsider)
    labels = set(_by_label(graph))
    assert "Secreto" not in labels and "Rafa" not in labels
    assert world.unrelated.pk not in net.components[0].case_ids


def test_filters_by_kind_minimum_cases_and_period(world):
    net = network(user=world.owner, filters=GraphFilters(kind="address"))
    assert [c.case_ids for c in net.components[:]] == [sorted([world.salon.pk, world.parlor.pk])]
    assert len(network(user=world.owner, filters=GraphFilters(min_cases=5)).components) == 0
    assert len(network(user=world.owner, filters=GraphFilters(min_cases=4)).components) == 1
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert len(network(user=world.owner, filters=GraphFilters(since=tomorrow)).components) == 0
    today = timezone.localdate()
    assert (
        len(network(user=world.owner, filters=GraphFilters(since=today, until=today)).components)
        == 1
    )


def test_search_by_identifier_as_typed_or_by_case_reference(world):
    cases.add_identifier(case=world.caller, by=world.owner, kind="email", value="x@example.org")
    cases.add_identifier(case=world.unrelated, by=world.owner, kind="email", value="X@example.org")
    net = network(user=world.owner, filters=GraphFilters())
    assert len(net.components) == 2
    phone_group = find_component(net=net, query=PHONE_TYPED)
    assert phone_group is not None and world.salon.pk in phone_group.case_ids
    assert find_component(net=net, query=world.parlor.reference.lower()) is phone_group
    email_group = find_component(net=net, query="x@EXAMPLE.org")
    assert email_group is not None
    assert email_group.case_ids == sorted([world.caller.pk, world.unrelated.pk])
    assert find_component(net=net, query="+17135550100") is None
    assert find_component(net=net, query="") is None


def test_a_large_component_is_cut_to_the_best_connected_nodes(world, settings):
    settings.PUENTE_NETWORK_GRAPH_MAX_NODES = 5
    _net, graph = _focused(world.owner)
    assert graph.truncated_from == 9
    assert len(graph.nodes) == 5
    assert PHONE in _by_label(graph)  # the best-connected node is kept
