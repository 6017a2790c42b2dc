"""The demo's referrals and reports: every step of the workflow, seeded once."""

from __future__ import annotations

import pytest

from puente.accounts.models import User
from puente.audit.domain import verify_chain
from puente.cases.queries import persons_with_role_q
from puente.referrals.models import AuthorityReport, Referral
from puente.sampledata import demo as demo_hotline
from puente.sampledata.referrals import seed_demo_referrals

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PUENTE_DEMO = True
    settings.PUENTE_MFA_REQUIRED = False


@pytest.mark.parametrize("country", ["US", "MX"])
def test_demo_shows_referrals_at_every_step_and_a_mandatory_report(demo, settings, country):
    settings.PUENTE_COUNTRY = country
    demo_hotline.seed_demo_data(country=country)

    referrals = Referral.objects.select_related("case", "provider")
    statuses = set(referrals.values_list("status", flat=True))
    assert {"suggested", "made", "accepted", "connected", "unreachable", "closed"} <= statuses
    for referral in referrals:
        assert referral.case.reference.startswith(f"{country}-") and not referral.case.restricted
        assert referral.provider is None or referral.provider.external_id.startswith("DEMO-")
        assert referral.consent_given or referral.status == "suggested"
    # One referral to a provider the directory does not list.
    assert referrals.filter(provider__isnull=True).count() == 1
    assert referrals.filter(status="closed").exclude(outcome="").count() == 1

    reports = AuthorityReport.objects.all()
    assert reports.filter(consent_given=True, outcome="investigation_opened").count() == 1
    mandatory = reports.get(consent_given=False)
    assert mandatory.mandatory_duty == "minor" and mandatory.agency.kind == "child_welfare"
    assert mandatory.case.persons.filter(
        persons_with_role_q("potential_victim"), age_band__in=["9-17", "minor"]
    )
    assert verify_chain().ok


def test_seeding_twice_adds_nothing(demo):
    demo_hotline.seed_demo_data(country="US")
    count = Referral.objects.count()
    assert seed_demo_referrals(country="US", by=User.objects.get(username="advocate")) == 0
    assert Referral.objects.count() == count
