"""The "appears in N other cases" hints where advocates see them: on the intake screen as
a number is typed (beside the phone lookup) and beside each identifier on the case page.
Who may ask, what each reader sees, in English and Spanish, and the audit trail (one
entry per identifier, not one per keystroke)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.keys import pseudonym
from puente.audit.models import AuditEntry
from puente.cases.models import Identifier
from tests.conftest import signed_in_client
from tests.factories import make_user
from tests.networks.recurrence_data import PHONE, PHONE_TYPED, recurring_world

pytestmark = pytest.mark.django_db

HINT = reverse("networks:appearances")


@pytest.fixture
def world():
    return recurring_world()


def _hint(client, value=PHONE_TYPED, kind="phone", **headers):
    return client.get(HINT, {"kind": kind, "value": value}, **headers)


def test_the_intake_hint_counts_every_case_and_names_those_the_advocate_may_open(world):
    outsider = make_user(Role.ADVOCATE)
    response = _hint(signed_in_client(outsider))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This number appears in 4 cases." in html
    assert "1 of them you may not open." in html
    for case in (world.warehouse, world.salon, world.caller):
        assert f'href="/cases/{case.reference}/"' in html
    assert "Warehouse" in html and "Nail salon" in html
    assert world.farm.reference not in html and "Restricted farm" not in html


def test_the_intake_hint_in_spanish(world):
    html = _hint(signed_in_client(make_user(Role.ADVOCATE)), HTTP_ACCEPT_LANGUAGE="es").content
    text = html.decode()
    assert "Este número aparece en 4 casos." in text
    assert "1 de ellos no lo puede abrir." in text


def test_a_number_in_no_case_or_half_typed_says_nothing(world):
    client = signed_in_client(world.owner)
    for value in ("+17135550100", "713 5"):
        html = _hint(client, value).content.decode()
        assert 'id="recurrence-hint"' in html
        assert "appears" not in html


def test_the_phone_lookup_panel_asks_for_the_hint(world):
    client = signed_in_client(world.owner)
    html = client.get(reverse("intake:phone_lookup"), {"phone": PHONE_TYPED}).content.decode()
    assert f'hx-get="{HINT}?kind=phone&amp;value=%2B17135550142"' in html


def test_the_hint_is_for_those_who_may_look_numbers_up(world):
    anonymous = Client().get(HINT, {"value": PHONE})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for role in (Role.ANALYST, Role.ADMINISTRATOR):
        assert _hint(signed_in_client(make_user(role))).status_code == 403
    for role in (Role.ADVOCATE, Role.SUPERVISOR, Role.LIAISON):
        assert _hint(signed_in_client(make_user(role))).status_code == 200


def test_each_lookup_is_audited_once_not_per_keystroke(world):
    advocate = make_user(Role.ADVOCATE)
    client = signed_in_client(advocate)
    _hint(client, "713 5")  # not a number yet: nothing to record
    assert not AuditEntry.objects.filter(actor=advocate, action="lookup").exists()
    for _n in range(3):
        _hint(client)
    entries = AuditEntry.objects.filter(actor=advocate, action="lookup")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_type == "phone"
    assert entry.object_ref == pseudonym("phone", PHONE)
    assert PHONE not in entry.object_ref
    assert entry.changes == [{"field": "number", "old": None, "new": PHONE}]
    assert entry.reason == "intake: 4 cases, 1 not openable"
    # Another identifier is another entry.
    _hint(client, "+17135550199")
    assert entries.count() == 2


def test_after_the_phone_lookup_the_hint_adds_no_entry(world):
    advocate = make_user(Role.ADVOCATE)
    client = signed_in_client(advocate)
    client.get(reverse("intake:phone_lookup"), {"phone": PHONE_TYPED})
    _hint(client)
    assert AuditEntry.objects.filter(actor=advocate, action="lookup").count() == 1


def test_another_kind_is_audited_under_its_own_type(world):
    client = signed_in_client(world.owner)
    html = _hint(client, " 1200 Main St,  Houston", kind="address").content.decode()
    assert "appears in 2 cases" in html
    entry = AuditEntry.objects.get(actor=world.owner, action="lookup")
    assert entry.object_type == "recurring_identifier"
    assert entry.changes == [{"field": "value", "old": None, "new": "1200 main st, houston"}]


# --- the case page --------------------------------------------------------------------


def _case_hints(client, case, **headers):
    return client.get(
        reverse("networks:case_appearances", kwargs={"reference": case.reference}), **headers
    )


def test_the_case_page_leaves_a_place_beside_each_identifier_and_asks_once(world):
    html = signed_in_client(world.owner).get(f"/cases/{world.salon.reference}/").content.decode()
    for identifier in Identifier.objects.filter(case=world.salon):
        assert f'<span id="recurrence-{identifier.pk}"></span>' in html
    url = reverse("networks:case_appearances", kwargs={"reference": world.salon.reference})
    assert html.count(f'hx-get="{url}"') == 1


def test_the_case_hints_swap_in_beside_each_identifier(world):
    outsider = make_user(Role.ADVOCATE)
    html = _case_hints(signed_in_client(outsider), world.salon).content.decode()
    phone = Identifier.objects.get(case=world.salon, kind="phone")
    address = Identifier.objects.get(case=world.salon, kind="address")
    phone_hint = html.split(f'id="recurrence-{phone.pk}"')[1].split("</span>")[0]
    assert 'hx-swap-oob="true"' in phone_hint
    assert "Appears in 3 other cases" in phone_hint
    assert "1 of them you may not open." in phone_hint
    assert world.warehouse.reference in phone_hint and world.caller.reference in phone_hint
    assert world.farm.reference not in html
    address_hint = html.split(f'id="recurrence-{address.pk}"')[1].split("</span>")[0]
    assert "Appears in 1 other case" in address_hint
    assert world.parlor.reference in address_hint


def test_the_case_hints_in_spanish(world):
    html = _case_hints(
        signed_in_client(world.owner), world.salon, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Aparece en 3 casos más" in html
    assert "Aparece en 1 caso más" in html


def test_the_case_hints_follow_the_case_access_rule(world):
    assert _case_hints(Client(), world.salon).status_code == 302
    assert _case_hints(signed_in_client(make_user(Role.ANALYST)), world.salon).status_code == 403
    # The restricted case's own hints: only for who may open it (refusal audited).
    outsider = make_user(Role.ADVOCATE)
    assert _case_hints(signed_in_client(outsider), world.farm).status_code == 403
    assert AuditEntry.objects.filter(actor=outsider, action="access_denied").exists()
    assert _case_hints(signed_in_client(world.restrictor), world.farm).status_code == 200


def test_the_case_hints_are_audited_once_per_case(world):
    client = signed_in_client(world.owner)
    for _n in range(2):
        _case_hints(client, world.salon)
    entry = AuditEntry.objects.get(actor=world.owner, action="lookup")
    assert (entry.object_type, entry.object_ref) == ("case", world.salon.reference)
    assert entry.reason == "recurring identifiers: 2 of 2, in 4 other case entries"
