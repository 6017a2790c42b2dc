"""Consent, duties and approval for reports and referrals (issue 11, items 10–12): a
report without consent waits for a supervisor; the "a minor" duty needs a minor; a
guardian's consent with a family exploiter needs a reason; the case page and the
supervisors' home prompt a report for a minor or imminent danger."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.referrals import domain
from puente.referrals.models import AuthorityReport
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.referrals.conftest import add_minor, make_referral, make_report


@pytest.fixture
def case(advocate):
    return make_case(created_by=advocate, title="Farm workers")


def _without_consent(case, by, **fields):
    values = dict(consent_given=False, mandatory_duty="imminent_danger")
    values.update(fields)
    return make_report(case=case, by=by, **values)


def _audited(report) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="authorityreport", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- item 10: the "a minor" duty --------------------------------------------------------


def test_the_minor_duty_is_refused_without_a_minor_in_the_case(advocate, case):
    cases.add_person(case=case, by=advocate, role="potential_victim", age=24)
    with pytest.raises(ValidationError) as err:
        _without_consent(case, advocate, mandatory_duty="minor")
    assert "under 18" in err.value.message_dict["mandatory_duty"][0]
    assert AuthorityReport.objects.count() == 0


@pytest.mark.parametrize("fields", [{"age": 16}, {"age_band": "9-17"}, {"age_band": "minor"}])
def test_the_minor_duty_stands_with_a_minor_or_an_apparent_minor(advocate, case, fields):
    add_minor(case=case, by=advocate, **{"age": None, **fields})
    report = _without_consent(case, advocate, mandatory_duty="minor")
    assert report.mandatory_duty == "minor"


def test_the_case_page_prompts_a_report_for_a_minor_until_one_is_recorded(
    advocate, advocate_client, case
):
    url = f"/cases/{case.reference}/"
    assert 'data-testid="report-prompt"' not in advocate_client.get(url).content.decode()
    add_minor(case=case, by=advocate)
    assert "appears to be, under 18" in advocate_client.get(url).content.decode()
    _without_consent(case, advocate, mandatory_duty="minor")
    assert 'data-testid="report-prompt"' not in advocate_client.get(url).content.decode()


def test_supervisors_home_lists_cases_with_an_unanswered_prompt(advocate, supervisor, case):
    quiet = make_case(created_by=advocate, title="Nothing to report")
    add_minor(case=case, by=advocate)
    home = signed_in_client(supervisor).get(reverse("core:home")).content.decode()
    section = home.split('data-testid="report-prompts"')[1].split("</section>")[0]
    assert case.reference in section and quiet.reference not in section
    make_report(case=case, by=advocate)  # with consent: answered
    assert (
        'data-testid="report-prompts"'
        not in signed_in_client(supervisor).get(reverse("core:home")).content.decode()
    )


# --- item 11: supervisor approval of a report without consent -----------------------------


def test_a_report_without_consent_waits_for_approval_then_is_made(advocate, supervisor, case):
    report = _without_consent(case, advocate)
    assert (report.approval, report.is_made) == ("pending", False)

    domain.decide_report(report_id=report.pk, by=supervisor, approve=True)
    report.refresh_from_db()
    assert (report.approval, report.is_made, report.approval_decided_by) == (
        "approved",
        True,
        supervisor,
    )
    assert _audited(report) == ["create", "change"]


def test_a_declined_report_is_never_made_and_keeps_the_reason(advocate, supervisor, case):
    report = _without_consent(case, advocate)
    with pytest.raises(ValidationError):
        domain.decide_report(report_id=report.pk, by=supervisor, approve=False, reason=" ")
    domain.decide_report(report_id=report.pk, by=supervisor, approve=False, reason="Ask first.")
    report.refresh_from_db()
    assert (report.approval, report.is_made, report.approval_reason) == (
        "declined",
        False,
        "Ask first.",
    )
    with pytest.raises(ValidationError):
        domain.decide_report(report_id=report.pk, by=supervisor, approve=True)
    assert _audited(report) == ["create", "change"]


def test_nobody_approves_their_own_report(supervisor, case):
    report = _without_consent(case, supervisor)
    with pytest.raises(ValidationError) as err:
        domain.decide_report(report_id=report.pk, by=supervisor, approve=True)
    assert "Another supervisor" in err.value.message_dict["reason"][0]
    report.refresh_from_db()
    assert report.approval == "pending"


def test_a_report_with_consent_or_with_approval_switched_off_needs_none(settings, advocate, case):
    assert make_report(case=case, by=advocate).approval == ""
    settings.PUENTE_APPROVE_REPORTS = False
    report = _without_consent(case, advocate)
    assert (report.approval, report.is_made) == ("", True)


def test_an_advocate_cannot_approve(advocate, case):
    report = _without_consent(case, make_user(Role.SUPERVISOR))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        domain.decide_report(report_id=report.pk, by=advocate, approve=True)


def test_supervisor_approves_on_the_page_from_the_home_queue(advocate, supervisor, case):
    report = _without_consent(case, advocate)
    client = signed_in_client(supervisor)
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="reports-to-approve"' in home
    url = f"/referrals/reports/{report.pk}/approval/"
    assert 'data-testid="decision-form"' in client.get(url).content.decode()
    body = client.post(url, {"decision": "decline", "reason": ""}).content.decode()
    assert "Say why you decline" in body
    assert client.post(url, {"decision": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.approval == "approved"
    assert signed_in_client(advocate).get(url).status_code == 403


# --- item 12: guardian consent with a family exploiter -----------------------------------


def test_guardian_consent_with_a_family_exploiter_needs_a_reason(advocate, case):
    add_minor(case=case, by=advocate, relationship_to_trafficker="Familial")
    with pytest.raises(ValidationError) as err:
        make_referral(case=case, by=advocate, consent_method="guardian")
    assert "family member" in err.value.message_dict["consent_note"][0]
    referral = make_referral(
        case=case,
        by=advocate,
        consent_method="guardian",
        consent_note="Her grandmother, who reported the father, is her guardian.",
    )
    assert referral.consent_note.startswith("Her grandmother")


def test_guardian_consent_without_a_family_exploiter_needs_no_reason(advocate, case):
    add_minor(case=case, by=advocate, relationship_to_trafficker="Unaquainted")
    assert make_referral(case=case, by=advocate, consent_method="guardian").consent_note == ""
