"""The rows behind every figure and the counts the charts draw (puente/insights/queries.py).

Each expected number is counted by hand from the records the test makes, never with the
query under test: a figure that drifts from the records fails here."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from puente.cases.models import Case, CaseLocation, Person
from puente.federation.models import CrossBorderReferral, PartnerHotline
from puente.insights import queries
from puente.insights.queries import InsightFilter
from puente.referrals.models import AuthorityReport, Referral
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")  # the test hotline's clock (settings.TIME_ZONE)
YEAR_2025 = InsightFilter(start=date(2025, 1, 1), end=date(2025, 12, 31))


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def case_opened(when: datetime, *, places=(), **fields) -> Case:
    case = make_case(opened_at=when, **fields)
    for country, subdivision in places:
        CaseLocation.objects.create(
            case=case, kind="Exploitation", country=country, subdivision=subdivision
        )
    return case


def victim(case: Case, **fields) -> Person:
    return Person.objects.create(case=case, roles=["potential_victim"], **fields)


# --- when ------------------------------------------------------------------------------------


def test_contacts_count_on_the_day_they_started_in_the_hotlines_time_zone(settings):
    settings.TIME_ZONE = "America/Chicago"
    make_contact(started_at=at(2024, 12, 31, 23, 59))  # the night before: 2024
    first = make_contact(started_at=at(2025, 1, 1, 0, 0))
    last = make_contact(started_at=at(2025, 12, 31, 23, 59))  # 05:59 UTC on 1 January 2026
    make_contact(started_at=at(2026, 1, 1, 0, 0))

    assert set(queries.contacts_in(YEAR_2025)) == {first, last}


def test_an_open_ended_filter_counts_all_years():
    old = make_contact(started_at=at(2011, 3, 1))
    new = make_contact(started_at=at(2025, 6, 1))

    assert set(queries.contacts_in(InsightFilter())) == {old, new}
    assert set(queries.contacts_in(InsightFilter(end=date(2020, 1, 1)))) == {old}
    assert set(queries.contacts_in(InsightFilter(start=date(2020, 1, 1)))) == {new}


def test_cases_count_on_the_day_they_were_opened():
    inside = case_opened(at(2025, 3, 10))
    case_opened(at(2024, 3, 10))

    assert list(queries.cases_in(YEAR_2025)) == [inside]


# --- where -------------------------------------------------------------------------------------


def test_a_contact_counts_where_the_signaler_was():
    houston = make_contact(started_at=at(2025, 5, 1), country="US", subdivision="US-TX")
    make_contact(started_at=at(2025, 5, 1), country="US", subdivision="US-CA")
    oaxaca = make_contact(started_at=at(2025, 5, 1), country="MX", subdivision="MX-OAX")

    texas = InsightFilter(start=date(2025, 1, 1), subdivision="US-TX", country="US")
    mexico = InsightFilter(start=date(2025, 1, 1), country="MX")
    assert list(queries.contacts_in(texas)) == [houston]
    assert list(queries.contacts_in(mexico)) == [oaxaca]


def test_a_case_counts_in_every_place_it_has_a_location_and_once_in_each():
    # Recruited in Oaxaca, exploited in two Texas towns.
    crossing = case_opened(
        at(2025, 2, 1), places=[("MX", "MX-OAX"), ("US", "US-TX"), ("US", "US-TX")]
    )
    local = case_opened(at(2025, 2, 1), places=[("US", "US-CA")])
    case_opened(at(2025, 2, 1))  # nowhere recorded

    assert list(queries.cases_in(InsightFilter(subdivision="US-TX"))) == [crossing]
    assert list(queries.cases_in(InsightFilter(country="MX"))) == [crossing]
    assert set(queries.cases_in(InsightFilter(country="US"))) == {crossing, local}
    assert queries.cases_by_subdivision(YEAR_2025) == {"MX-OAX": 1, "US-TX": 1, "US-CA": 1}
    assert queries.cases_by_country(YEAR_2025) == {"MX": 1, "US": 2}


def test_referrals_reports_and_victims_count_where_their_case_was(advocate):
    texas = case_opened(at(2025, 2, 1), places=[("US", "US-TX")])
    ohio = case_opened(at(2025, 2, 1), places=[("US", "US-OH")])
    for case in (texas, ohio):
        victim(case, age=30)
        Referral.objects.create(
            case=case, provider_name="Casa", service="legal", referred_on=date(2025, 3, 1)
        )
        AuthorityReport.objects.create(
            case=case,
            agency_name="Police",
            agency_type="local_police",
            method="phone",
            consent_given=True,
            reported_on=date(2025, 3, 1),
        )

    in_texas = InsightFilter(subdivision="US-TX")
    assert [r.case for r in queries.referrals_in(in_texas)] == [texas]
    assert [r.case for r in queries.reports_to_authorities_in(in_texas)] == [texas]
    assert [p.case for p in queries.potential_victims_in(in_texas)] == [texas]


# --- what -----------------------------------------------------------------------------------


def test_the_type_narrows_cases_and_everything_counted_through_them():
    labour = case_opened(
        at(2025, 4, 1), exploitation_type="labour", forms_of_exploitation=["ForcedLabour"]
    )
    sex = case_opened(
        at(2025, 4, 1), exploitation_type="sex", forms_of_exploitation=["SexualExploitation"]
    )
    about_labour = make_contact(started_at=at(2025, 4, 2), case=labour)
    make_contact(started_at=at(2025, 4, 2), case=sex)
    make_contact(started_at=at(2025, 4, 2))  # never filed in a case

    labour_only = InsightFilter(exploitation_type="labour")
    assert list(queries.cases_in(labour_only)) == [labour]
    assert list(queries.contacts_in(labour_only)) == [about_labour]
    assert list(queries.cases_in(InsightFilter(form_of_exploitation="SexualExploitation"))) == [sex]
    assert queries.contacts_in(InsightFilter()).count() == 3


def test_restricted_cases_are_counted_like_any_other():
    case_opened(at(2025, 4, 1), exploitation_type="sex", restricted=True)
    case_opened(at(2025, 4, 1), exploitation_type="sex")

    assert queries.cases_by_exploitation_type(YEAR_2025) == {"sex": 2}


# --- grouped counts --------------------------------------------------------------------------


def test_a_case_with_several_venues_counts_under_each_and_none_as_not_recorded():
    case_opened(at(2025, 1, 5), venues=["construction", "agriculture_animal_husbandry"])
    case_opened(at(2025, 1, 6), venues=["construction"])
    case_opened(at(2025, 1, 7))
    case_opened(at(2024, 1, 7), venues=["construction"])  # another year

    cases = queries.cases_in(YEAR_2025)
    assert queries.count_list_elements(cases, "venues") == {
        "construction": 2,
        "agriculture_animal_husbandry": 1,
    }
    assert queries.count_list_elements(cases, "venues", with_empty=True) == {
        "construction": 2,
        "agriculture_animal_husbandry": 1,
        "": 1,
    }
    assert queries.cases_by_venue(YEAR_2025) == {
        "construction": 2,
        "agriculture_animal_husbandry": 1,
    }


def test_status_level_and_type_come_from_one_grouped_count(django_assert_num_queries):
    case_opened(at(2025, 1, 5), exploitation_type="sex", level_of_indicators="high")
    case_opened(at(2025, 1, 6), exploitation_type="sex", level_of_indicators="high")
    case_opened(at(2025, 1, 7), exploitation_type="labour")

    with django_assert_num_queries(1):
        mix = queries.count_grouped(
            queries.cases_in(YEAR_2025), "exploitation_type", "level_of_indicators", "status"
        )
    assert mix == {("sex", "high", "new"): 2, ("labour", "", "new"): 1}


def test_contacts_per_month_channel_signaler_and_reason_in_one_query(
    settings, django_assert_num_queries
):
    settings.TIME_ZONE = "America/Chicago"
    make_contact(started_at=at(2025, 1, 31, 23, 30), channel="phone", reason="tip")
    make_contact(started_at=at(2025, 1, 3), channel="phone", reason="tip")
    make_contact(started_at=at(2025, 2, 1, 0, 30), channel="sms", reason="crisis")

    with django_assert_num_queries(1):
        rows = queries.contacts_over_time_by_kind(YEAR_2025, period="month")
    assert rows == {
        (date(2025, 1, 1), "phone", "community_member", "tip"): 2,
        (date(2025, 2, 1), "sms", "community_member", "crisis"): 1,
    }
    assert queries.contacts_over_time(YEAR_2025, by="channel", period="year") == [
        (date(2025, 1, 1), "phone", 2),
        (date(2025, 1, 1), "sms", 1),
    ]


@pytest.mark.parametrize("zone", ["America/Chicago", "America/Mexico_City", "America/Tijuana"])
def test_months_and_years_are_the_hotlines_own_at_every_edge(settings, zone):
    """SQLite finds a contact's month by itself rather than through Django's per-row Python
    function (queries._Month): a minute either side of every month's start, and either
    side of the clock changes, lands where the hotline's calendar says."""
    settings.TIME_ZONE = zone
    clock = ZoneInfo(zone)
    starts = [datetime(2025, month, 1, tzinfo=clock) for month in range(1, 13)]
    starts.append(datetime(2026, 1, 1, tzinfo=clock))
    changes = [datetime(2025, 3, 9, 2, tzinfo=clock), datetime(2025, 11, 2, 1, tzinfo=clock)]
    instants = [edge + timedelta(minutes=m) for edge in starts + changes for m in (-1, 0)]
    for instant in instants:
        make_contact(started_at=instant, channel="phone")

    def expected(first_of) -> list:
        counted = Counter(first_of(instant.astimezone(clock)) for instant in instants)
        return [(day, "phone", n) for day, n in sorted(counted.items())]

    everything = InsightFilter()
    assert queries.contacts_over_time(everything, by="channel", period="month") == expected(
        lambda local: date(local.year, local.month, 1)
    )
    assert queries.contacts_over_time(everything, by="channel", period="year") == expected(
        lambda local: date(local.year, 1, 1)
    )


