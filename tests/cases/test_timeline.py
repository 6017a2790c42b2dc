"""The case timeline: every app's records on one list, newest first, bounded, and read in
a number of queries that does not grow with the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.roles import Role
from puente.cases import domain
from puente.cases.models import Case
from puente.cases.timeline import (
    TimelineEntry,
    _sources,
    add_timeline_source,
    case_timeline,
)
from puente.core.permissions import Perm
from puente.federation.models import CrossBorderReferral, PartnerHotline, ReferralUpdate
from puente.intake.models import Contact
from puente.intake.timeline import contact_entries
from puente.referrals.models import AuthorityReport, Referral
from puente.screening.models import Screening
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def _fill(case: Case, by, n: int, partner: PartnerHotline) -> None:
    """`n` of every kind of record the timeline shows."""
    for i in range(n):
        make_contact(case=case, taken_by=by, summary=f"Call {i}", started_at=timezone.now())
        domain.add_note(case=case, body=f"Note {i}", by=by)
        task = domain.add_task(case=case, title=f"Task {i}", assignee=by, by=by)
        domain.complete_task(task=task, by=by)
        Screening.objects.create(
            case=case, legal_frame="us_tvpa", indicators=[], computed_level="low", screened_by=by
        )
        Referral.objects.create(
            case=case,
            provider_name=f"Shelter {i}",
            service="shelter_emergency_housing",
            referred_on=timezone.localdate(),
            created_by=by,
        )
        AuthorityReport.objects.create(
            case=case,
            agency_name=f"Police {i}",
            agency_type="local_police",
            method="phone",
            consent_given=True,
            reported_on=timezone.localdate(),
            created_by=by,
        )
        referral = CrossBorderReferral.objects.create(
            direction="outgoing",
            partner=partner,
            case=case,
            consent_method="verbal",
            consent_recorded_at=timezone.now(),
            created_by=by,
        )
        ReferralUpdate.objects.create(
            referral=referral, seq=1, status="accepted", at=timezone.now(), by_name="Lupita"
        )


@pytest.fixture
def partner():
    return PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )


def test_every_app_adds_its_records_newest_first(advocate, supervisor, partner):
    case = make_case(created_by=advocate, title="Farm")
    _fill(case, advocate, 1, partner)
    domain.change_status(
        case_id=case.pk, expected_version=case.version, status="active", by=advocate
    )
    domain.restrict_case(case=case, by=supervisor)

    timeline = case_timeline(case=case, user=advocate)

    kinds = [entry.kind for entry in timeline.entries]
    assert set(kinds) >= {
        "opened",
        "contact",
        "note",
        "task",
        "task-done",
        "screening",
        "referral",
        "report",
        "cross-border",
        "cross-border-update",
        "status",
        "restriction",
    }
    moments = [entry.when for entry in timeline.entries]
    assert moments == sorted(moments, reverse=True)
    assert kinds[-1] == "opened" and kinds[0] == "restriction"
    status = next(entry for entry in timeline.entries if entry.kind == "status")
    assert status.title == "Status changed to Active" and status.detail == "from New"
    assert status.who == advocate.display_name
    assert not timeline.more


def test_a_long_case_shows_its_newest_entries_and_says_there_are_more(advocate):
    case = make_case(created_by=advocate)
    for i in range(6):
        domain.add_note(case=case, body=f"Note {i}", by=advocate)

    timeline = case_timeline(case=case, user=advocate, limit=3)

    assert [entry.detail for entry in timeline.entries] == ["Note 5", "Note 4", "Note 3"]
    assert timeline.more
    assert not case_timeline(case=case, user=advocate, limit=7).more  # 6 notes + opened


def test_queries_do_not_grow_with_the_number_of_entries(advocate, partner):
    small = make_case(created_by=advocate)
    _fill(small, advocate, 1, partner)
    big = make_case(created_by=advocate)
    _fill(big, advocate, 6, partner)

    def count(case: Case) -> int:
        with CaptureQueriesContext(connection) as queries:
            timeline = case_timeline(case=case, user=advocate)
        assert timeline.entries
        return len(queries)

    assert count(small) == count(big)


def test_a_contact_is_linked_only_for_those_who_may_read_contacts(advocate):
    case = make_case(created_by=advocate)
    contact = make_contact(case=case, taken_by=advocate, summary="She keeps my passport")

    class CannotReadContacts:
        pk = advocate.pk

        def can(self, perm: str) -> bool:
            return perm != Perm.CONTACT_VIEW

    [shown] = contact_entries(case=case, user=advocate, limit=5)
    [hidden] = contact_entries(case=case, user=CannotReadContacts(), limit=5)  # type: ignore[arg-type]

    assert shown.url == f"/intake/contacts/{contact.pk}/" and "passport" in shown.detail
    assert hidden.url == "" and "passport" not in hidden.detail
    assert hidden.title == shown.title == "Phone · Tip"


def test_who_is_named_on_a_restricted_case_stays_off_the_timeline(advocate, supervisor):
    case = make_case(created_by=supervisor)
    domain.restrict_case(case=case, by=supervisor)
    colleague = make_user(Role.LIAISON, first_name="Quique", last_name="Confidencial")
    domain.grant_access(case=case, user=colleague, by=supervisor)

    entries = case_timeline(case=case, user=supervisor).entries

    assert "access" in [entry.kind for entry in entries]
    assert all("Quique" not in f"{e.title} {e.detail}" for e in entries)


def test_a_source_registered_twice_is_asked_once(advocate):
    case = make_case(created_by=advocate)
    calls = []

    def extra(*, case, user, limit):
        calls.append(limit)
        return [
            TimelineEntry(when=timezone.now() + timedelta(days=1), kind="x", icon="", title="X")
        ]

    try:
        add_timeline_source(extra)
        add_timeline_source(extra)
        timeline = case_timeline(case=case, user=advocate, limit=10)
    finally:
        _sources.pop(f"{extra.__module__}.{extra.__qualname__}")
    assert calls == [11]  # one more than shown, so `more` needs no count
    assert [entry.kind for entry in timeline.entries].count("x") == 1


def test_a_contact_moved_to_another_case_leaves_this_timeline(advocate):
    case = make_case(created_by=advocate)
    other = make_case(created_by=advocate)
    contact = make_contact(case=case, taken_by=advocate)
    Contact.objects.filter(pk=contact.pk).update(case=other)

    assert "contact" not in [e.kind for e in case_timeline(case=case, user=advocate).entries]
    assert "contact" in [e.kind for e in case_timeline(case=other, user=advocate).entries]
