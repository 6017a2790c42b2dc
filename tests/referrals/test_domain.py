from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.core.concurrency import StaleWriteError
from puente.referrals import domain
from puente.referrals.choices import ReferralStatus
from puente.referrals.models import AuthorityReport, Referral
from tests.factories import make_case, make_user
from tests.referrals.conftest import add_minor, make_listing, make_referral, make_report

pytestmark = pytest.mark.django_db
S = ReferralStatus


@pytest.fixture
def case(advocate):
    return make_case(created_by=advocate, title="Farm workers")


# --- recording a referral ----------------------------------------------------------------


def test_referral_to_a_listing_keeps_its_name_and_is_audited(advocate, case):
    listing = make_listing(name="Harbor Light Safe House")
    victim = cases.add_person(case=case, by=advocate, role="potential_victim", first_name="Rosa")

    referral = make_referral(
        case=case, by=advocate, provider=listing, provider_name="ignored", person=victim
    )

    listing.name = "Harbor Light (renamed)"
    listing.save()
    referral.refresh_from_db()
    assert referral.provider_name == "Harbor Light Safe House"
    assert (referral.status, referral.referred_on) == (S.MADE, timezone.localdate())
    assert referral.person == victim and referral.created_by == advocate
    entry = AuditEntry.objects.get(object_type="referral", action="create")
    assert entry.object_ref == case.reference
    assert {"field": "provider", "old": None, "new": listing.pk} in entry.changes
    assert {"field": "consent_method", "old": None, "new": "verbal"} in entry.changes


def test_a_provider_outside_the_directory_must_be_named(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, provider_name="   ")
    assert "provider_name" in err.value.message_dict
    assert Referral.objects.count() == 0


def test_making_a_referral_without_consent_is_refused_unless_an_emergency(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, consent_given=False, consent_method="")
    assert "needs their consent" in err.value.message_dict["consent_given"][0]

    emergency = make_referral(
        case=case, by=advocate, consent_given=False, consent_method="emergency"
    )
    # Suggesting a provider shares nothing with it: no consent needed.
    suggestion = make_referral(
        case=case, by=advocate, status=S.SUGGESTED, consent_given=False, consent_method=""
    )
    assert Referral.objects.count() == 2
    assert {emergency.status, suggestion.status} == {S.MADE, S.SUGGESTED}


def test_how_consent_was_given_must_agree_with_whether_it_was(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, consent_given=True, consent_method="")
    assert err.value.message_dict["consent_method"] == ["Say how the person gave consent."]
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, consent_given=False, consent_method="written")
    assert "means the person consented" in err.value.message_dict["consent_method"][0]


def test_a_new_referral_starts_as_suggested_or_made(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, status=S.CONNECTED)
    assert "status" in err.value.message_dict


def test_an_inactive_listing_or_a_person_from_another_case_is_refused(advocate, case):
    closed_down = make_listing(active=False)
    other_case = make_case(created_by=advocate)
    stranger = cases.add_person(
        case=other_case, by=advocate, role="potential_victim", first_name="Luz"
    )
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, provider=closed_down, person=stranger)
    assert set(err.value.message_dict) == {"provider", "person"}