def test_a_zone_other_than_the_hotlines_is_still_counted_in_that_zone(settings):
    """Only the hotline's own zone is the process's; any other goes through Django."""
    settings.TIME_ZONE = "America/Chicago"
    # 03:00 UTC on 1 February: still 31 January in Chicago.
    make_contact(started_at=datetime(2025, 2, 1, 3, tzinfo=ZoneInfo("UTC")))
    with timezone.override(ZoneInfo("Asia/Kolkata")):  # 08:30 on 1 February
        rows = queries.contacts_over_time(InsightFilter(), by="channel", period="month")
    assert [day for day, _channel, _n in rows] == [date(2025, 2, 1)]


def test_an_exact_age_is_counted_in_its_band_and_a_band_as_recorded():
    case = case_opened(at(2025, 1, 5))
    victim(case, age=16)
    victim(case, age_band="9-17")
    victim(case, age=52)
    victim(case, age_band="adult")
    victim(case)
    Person.objects.create(case=case, roles=["exploiter"], age=40)  # not a victim

    assert queries.potential_victims_by_age_band(YEAR_2025) == {
        "9-17": 2,
        "48+": 1,
        "adult": 1,
        "unknown": 1,
    }


def test_victims_by_gender_and_citizenship(django_assert_num_queries):
    case = case_opened(at(2025, 1, 5))
    victim(case, gender="Feminine", citizenship=["MX", "GT"])
    victim(case, gender="Feminine", citizenship=["MX"])
    victim(case, citizenship=[])
    Person.objects.create(case=case, roles=["signaler", "potential_victim"], gender="Masculine")

    assert queries.potential_victims_by_gender(YEAR_2025) == {"Feminine": 2, "Masculine": 1, "": 1}
    with django_assert_num_queries(1):
        citizenship = queries.potential_victims_by_citizenship(YEAR_2025)
    assert citizenship == {"MX": 2, "GT": 1, "": 2}


