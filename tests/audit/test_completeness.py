"""Audit completeness: one advocate's shift, action by action, each leaving its entry —
and the whole trail still proving itself afterwards."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.screening.domain import record_screening
from tests.conftest import signed_in_client
from tests.factories import PASSWORD, make_case, make_contact


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_every_audited_action_leaves_its_entry(advocate, supervisor):
    Client().post("/accounts/login/", {"username": advocate.username, "password": "wrong"})
    assert _last("login_failed").actor_name == advocate.username
    Client().post("/accounts/login/", {"username": advocate.username, "password": PASSWORD})
    assert _last("login").actor == advocate

    client = signed_in_client(advocate)
    contact = make_contact(taken_by=advocate, phone="+17135550142")
    client.get(f"/intake/contacts/{contact.pk}/")
    assert (_last("view").object_type, _last("view").object_id) == ("contact", str(contact.pk))

    client.get("/intake/new/phone-lookup/", {"phone": "713 555 0142"})
    lookup = _last("lookup")
    assert lookup.changes == [{"field": "number", "old": None, "new": "+17135550142"}]
    assert "7135550142" not in lookup.object_ref

    case = make_case(created_by=advocate, title="Before")
    assert _last("create").object_ref == case.reference
    client.get(f"/cases/{case.reference}/")
    assert (_last("view").object_type, _last("view").object_ref) == ("case", case.reference)

    cases.update_case(
        case_id=case.pk, expected_version=case.version, changes={"title": "After"}, by=advocate
    )
    change = _last("change")
    assert {"field": "title", "old": "Before", "new": "After"} in change.changes

    record_screening(
        by=advocate,
        contact=contact,
        indicators=["withholds_documents"],
        override_level="high",
        override_reason="Caller describes being locked in at night as well.",
    )
    assert "locked in at night" in _last("override").reason

    client.get("/search/", {"q": "trailer"})
    assert _last("search").reason == "trailer"

    cases.restrict_case(case=case, by=supervisor)
    cases.break_glass(
        case=case, user=advocate, reason="The caller is on the line in danger right now"
    )
    assert _last("break_glass").actor == advocate

    signed_in_client(supervisor).get("/audit/")
    assert (_last("view").object_type, _last("view").actor) == ("audit", supervisor)

    result = verify_chain()
    assert result.ok and result.checked == AuditEntry.objects.count()


def test_pages_that_show_case_data_are_reads_in_the_trail(advocate, supervisor):
    """Pages once left out of the trail: the home queues, a person's edit form (names and
    identifiers), the cross-border send page (the case's people by name)."""
    client = signed_in_client(advocate)
    case = make_case(created_by=advocate, title="Farm")
    person = cases.add_person(case=case, by=advocate, first_name="Rosa", role="potential_victim")

    client.get(reverse("core:home"))
    home = _last("view")
    assert (home.object_type, home.actor) == ("home", advocate)
    assert "cases" in home.reason

    client.get(f"/cases/{case.reference}/persons/{person.pk}/edit/")
    seen = _last("view")
    assert (seen.object_type, seen.object_id, seen.object_ref) == (
        "person",
        str(person.pk),
        case.reference,
    )

    signed_in_client(supervisor).get(f"/exchange/send/{case.reference}/")
    sent = _last("view")
    assert (sent.object_type, sent.object_ref, sent.actor) == ("case", case.reference, supervisor)
    assert sent.reason == "cross-border send page"
