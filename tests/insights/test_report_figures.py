"""A report's figures are the records its rows say they count, in its period, and nothing
else: each expected number below is counted by hand from the records this file makes
(a January with records on both sides of its edges), never by the code under test."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.cases.models import Case
from puente.directory.models import Provider
from puente.federation.models import CrossBorderReferral, PartnerHotline
from puente.insights.queries import InsightFilter
from puente.insights.reports.definitions import current_definitions
from puente.insights.reports.figures import count_section, counted_records
from puente.referrals import domain as referrals
from puente.referrals.models import AuthorityReport, Referral
from tests.factories import make_case, make_contact, make_user

CHICAGO = ZoneInfo("America/Chicago")
JANUARY = InsightFilter(start=date(2026, 1, 1), end=date(2026, 1, 31))


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment on the hotline's clock (the default America/Chicago)."""
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def _opened(case: Case, when: datetime, **fields) -> Case:
    Case.objects.filter(pk=case.pk).update(created_at=when, **fields)
    case.refresh_from_db()
    return case


def build_january(*, supervisor=None) -> dict:
    """January 2026 at a small hotline, with a few records just outside it."""
    owner = make_user(Role.ADVOCATE)
    supervisor = supervisor or make_user(Role.SUPERVISOR)

    # Cases: A (sex, high, two venues, imminent danger), B (labor, restricted, owned by
    # the supervisor), C (nothing recorded yet), D (December: outside).
    a = _opened(
        make_case(created_by=owner, title="Escort ads"),
        at(2026, 1, 3),
        exploitation_type="sex",
        level_of_indicators="high",
        venues=["escort_services", "hotels_hospitality"],
        imminent_danger=True,
    )
    b = _opened(
        make_case(created_by=owner, title="Farm", owner=supervisor),
        at(2026, 1, 20),
        exploitation_type="labour",
        level_of_indicators="moderate",
        venues=["agriculture_animal_husbandry"],
    )
    cases.restrict_case(case=b, by=supervisor)
    c = _opened(make_case(created_by=owner, title="Unclear"), at(2026, 1, 25))
    d = _opened(
        make_case(created_by=owner, title="December"), at(2025, 12, 15), exploitation_type="sex"
    )

    # Potential victims: two in A (a minor, an adult of a known band), one in B, one in C
    # with nothing known, one in D (outside). An exploiter in A is not a victim.
    add = cases.add_person
    add(case=a, by=owner, role="potential_victim", age=16, gender="Feminine", citizenship=["US"])
    add(
        case=a,
        by=owner,
        role="potential_victim",
        age_band="24-26",
        gender="Masculine",
        citizenship=["MX"],
    )
    add(case=a, by=owner, role="exploiter", age=40, gender="Masculine", citizenship=["US"])
    add(
        case=b,
        by=supervisor,
        role="potential_victim",
        age=30,
        gender="Feminine",
        citizenship=["MX", "GT"],
    )
    add(case=c, by=owner, role="potential_victim", alias="Girl at the bus station")
    add(case=d, by=owner, role="potential_victim", age=10, gender="Feminine", citizenship=["US"])

    # Contacts: five in January (one in its last half hour), two just outside.
    make_contact(
        taken_by=owner,
        channel="phone",
        reason="tip",
        signaler_type="community_member",
        started_at=at(2026, 1, 5),
    )
    make_contact(
        taken_by=owner,
        channel="phone",
        reason="crisis",
        signaler_type="potential_victim",
        started_at=at(2026, 1, 31, 23, 30),
        case=a,
    )
    make_contact(
        taken_by=owner,
        channel="sms",
        reason="services",
        signaler_type="potential_victim",
        started_at=at(2026, 1, 10),
    )
    make_contact(
        taken_by=owner,
        channel="whatsapp",
        reason="tip",
        signaler_type="family_friend",
        started_at=at(2026, 1, 12),
    )
    make_contact(
        taken_by=owner,
        channel="chat",
        reason="general_info",
        signaler_type="unknown",
        started_at=at(2026, 1, 15),
        case=b,
    )
    make_contact(taken_by=owner, channel="phone", reason="tip", started_at=at(2025, 12, 31, 23, 30))
    make_contact(taken_by=owner, channel="email", reason="tip", started_at=at(2026, 2, 1, 0, 10))

    # Referrals: two emergency ones from A (in imminent danger), a shelter referral from C
    # (no danger recorded: not an emergency request), one from restricted B with services
    # received, one in December.
    def refer(case, service, on, by=owner):
        return referrals.record_referral(
            case=case,
            by=by,
            service=service,
            provider_name="Casa Esperanza",
            consent_given=True,
            consent_method="verbal",
            referred_on=on,
        )

    refer(a, "shelter_emergency_housing", date(2026, 1, 4))
    refer(a, "transportation", date(2026, 1, 5))
    refer(c, "shelter_emergency_housing", date(2026, 1, 26))
    served = refer(b, "legal", date(2026, 1, 21), by=supervisor)
    Referral.objects.filter(pk=served.pk).update(outcome="services_received")
    refer(d, "legal", date(2025, 12, 20))

    # Reports to the authorities: one to the police with consent (investigation opened),
    # one without consent waiting for a supervisor (not made: not counted), one to child
    # welfare from B.
    police = referrals.record_authority_report(
        case=a,
        by=owner,
        agency_name="Houston PD",
        agency_type="local_police",
        method="phone",
        consent_given=True,
        reported_on=date(2026, 1, 6),
    )
    AuthorityReport.objects.filter(pk=police.pk).update(outcome="investigation_opened")
    referrals.record_authority_report(
        case=a,
        by=owner,
        agency_name="FBI",
        agency_type="federal",
        method="phone",
        consent_given=False,
        mandatory_duty="imminent_danger",
        duty_note="Locked in.",
        reported_on=date(2026, 1, 7),
    )
    referrals.record_authority_report(
        case=b,
        by=supervisor,
        agency_name="DFPS",
        agency_type="child_welfare",
        method="phone",
        consent_given=True,
        reported_on=date(2026, 1, 23),
    )

    # Referral partners: two added in January (one since deactivated), one older, one
    # added in February.
    for name, added, active in [
        ("Refugio Norte", at(2026, 1, 10), True),
        ("Closed Shelter", at(2026, 1, 15), False),
        ("Legal Aid Houston", at(2025, 12, 1), True),
        ("February Clinic", at(2026, 2, 5), True),
    ]:
        provider = Provider.objects.create(name=name, country="US", active=active)
        Provider.objects.filter(pk=provider.pk).update(created_at=added)

    # Cross-border: one referral received from the partner in January.
    partner = PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )
    received = CrossBorderReferral.objects.create(
        direction="incoming",
        partner=partner,
        summary="Necesita refugio.",
        consent_method="verbal",
        consent_recorded_at=timezone.now(),
    )
    CrossBorderReferral.objects.filter(pk=received.pk).update(created_at=at(2026, 1, 18))
    return {"a": a, "b": b, "c": c, "d": d, "owner": owner, "supervisor": supervisor}


