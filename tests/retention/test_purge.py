"""The purge applies each rule exactly: what is past its time goes, in batches, and
nothing else; a dry run changes nothing; an interrupted run resumes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Case, CaseCounter, Person
from puente.federation.models import CrossBorderReferral, OutboxMessage, PartnerHotline
from puente.intake.models import Contact, IntakeDraft
from puente.retention import domain
from puente.retention.models import PurgeRun, RetentionRule
from puente.retention.rules import cutoff
from puente.screening.models import Screening
from puente.search.models import SearchEntry
from tests.factories import make_case, make_contact, make_user

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _set_rule(category: str, keep_for: int, unit: str = "days", enabled: bool = True) -> None:
    domain.current_rules()
    RetentionRule.objects.filter(category=category).update(
        keep_for=keep_for, unit=unit, enabled=enabled
    )


def _old_contact(days: int, **fields) -> Contact:
    return make_contact(started_at=NOW - timedelta(days=days), **fields)


def _closed_case(days: int, by=None) -> Case:
    case = make_case(created_by=by)
    Case.objects.filter(pk=case.pk).update(
        status="closed", closing_reason="declined", closed_at=NOW - timedelta(days=days)
    )
    return Case.objects.get(pk=case.pk)


def _draft(days: int, owner) -> IntakeDraft:
    draft = IntakeDraft.objects.create(owner=owner, data={"summary": "half-typed"})
    IntakeDraft.objects.filter(pk=draft.pk).update(updated_at=NOW - timedelta(days=days))
    return draft


def _retention_entries():
    return AuditEntry.objects.filter(object_type="retention")


# --- Properties ----------------------------------------------------------------------------


@pytest.mark.django_db
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keep=st.integers(min_value=30, max_value=1500),
    contact_ages=st.lists(st.integers(min_value=0, max_value=2000), max_size=6),
    case_ages=st.lists(st.integers(min_value=0, max_value=2000), max_size=4),
    draft_ages=st.lists(st.integers(min_value=0, max_value=90), max_size=4),
    batch_size=st.integers(min_value=1, max_value=4),
)
def test_nothing_younger_than_its_rule_is_ever_purged(
    keep, contact_ages, case_ages, draft_ages, batch_size
):
    with transaction.atomic():
        owner = make_user(Role.ADVOCATE)
        for category in ("unlinked_contacts", "closed_cases"):
            _set_rule(category, keep)
        _set_rule("drafts", 30)
        contacts = {_old_contact(age).pk: age for age in contact_ages}
        cases = {_closed_case(age, by=owner).pk: age for age in case_ages}
        drafts = {_draft(age, owner).pk: age for age in draft_ages}
        # Never due, however old: an open case and the contact filed in it.
        open_case = make_case(created_by=owner)
        Case.objects.filter(pk=open_case.pk).update(created_at=NOW - timedelta(days=3000))
        filed = _old_contact(3000, case=open_case)

        domain.purge_due(now=NOW, dry_run=False, batch_size=batch_size)

        before = cutoff(now=NOW, keep_for=keep, unit="days")
        assert set(Contact.objects.exclude(pk=filed.pk).values_list("pk", flat=True)) == {
            pk for pk, age in contacts.items() if NOW - timedelta(days=age) >= before
        }
        assert set(Case.objects.exclude(pk=open_case.pk).values_list("pk", flat=True)) == {
            pk for pk, age in cases.items() if NOW - timedelta(days=age) >= before
        }
        assert set(IntakeDraft.objects.values_list("pk", flat=True)) == {
            pk for pk, age in drafts.items() if age <= 30
        }
        assert Contact.objects.filter(pk=filed.pk).exists()
        assert Case.objects.filter(pk=open_case.pk).exists()
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ages=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=6))
def test_a_dry_run_changes_nothing(ages):
    with transaction.atomic():
        owner = make_user(Role.ADVOCATE)
        for age in ages:
            _old_contact(age)
            _closed_case(age, by=owner)
            _draft(age, owner)
        tables = (Contact, Case, Person, IntakeDraft, SearchEntry)
        counted = {model: model.objects.count() for model in tables}
        contents = list(AuditEntry.objects.order_by("id").values_list("changes", "reason"))

        result = domain.purge_due(now=NOW, dry_run=True, batch_size=2)

        assert {model: model.objects.count() for model in tables} == counted
        # The trail gains the run's own entries, and its earlier entries keep their content.
        assert (
            list(
                AuditEntry.objects.order_by("id").values_list("changes", "reason")[: len(contents)]
            )
            == contents
        )
        assert result.purged == 0
        due = {r.category: r.due for r in result.categories}
        contacts_before = cutoff(now=NOW, keep_for=36, unit="months")
        assert due["unlinked_contacts"] == sum(
            NOW - timedelta(days=age) < contacts_before for age in ages
        )
        transaction.set_rollback(True)


# --- Batches, interruption, resumption ------------------------------------------------------


class Interrupted(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_run_interrupted_after_one_batch_resumes_and_purges_the_rest_exactly_once():
    old = [_old_contact(2000 + i) for i in range(7)]
    young = _old_contact(10)

    def stop_after_first_batch(step):
        raise Interrupted

    with pytest.raises(Interrupted):
        domain.purge(
            category="unlinked_contacts",
            now=NOW,
            dry_run=False,
            batch_size=3,
            progress=stop_after_first_batch,
        )
    # The first batch was committed and audited before the interruption: the oldest three.
    left = set(Contact.objects.values_list("pk", flat=True))
    assert left == {c.pk for c in old[:4]} | {young.pk}
    assert [e.changes[0]["new"] for e in _retention_entries()] == [3]

    steps = []
    report = domain.purge(
        category="unlinked_contacts",
        now=NOW,
        dry_run=False,
        batch_size=3,
        progress=steps.append,
    )
    assert report.purged == 4 and report.due == 4
    assert [(s.batch, s.purged, s.due) for s in steps] == [(1, 3, 4), (2, 4, 4)]
    assert set(Contact.objects.values_list("pk", flat=True)) == {young.pk}
    # Seven deleted in all, each once: the audited counts add up to exactly seven.
    assert sorted(e.changes[0]["new"] for e in _retention_entries()) == [1, 3, 3]


@pytest.mark.django_db
def test_max_batches_stops_a_run_and_says_more_is_due():
    for i in range(5):
        _old_contact(2000 + i)
    report = domain.purge(
        category="unlinked_contacts", now=NOW, dry_run=False, batch_size=2, max_batches=1
    )
    assert (report.purged, report.complete) == (2, False)
    assert Contact.objects.count() == 3


# --- What each category takes, and what it leaves --------------------------------------------


@pytest.mark.django_db
def test_a_closed_case_goes_with_its_contacts_people_and_screenings_but_not_its_number(advocate):
    case = _closed_case(3000, by=advocate)
    counter = CaseCounter.objects.get()
    Person.objects.create(case=case, roles=["potential_victim"], first_name="Rosa")
    contact = _old_contact(3000, case=case)
    Screening.objects.create(
        case=case, contact=contact, legal_frame="us_tvpa", indicators=[], computed_level="low"
    )

    report = domain.purge(category="closed_cases", now=NOW, dry_run=False)

    assert report.purged == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Person.objects.exists() and not Screening.objects.exists()
    assert not SearchEntry.objects.filter(case_id=case.pk).exists()
    # References are never reused: the counter still knows the number was given.
    assert CaseCounter.objects.get().last_number == counter.last_number
    assert make_case(created_by=advocate).reference != case.reference


@pytest.mark.django_db
def test_a_case_a_cross_border_referral_points_to_is_held_not_purged(advocate):
    case = _closed_case(3000, by=advocate)
    partner = PartnerHotline.objects.create(name="MX", country="MX", base_url="https://mx.example")
    CrossBorderReferral.objects.create(
        direction="outgoing",
        partner=partner,
        case=case,
        consent_method="verbal",
        consent_recorded_at=NOW,
    )
    dry = domain.purge(category="closed_cases", now=NOW, dry_run=True)
    assert (dry.due, dry.held) == (0, 1)
    assert domain.purge(category="closed_cases", now=NOW, dry_run=False).purged == 0
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_open_and_recently_closed_cases_are_kept(advocate):
    open_case = make_case(created_by=advocate)
    recent = _closed_case(30, by=advocate)
    assert domain.purge(category="closed_cases", now=NOW, dry_run=False).purged == 0
    assert Case.objects.filter(pk__in=[open_case.pk, recent.pk]).count() == 2


@pytest.mark.django_db
def test_a_rule_switched_off_purges_nothing(advocate):
    _set_rule("unlinked_contacts", 30, enabled=False)
    contact = _old_contact(5000)
    report = domain.purge(category="unlinked_contacts", now=NOW, dry_run=False)
    assert (report.enabled, report.purged, report.due) == (False, 0, None)
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.django_db
def test_drafts_not_saved_for_30_days_go(advocate):
    stale, fresh = _draft(31, advocate), _draft(29, advocate)
    report = domain.purge(category="drafts", now=NOW, dry_run=False)
    assert report.purged == 1
    assert list(IntakeDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert stale.pk not in IntakeDraft.objects.values_list("pk", flat=True)


@pytest.mark.django_db
def test_exchange_payloads_are_cleared_by_the_federation_app():
    partner = PartnerHotline.objects.create(name="MX", country="MX", base_url="https://mx.example")
    message = OutboxMessage.objects.create(
        partner=partner,
        message_type="referral.status",
        body='{"summary": "secret"}',
        state="delivered",
        next_attempt_at=NOW,
        delivered_at=NOW - timedelta(days=200),
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=NOW - timedelta(days=200))
    queued = OutboxMessage.objects.create(
        partner=partner, message_type="referral.status", body="{}", next_attempt_at=NOW
    )
    OutboxMessage.objects.filter(pk=queued.pk).update(created_at=NOW - timedelta(days=200))

    dry = domain.purge(category="exchange_payloads", now=NOW, dry_run=True)
    assert dry.due is None  # the federation app chooses them itself
    report = domain.purge(category="exchange_payloads", now=NOW, dry_run=False)

    assert report.purged == 1
    assert OutboxMessage.objects.get(pk=message.pk).body == ""
    assert OutboxMessage.objects.get(pk=queued.pk).body == "{}"  # still to be delivered


@pytest.mark.django_db
def test_every_run_and_every_batch_is_audited_with_counts_only():
    _old_contact(5000, summary="Nombre Secretísimo called from the bus station")
    result = domain.purge_due(now=NOW, dry_run=False, batch_size=10)

    run = PurgeRun.objects.get()
    assert run.finished_at is not None and run.counts["unlinked_contacts"]["purged"] == 1
    assert result.run == run
    entries = AuditEntry.objects.filter(object_type__in=["retention", "retention_run"])
    assert [(e.object_type, e.action) for e in entries.order_by("id")] == [
        ("retention_run", "delete"),
        ("retention", "delete"),
        ("retention_run", "delete"),
    ]
    trail = " ".join(f"{e.changes} {e.reason}" for e in entries)
    assert "Secretísimo" not in trail and "unlinked_contacts: 1" in trail


@pytest.mark.django_db
def test_a_batch_is_all_or_nothing(monkeypatch):
    contact = _old_contact(5000)

    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(domain.audit, "forget_content", broken)
    with pytest.raises(RuntimeError):
        domain.purge(category="unlinked_contacts", now=NOW, dry_run=False)
    # The contact was not deleted without its audit content being forgotten.
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not _retention_entries().exists()


@pytest.mark.django_db
def test_the_run_defaults_to_now():
    contact = _old_contact(10)
    Contact.objects.filter(pk=contact.pk).update(started_at=timezone.now() - timedelta(days=4000))
    assert domain.purge_due(dry_run=False).purged == 1
