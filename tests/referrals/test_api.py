from __future__ import annotations

import pytest

from puente.accounts.models import ApiKey
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.referrals.conftest import add_minor, make_listing, make_referral, make_report

pytestmark = pytest.mark.django_db


def _url(case) -> str:
    return f"/api/v1/cases/{case.reference}/referrals"


@pytest.fixture
def case(advocate):
    return make_case(created_by=advocate, title="Farm workers")


def test_lists_a_cases_referrals_and_reports_as_codes(advocate, liaison, case):
    listing = make_listing(name="Harbor Light Safe House")
    referral = make_referral(case=case, by=advocate, provider=listing)
    add_minor(case=case, by=advocate)
    make_report(case=case, by=advocate, consent_given=False, mandatory_duty="minor")

    response = signed_in_client(liaison).get(_url(case))
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == case.reference
    [row] = data["referrals"]
    assert row["id"] == referral.pk
    assert (row["provider_id"], row["provider_name"]) == (listing.pk, "Harbor Light Safe House")
    assert (row["service"], row["status"], row["consent_method"]) == (
        "shelter_emergency_housing",
        "made",
        "verbal",
    )
    assert row["created_by"] == advocate.get_username() and row["version"] == 1
    [report] = data["reports"]
    assert (report["consent_given"], report["mandatory_duty"], report["outcome"]) == (
        False,
        "minor",
        "pending",
    )
    assert AuditEntry.objects.filter(
        action="view", object_type="case", object_id=str(case.pk), actor=liaison, via="api"
    ).exists()


def test_reference_is_case_insensitive_and_an_unknown_case_is_404(advocate_client, case):
    assert advocate_client.get(_url(case).lower()).status_code == 200
    assert advocate_client.get("/api/v1/cases/US-2026-999999/referrals").status_code == 404


def test_restricted_case_is_refused_to_staff_not_named_on_it(advocate, supervisor, case):
    make_referral(case=case, by=advocate)
    cases.restrict_case(case=case, by=supervisor)
    outsider = make_user(Role.ADVOCATE)
    response = signed_in_client(outsider).get(_url(case))
    assert response.status_code == 403
    assert "Casa Amiga" not in response.content.decode()
    assert AuditEntry.objects.filter(action="access_denied", actor=outsider).exists()
    assert signed_in_client(supervisor).get(_url(case)).json()["referrals"]


def test_administrator_and_anonymous_callers_are_refused(administrator, client, case):
    assert client.get(_url(case)).status_code == 401
    response = signed_in_client(administrator).get(_url(case))
    assert response.status_code == 403
    assert "case.view" in response.json()["detail"]


def test_an_api_key_needs_the_case_view_scope(advocate, client, case):
    raw = ApiKey.generate_raw()
    ApiKey.objects.create(
        name="bridge",
        key_prefix=raw[:8],
        key_hash=ApiKey.digest(raw),
        scopes=["phone.lookup"],
        acting_user=advocate,
    )
    response = client.get(_url(case), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