def test_future_referral_date_and_unknown_service_are_refused(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_referral(
            case=case,
            by=advocate,
            service="teleportation",
            referred_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(err.value.message_dict) == {"service", "referred_on"}


def test_recording_needs_the_permission_and_an_openable_case(advocate, supervisor, case):
    with pytest.raises(PermissionDenied):
        make_referral(case=case, by=make_user(Role.ANALYST))
    cases.restrict_case(case=case, by=supervisor)
    with pytest.raises(PermissionDenied):
        make_referral(case=case, by=make_user(Role.ADVOCATE))
    assert make_referral(case=case, by=supervisor).pk  # named on it by restricting it
    assert Referral.objects.count() == 1


# --- the status workflow -----------------------------------------------------------------


def test_every_status_has_a_row_in_the_transition_table():
    assert set(domain.TRANSITIONS) == set(S.values)
    for targets in domain.TRANSITIONS.values():
        assert set(targets) <= set(S.values)
    assert domain.allowed_referral_transitions(status=S.CLOSED) == []


def _move(referral, by, **changes):
    return domain.update_referral(
        referral_id=referral.pk, expected_version=referral.version, changes=changes, by=by
    )


def test_a_referral_follows_its_workflow_to_an_outcome(advocate, case):
    referral = make_referral(
        case=case, by=advocate, status=S.SUGGESTED, consent_given=False, consent_method=""
    )
    # Made: the hotline now contacts the provider, so consent comes with it.
    referral = _move(referral, advocate, status=S.MADE, consent_given=True, consent_method="verbal")
    referral = _move(referral, advocate, status=S.ACCEPTED)
    referral = _move(referral, advocate, status=S.CONNECTED, outcome="services_received")
    referral = _move(referral, advocate, status=S.CLOSED)

    assert (referral.status, referral.outcome, referral.version) == (
        S.CLOSED,
        "services_received",
        5,
    )
    assert referral.outcome_on == timezone.localdate()  # set when the outcome was recorded
    changes = [
        c
        for e in AuditEntry.objects.filter(object_type="referral", action="change").order_by("id")
        for c in e.changes
        if c["field"] == "status"
    ]
    assert [(c["old"], c["new"]) for c in changes] == [
        ("suggested", "made"),
        ("made", "accepted"),
        ("accepted", "connected"),
        ("connected", "closed"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        [S.CONNECTED],  # made -> connected skips the provider's answer
        [S.DECLINED, S.ACCEPTED],  # a declined referral is not taken back
        [S.UNREACHABLE, S.CLOSED, S.MADE],  # closed is final: try again with a new referral
    ],
)
def test_a_referral_cannot_skip_or_go_back_in_its_workflow(advocate, case, path):
    referral = make_referral(case=case, by=advocate)
    *allowed, refused = path
    for status in allowed:
        referral = _move(referral, advocate, status=status, outcome="lost_contact")
    with pytest.raises(ValidationError) as err:
        _move(referral, advocate, status=refused)
    assert "cannot go from" in err.value.message_dict["status"][0]
    referral.refresh_from_db()
    assert referral.status == (allowed[-1] if allowed else S.MADE)


def test_closing_needs_an_outcome_and_the_outcome_follows_the_referral(advocate, case):
    referral = make_referral(
        case=case, by=advocate, referred_on=timezone.localdate() - timedelta(days=3)
    )
    with pytest.raises(ValidationError) as err:
        _move(referral, advocate, status=S.CLOSED)
    assert err.value.message_dict["outcome"] == ["Give the outcome before closing the referral."]
    with pytest.raises(ValidationError) as err:
        _move(
            referral,
            advocate,
            outcome="no_capacity",
            outcome_on=timezone.localdate() - timedelta(days=5),
        )
    assert "outcome_on" in err.value.message_dict
    assert Referral.objects.get().version == 1


def test_provider_and_service_are_not_changed_by_an_update(advocate, case):
    referral = make_referral(case=case, by=advocate)
    with pytest.raises(ValidationError) as err:
        _move(referral, advocate, provider_name="Another place")
    assert "provider_name" in err.value.message_dict


def test_a_stale_save_is_refused_naming_who_changed_it(advocate, case):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    referral = make_referral(case=case, by=advocate)
    _move(referral, colleague, status=S.ACCEPTED)

    with pytest.raises(StaleWriteError) as err:
        domain.update_referral(
            referral_id=referral.pk,
            expected_version=1,
            changes={"status": S.DECLINED},
            by=advocate,
        )
    assert err.value.current_version == 2
    assert "Bea Bravo" in err.value.messages[0]
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (S.ACCEPTED, 2)


def test_an_update_that_changes_nothing_writes_nothing(advocate, case):
    referral = make_referral(case=case, by=advocate, notes="Called at 3pm")
    same = _move(referral, advocate, notes="Called at 3pm ")
    assert same.version == 1
    assert not AuditEntry.objects.filter(object_type="referral", action="change").exists()


# --- reports to authorities --------------------------------------------------------------


def test_a_report_without_consent_must_name_the_legal_duty(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_report(case=case, by=advocate, consent_given=False)
    assert "can only be made under a legal duty" in err.value.message_dict["mandatory_duty"][0]
    assert AuthorityReport.objects.count() == 0

    add_minor(case=case, by=advocate)
    report = make_report(case=case, by=advocate, consent_given=False, mandatory_duty="minor")
    assert report.mandatory_duty == "minor" and report.outcome == "pending"


def test_the_legal_duty_rule_is_explained_in_spanish(advocate, case):
    with translation.override("es"), pytest.raises(ValidationError) as err:
        make_report(case=case, by=advocate, consent_given=False)
    assert "deber legal" in err.value.message_dict["mandatory_duty"][0]


def test_another_legal_duty_must_be_explained(advocate, case):
    with pytest.raises(ValidationError) as err:
        make_report(case=case, by=advocate, consent_given=False, mandatory_duty="other")
    assert err.value.message_dict["duty_note"] == [
        "Explain the legal duty that required the report."
    ]
    make_report(
        case=case,
        by=advocate,
        consent_given=False,
        mandatory_duty="other",
        duty_note="State law: report of forced labour of a disabled adult.",
    )


def test_the_database_refuses_a_report_without_consent_or_duty(advocate, case):
    report = make_report(case=case, by=advocate)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityReport.objects.filter(pk=report.pk).update(consent_given=False)


def test_a_report_goes_to_law_enforcement_or_child_welfare_listings_only(advocate, case):
    shelter = make_listing(kind="shelter")
    with pytest.raises(ValidationError) as err:
        make_report(case=case, by=advocate, agency=shelter)
    assert "agency" in err.value.message_dict
    police = make_listing(kind="law_enforcement", name="Texas Task Force", services=[])
    report = make_report(case=case, by=advocate, agency=police, agency_name="")
    assert (report.agency, report.agency_name) == (police, "Texas Task Force")


def test_report_outcome_update_is_audited_and_checked_for_staleness(advocate, case):
    report = make_report(case=case, by=advocate)
    updated = domain.update_authority_report(
        report_id=report.pk,
        expected_version=1,
        changes={"outcome": "investigation_opened", "reference_number": "HPD-2026-55"},
        by=advocate,
    )
    assert (updated.outcome, updated.reference_number, updated.version) == (
        "investigation_opened",
        "HPD-2026-55",
        2,
    )
    entry = AuditEntry.objects.get(object_type="authorityreport", action="change")
    assert {"field": "outcome", "old": "pending", "new": "investigation_opened"} in entry.changes
    with pytest.raises(StaleWriteError):
        domain.update_authority_report(
            report_id=report.pk, expected_version=1, changes={"outcome": "no_action"}, by=advocate
        )
    # Withdrawing consent afterwards needs the duty that made the report lawful.
    with pytest.raises(ValidationError) as err:
        domain.update_authority_report(
            report_id=report.pk, expected_version=2, changes={"consent_given": False}, by=advocate
        )
    assert "mandatory_duty" in err.value.message_dict
