"""bench/where_time_goes.py, issue 18's account of where a request's milliseconds go:
run in the suite so it never rots, and checked to add up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from puente.accounts.roles import Role
from tests.bench.conftest import bench_module
from tests.conftest import signed_in_client
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def where_time_goes():
    return bench_module("where_time_goes")


def test_a_lookup_is_accounted_for_layer_by_layer_and_query_by_query(where_time_goes):
    make_contact(phone="+17135550142")
    client = signed_in_client(make_user(Role.ADVOCATE))
    path = reverse("intake:phone_lookup") + "?phone=%28713%29%20555-0142"

    account = where_time_goes.breakdown(client, path, 5)

    layers = [name for name, _own in account["middleware"]]
    assert layers[0] == "ServerTimingMiddleware" and "MFARequiredMiddleware" in layers
    assert all(own >= 0 for _name, own in account["middleware"])
    # The layers' own times and the view make up the whole request.
    parts = sum(own for _name, own in account["middleware"]) + account["view"]
    assert parts == pytest.approx(account["whole"], rel=0.05)
    assert account["template"] > 0
    shapes = account["queries"]
    assert any("audit_auditentry" in sql for sql in shapes), shapes  # the lookup is audited
    assert any(sql.startswith("SELECT") and "intake_contact" in sql for sql in shapes), shapes
    assert all(count == 1 for count, _seconds in shapes.values()), shapes
    # The clocks are taken off again: a second account walks the same layers (a layer
    # left wrapped would hide every layer inside it).
    again = where_time_goes.breakdown(client, path, 1)
    assert [name for name, _own in again["middleware"]] == layers


def test_an_anonymous_page_reads_no_database(where_time_goes, client):
    account = where_time_goes.breakdown(client, "/trafficking/", 3)

    assert account["queries"] == {}
    assert account["view"] > 0