def test_reports_count_once_made_and_cross_border_referrals_once_let_out(supervisor):
    case = case_opened(at(2025, 1, 5))
    common = dict(
        case=case, agency_name="DIF", agency_type="child_welfare", method="phone",
        reported_on=date(2025, 2, 1),
    )  # fmt: skip
    AuthorityReport.objects.create(consent_given=True, outcome="investigation_opened", **common)
    AuthorityReport.objects.create(mandatory_duty="minor", approval="approved", **common)
    AuthorityReport.objects.create(mandatory_duty="minor", approval="pending", **common)
    AuthorityReport.objects.create(
        mandatory_duty="minor", approval="declined", approval_reason="Not needed", **common
    )
    partner = PartnerHotline.objects.create(name="Línea", country="MX", base_url="https://mx.test")
    sent = dict(
        partner=partner, case=case, consent_method="verbal", consent_recorded_at=timezone.now()
    )
    CrossBorderReferral.objects.create(direction="outgoing", status="accepted", **sent)
    CrossBorderReferral.objects.create(direction="outgoing", approval="pending", **sent)
    CrossBorderReferral.objects.create(direction="incoming", status="sent", **sent)

    assert queries.reports_to_authorities_by(YEAR_2025, by="outcome") == {
        "investigation_opened": 1,
        "pending": 1,
    }
    this_year = InsightFilter(start=timezone.localdate().replace(month=1, day=1))
    assert queries.cross_border_referrals_by_status(this_year) == {
        ("outgoing", "accepted"): 1,
        ("incoming", "sent"): 1,
    }
    assert queries.cross_border_referrals_in(this_year, direction="incoming").count() == 1


