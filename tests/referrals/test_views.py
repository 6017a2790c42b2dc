from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import ROLE_PERMISSIONS, Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.core.permissions import Perm
from puente.referrals import domain
from puente.referrals.models import AuthorityReport, Referral
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.referrals.conftest import add_minor, make_listing, make_referral, make_report

pytestmark = pytest.mark.django_db
NEW = reverse("referrals:new")
NEW_REPORT = reverse("referrals:report_new")


@pytest.fixture
def case(advocate):
    return make_case(created_by=advocate, title="Farm workers")


def _case_page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _referral_data(**overrides):
    data = {
        "provider_name": "Casa Amiga, El Paso",
        "service": "shelter_emergency_housing",
        "person": "",
        "consent_given": "on",
        "consent_method": "verbal",
        "status": "made",
        "referred_on": timezone.localdate().isoformat(),
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- recording a referral ----------------------------------------------------------------


def test_refer_link_from_the_directory_prefills_case_provider_and_service(
    advocate, advocate_client, case
):
    listing = make_listing(name="Harbor Light Safe House", services=["legal", "medical"])
    response = advocate_client.get(
        NEW, {"case": case.reference, "provider": listing.pk, "service": "medical"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert case.reference in body
    assert 'data-testid="chosen-provider"' in body and "Harbor Light Safe House" in body
    assert f'name="provider" value="{listing.pk}"' in body
    assert '<option value="medical" selected>' in body
    assert 'name="provider_name"' not in body  # the listing is the provider
    assert AuditEntry.objects.filter(
        action="view", object_type="case", object_id=str(case.pk), actor=advocate
    ).exists()


def test_recording_a_referral_shows_it_on_the_case_page(advocate, advocate_client, case):
    listing = make_listing(name="Harbor Light Safe House")
    victim = cases.add_person(case=case, by=advocate, role="potential_victim", first_name="Rosa")
    response = advocate_client.post(
        f"{NEW}?case={case.reference}&provider={listing.pk}",
        _referral_data(provider=listing.pk, provider_name="", person=victim.pk),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#referrals"
    referral = Referral.objects.get()
    assert (referral.case, referral.provider, referral.person) == (case, listing, victim)
    assert (referral.provider_name, referral.consent_method) == (
        "Harbor Light Safe House",
        "verbal",
    )
    assert AuditEntry.objects.filter(action="create", object_type="referral").count() == 1

    body = _case_page(advocate_client, case)
    assert body.count('data-testid="referral"') == 1
    assert "Harbor Light Safe House" in body and "Shelter / emergency housing" in body
    assert "for Rosa" in body
    assert "Referral made" in body and "Verbal, during the contact" in body
    assert reverse("referrals:edit", args=[referral.pk]) in body


def test_a_referral_made_without_consent_is_sent_back_with_the_reason(advocate_client, case):
    response = advocate_client.post(
        f"{NEW}?case={case.reference}",
        _referral_data(consent_given=None, consent_method="", notes="Spoke with intake worker"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "needs their consent" in body
    assert "Spoke with intake worker" in body  # what was typed is kept
    assert Referral.objects.count() == 0


def test_referral_pages_need_a_case(advocate_client):
    assert advocate_client.get(NEW).status_code == 404
    assert advocate_client.get(NEW, {"case": "US-2026-999999"}).status_code == 404
    assert advocate_client.get(NEW_REPORT).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, advocate, case):
    referral = make_referral(case=case, by=advocate)
    report = make_report(case=case, by=advocate)
    for url in [
        f"{NEW}?case={case.reference}",
        reverse("referrals:edit", args=[referral.pk]),
        f"{NEW_REPORT}?case={case.reference}",
        reverse("referrals:report_edit", args=[report.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]
        assert case.reference not in response.content.decode()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_roles_without_referral_record_are_refused(role, advocate, case):
    referral = make_referral(case=case, by=advocate)
    report = make_report(case=case, by=advocate)
    client = signed_in_client(make_user(role))
    for url in [
        f"{NEW}?case={case.reference}",
        reverse("referrals:edit", args=[referral.pk]),
        f"{NEW_REPORT}?case={case.reference}",
        reverse("referrals:report_edit", args=[report.pk]),
    ]:
        assert client.get(url).status_code == 403
        assert client.post(url, _referral_data()).status_code == 403
    assert Referral.objects.count() == 1 and AuthorityReport.objects.count() == 1


def test_liaison_records_a_referral(liaison, case):
    client = signed_in_client(liaison)
    response = client.post(f"{NEW}?case={case.reference}", _referral_data())
    assert response.status_code == 302
    assert Referral.objects.get().created_by == liaison


def test_restricted_case_refuses_staff_not_named_on_it(advocate, supervisor, case):
    referral = make_referral(case=case, by=advocate, notes="Shelter in Houston")
    cases.restrict_case(case=case, by=supervisor)
    outsider = make_user(Role.ADVOCATE)
    client = signed_in_client(outsider)
    for url in [f"{NEW}?case={case.reference}", reverse("referrals:edit", args=[referral.pk])]:
        response = client.get(url)
        assert response.status_code == 403
        assert b"Shelter in Houston" not in response.content
    response = client.post(f"{NEW}?case={case.reference}", _referral_data())
    assert response.status_code == 403
    assert Referral.objects.count() == 1
    assert (
        AuditEntry.objects.filter(
            action="access_denied", actor=outsider, object_id=str(case.pk)
        ).count()
        == 3
    )


# --- following a referral up -------------------------------------------------------------


def _edit_data(referral, **overrides):
    data = {
        "status": referral.status,
        "consent_given": "on" if referral.consent_given else None,
        "consent_method": referral.consent_method,
        "outcome": referral.outcome,
        "outcome_on": "",
        "outcome_note": referral.outcome_note,
        "notes": referral.notes,
        "version": referral.version,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_offers_only_the_next_steps_and_saves_with_audit(advocate, advocate_client, case):
    referral = make_referral(case=case, by=advocate)
    url = reverse("referrals:edit", args=[referral.pk])
    page = advocate_client.get(url).content.decode()
    assert '<option value="accepted">Accepted by the provider</option>' in page
    assert 'value="connected"' not in page  # not before the provider answers
    assert AuditEntry.objects.filter(action="view", object_type="referral").exists()

    response = advocate_client.post(
        url, _edit_data(referral, status="accepted", outcome_note="Intake Monday 10am")
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.outcome_note, referral.version) == (
        "accepted",
        "Intake Monday 10am",
        2,
    )
    entry = AuditEntry.objects.get(action="change", object_type="referral")
    assert {"field": "status", "old": "made", "new": "accepted"} in entry.changes
    assert "Accepted by the provider" in _case_page(advocate_client, case)


def test_closing_without_an_outcome_is_explained_on_the_form(advocate_client, advocate, case):
    referral = make_referral(case=case, by=advocate)
    response = advocate_client.post(
        reverse("referrals:edit", args=[referral.pk]), _edit_data(referral, status="closed")
    )
    assert response.status_code == 200
    assert "Give the outcome before closing the referral." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "made"


def test_stale_edit_keeps_the_typed_text_and_shows_who_and_what_is_saved(
    advocate, advocate_client, case
):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    referral = make_referral(case=case, by=advocate)
    typed = _edit_data(referral, outcome_note="Long note typed during the call")
    domain.update_referral(
        referral_id=referral.pk,
        expected_version=1,
        changes={"status": "accepted"},
        by=colleague,
    )

    response = advocate_client.post(reverse("referrals:edit", args=[referral.pk]), typed)
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale-error"' in body and "Bea Bravo" in body
    assert "Long note typed during the call" in body
    assert "Accepted by the provider" in body  # what is saved now
    assert 'name="version" value="2"' in body
    referral.refresh_from_db()
    assert (referral.outcome_note, referral.version) == ("", 2)


# --- reports to authorities --------------------------------------------------------------


def _report_data(**overrides):
    data = {
        "agency": "",
        "agency_name": "Houston Police Department",
        "agency_type": "local_police",
        "reported_on": timezone.localdate().isoformat(),
        "method": "phone",
        "consent_given": "on",
        "mandatory_duty": "",
        "duty_note": "",
        "reference_number": "",
        "outcome": "pending",
        "outcome_note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_report_without_consent_or_duty_is_refused_on_the_form_in_both_languages(
    advocate_client, case
):
    url = f"{NEW_REPORT}?case={case.reference}"
    body = advocate_client.post(url, _report_data(consent_given=None)).content.decode()
    assert "a report can only be made under a legal duty" in body
    advocate_client.cookies["puente_language"] = "es"
    body = advocate_client.post(url, _report_data(consent_given=None)).content.decode()
    assert "solo puede hacerse por un deber legal" in body
    assert AuthorityReport.objects.count() == 0


def test_a_mandatory_report_about_a_minor_is_recorded_and_listed(advocate, advocate_client, case):
    add_minor(case=case, by=advocate)
    welfare = make_listing(kind="child_welfare", name="Texas Child Protective Services")
    response = advocate_client.post(
        f"{NEW_REPORT}?case={case.reference}&agency={welfare.pk}",
        _report_data(
            agency=welfare.pk,
            agency_name="",
            agency_type="child_welfare",
            consent_given=None,
            mandatory_duty="minor",
            method="online_portal",
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#reports")
    report = AuthorityReport.objects.get()
    assert (report.agency, report.consent_given, report.mandatory_duty) == (welfare, False, "minor")

    body = _case_page(advocate_client, case)
    assert body.count('data-testid="report"') == 1
    assert "Texas Child Protective Services" in body and "Child welfare / child protection" in body
    assert "Not given" in body and "legal duty: A minor in commercial sex" in body
    assert "No answer yet" in body


def test_new_report_offers_only_law_enforcement_and_child_welfare_listings(advocate_client, case):
    make_listing(kind="law_enforcement", name="Texas Task Force", services=[])
    make_listing(kind="shelter", name="Harbor Light Safe House")
    body = advocate_client.get(NEW_REPORT, {"case": case.reference}).content.decode()
    assert "Texas Task Force (US)" in body
    assert "Harbor Light Safe House" not in body


def test_report_edit_records_the_outcome(advocate, advocate_client, case):
    report = make_report(case=case, by=advocate)
    url = reverse("referrals:report_edit", args=[report.pk])
    assert "Houston Police Department" in advocate_client.get(url).content.decode()
    response = advocate_client.post(
        url,
        _report_data(
            outcome="investigation_opened", reference_number="HPD-55", version=report.version
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.outcome, report.reference_number, report.version) == (
        "investigation_opened",
        "HPD-55",
        2,
    )
    assert AuditEntry.objects.filter(action="change", object_type="authorityreport").exists()


def test_stale_report_edit_keeps_the_typed_values_and_shows_what_is_saved_under_each_field(
    advocate, advocate_client, case
):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    report = make_report(case=case, by=advocate)
    domain.update_authority_report(
        report_id=report.pk,
        expected_version=1,
        changes={"outcome": "investigation_opened"},
        by=colleague,
    )

    response = advocate_client.post(
        reverse("referrals:report_edit", args=[report.pk]),
        _report_data(reference_number="HPD-77", version=1),
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale-error"' in body and "This report was changed by Bea Bravo" in body
    assert 'value="HPD-77"' in body and 'name="version" value="2"' in body
    assert 'data-testid="current-outcome">Saved now: Investigation opened</p>' in body
    assert 'data-testid="current-reference_number">Saved now: —</p>' in body
    report.refresh_from_db()
    assert (report.outcome, report.reference_number, report.version) == (
        "investigation_opened",
        "",
        2,
    )


# --- the case page -----------------------------------------------------------------------


def test_case_page_in_spanish_shows_translated_labels(advocate, advocate_client, case):
    make_referral(
        case=case, by=advocate, status="suggested", consent_given=False, consent_method=""
    )
    make_report(case=case, by=advocate, consent_given=False, mandatory_duty="imminent_danger")
    advocate_client.cookies["puente_language"] = "es"
    body = _case_page(advocate_client, case)
    assert "Canalizaciones" in body
    assert "Sugerida a la persona" in body
    assert "Refugio / vivienda de emergencia" in body
    assert "Peligro inminente para la vida de alguien" in body
    assert "Sin respuesta todavía" in body


def test_readers_see_referrals_without_links_to_change_them(advocate, case, monkeypatch):
    # A reader who records nothing: no role Puente ships since analysts work from counts
    # (issue 14), but a hotline may define one.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, frozenset({Perm.CASE_VIEW}))
    referral = make_referral(case=case, by=advocate)
    body = _case_page(signed_in_client(make_user(Role.ANALYST)), case)
    assert "Casa Amiga" in body
    assert reverse("referrals:edit", args=[referral.pk]) not in body
    assert reverse("referrals:new") not in body


def test_case_page_query_count_does_not_grow_with_referrals(advocate, advocate_client):
    def count(case):
        with CaptureQueriesContext(connection) as ctx:
            _case_page(advocate_client, case)
        return len(ctx.captured_queries)

    small, big = make_case(created_by=advocate), make_case(created_by=advocate)
    victim = cases.add_person(case=small, by=advocate, role="potential_victim", first_name="Rosa")
    make_referral(case=small, by=advocate, person=victim)
    make_report(case=small, by=advocate)
    for n in range(3):
        victim = cases.add_person(case=big, by=advocate, role="potential_victim", first_name="Rosa")
        make_referral(case=big, by=advocate, person=victim, notes=f"Referral {n}")
        make_report(case=big, by=advocate)
    assert count(small) == count(big)


# --- from the directory ------------------------------------------------------------------


def test_directory_search_for_a_case_offers_refer_links(advocate, analyst, advocate_client, case):
    listing = make_listing(name="Harbor Light Safe House", services=["legal"])
    search = {"case": case.reference, "need": "legal", "country": "US"}
    body = advocate_client.get(reverse("directory:search"), search).content.decode()
    assert f"{NEW}?case={case.reference}&amp;provider={listing.pk}&amp;service=legal" in body
    reader = signed_in_client(analyst).get(reverse("directory:search"), search)
    assert "Harbor Light Safe House" in reader.content.decode()
    assert 'data-testid="refer"' not in reader.content.decode()


def test_outcome_date_before_the_referral_is_refused_on_the_form(advocate_client, advocate, case):
    referral = make_referral(
        case=case, by=advocate, referred_on=timezone.localdate() - timedelta(days=2)
    )
    response = advocate_client.post(
        reverse("referrals:edit", args=[referral.pk]),
        _edit_data(
            referral,
            outcome="no_capacity",
            outcome_on=(timezone.localdate() - timedelta(days=4)).isoformat(),
        ),
    )
    assert "The outcome cannot come before the referral." in response.content.decode()