# Counted by hand from build_january.
EXPECTED = {
    "emergency_shelter": 1,
    "emergency_extraction": 0,
    "emergency_transportation": 1,
    "individual_referrals": 4,
    "partners_added": 2,
    "partners_in_directory": 2,
    "cases_opened": 3,
    "cases_sex": 1,
    "cases_labour": 1,
    "cases_sex_and_labour": 0,
    "cases_other_type": 0,
    "cases_type_not_specified": 1,
    "cases_high": 1,
    "cases_moderate": 1,
    "cases_low": 0,
    "cases_no_indicators": 1,
    "cases_imminent_danger": 1,
    "venue_escort_services": 1,
    "venue_hotels": 1,
    "venue_agriculture": 1,
    "venue_domestic_work": 0,
    "venue_not_recorded": 1,
    "signals_total": 5,
    "signals_phone": 2,
    "signals_text": 2,
    "signals_chat": 1,
    "signals_webform": 0,
    "signals_email": 0,
    "signals_crisis": 1,
    "signals_tip": 2,
    "signals_services": 1,
    "signals_general_info": 1,
    "signals_from_victims": 2,
    "referrals_made": 4,
    "referrals_services_received": 1,
    "referrals_no_outcome": 3,
    "reports_made": 2,
    "reports_law_enforcement": 1,
    "reports_child_welfare": 1,
    "reports_without_consent": 0,
    "reports_investigation_opened": 1,
    "reports_pending": 1,
    "cross_border_sent": 0,
    "cross_border_received": 1,
    "victims_total": 4,
    "victims_minors": 1,
    "victims_adults": 2,
    "victims_age_unknown": 1,
    "victims_female": 2,
    "victims_male": 1,
    "victims_gender_unknown": 1,
    "victims_citizens": 1,
    "victims_foreign_nationals": 2,
    "victims_citizenship_unknown": 1,
}


@pytest.fixture
def january(db):
    return build_january()


def _all_counts() -> dict[str, int]:
    definitions = current_definitions()
    counts: dict[str, int] = {}
    for section in definitions.sections.values():
        counts.update(count_section(section=section, f=JANUARY, using="default"))
    return counts


def test_every_figure_counts_what_its_row_says(january):
    counts = _all_counts()
    assert {code: counts[code] for code in EXPECTED} == EXPECTED


def test_every_row_of_the_shipped_definitions_is_counted(january):
    definitions = current_definitions()
    rows = {row.code for section in definitions.sections.values() for row in section.rows}
    assert set(_all_counts()) == rows


def test_restricted_cases_are_counted_like_any_other(january):
    # Case B is restricted: its labor type, its victim and its referral all count.
    counts = _all_counts()
    assert counts["cases_labour"] == 1
    assert counts["referrals_services_received"] == 1


def test_each_section_is_one_query_per_kind_of_record(january, django_assert_num_queries):
    demographics = current_definitions().sections["demographics"]
    with django_assert_num_queries(1):
        count_section(section=demographics, f=JANUARY, using="default")
    referral_data = current_definitions().sections["referral_report_outcome"]
    # Referrals, reports to the authorities, cross-border referrals.
    with django_assert_num_queries(3):
        count_section(section=referral_data, f=JANUARY, using="default")


def test_the_records_behind_a_figure_are_those_counted(january):
    row = next(
        r for r in current_definitions().sections["case_level"].rows if r.code == "cases_opened"
    )
    references = set(
        counted_records(row=row, f=JANUARY, using="default").values_list("reference", flat=True)
    )
    assert references == {january["a"].reference, january["b"].reference, january["c"].reference}


def test_a_contact_in_the_last_half_hour_of_the_month_counts_in_that_month(january):
    row = next(
        r for r in current_definitions().sections["signals"].rows if r.code == "signals_crisis"
    )
    started = counted_records(row=row, f=JANUARY, using="default").get().started_at
    assert timezone.localtime(started) == at(2026, 1, 31, 23, 30)
    assert timezone.localtime(started) + timedelta(minutes=30) == at(2026, 2, 1, 0, 0)