# --- which database --------------------------------------------------------------------------


def test_every_read_goes_to_the_database_it_is_given(settings):
    assert queries.contacts_in(YEAR_2025).db == "default"
    assert queries.cases_in(YEAR_2025, using="replica").db == "replica"
    settings.PUENTE_ANALYSIS_DATABASE = "replica"
    assert queries.analysis_database() == "replica"
    for rows in (
        queries.contacts_in(YEAR_2025),
        queries.cases_in(YEAR_2025),
        queries.referrals_in(YEAR_2025),
        queries.reports_to_authorities_in(YEAR_2025),
        queries.cross_border_referrals_in(YEAR_2025),
        queries.potential_victims_in(YEAR_2025),
    ):
        assert rows.db == "replica"


def test_months_while_they_stay_readable_years_beyond():
    today = date(2026, 6, 30)
    assert queries.period_for(InsightFilter(start=date(2025, 7, 1)), today=today) == "month"
    assert queries.period_for(InsightFilter(start=date(2023, 7, 1)), today=today) == "month"
    assert queries.period_for(InsightFilter(start=date(2020, 1, 1)), today=today) == "year"
    assert queries.period_for(InsightFilter(), today=today) == "year"


def test_victims_are_counted_alike_over_some_cases_or_all_of_them():
    # Narrowed, the role is tested inside the count; over every case, in WHERE.
    case = case_opened(at(2025, 1, 5))
    victim(case, gender="Feminine", age=16, citizenship=["MX"])
    victim(case, gender="Feminine", age=17, citizenship=[])
    Person.objects.create(case=case, roles=["exploiter"], gender="Masculine", citizenship=["US"])

    for f in (YEAR_2025, InsightFilter()):
        assert queries.potential_victims_by_age_band_and_gender(f) == {("9-17", "Feminine"): 2}
        assert queries.potential_victims_by_citizenship(f) == {"MX": 1, "": 1}


def test_a_code_listed_twice_on_one_record_still_counts_it_once():
    case = case_opened(at(2025, 1, 5))
    Case.objects.filter(pk=case.pk).update(venues=["construction", "construction"])

    assert queries.cases_by_venue(YEAR_2025) == {"construction": 1}
