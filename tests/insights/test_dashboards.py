"""The dashboards (/insights/dashboards/…): who may open them, that every chart's numbers
are the records' counts (counted by hand here from the records the test makes), that
the filter narrows them, that each chart downloads as the CSV of the same numbers, that
opening one is audited, and that a dashboard shows counts, never a person."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Case, CaseLocation, Person
from puente.federation.models import CrossBorderReferral, PartnerHotline
from puente.referrals.models import AuthorityReport, Referral
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}
DASHBOARDS = {
    "contacts": "/insights/dashboards/",
    "cases": "/insights/dashboards/cases/",
    "places": "/insights/dashboards/places/",
    "people": "/insights/dashboards/people/",
    "referrals": "/insights/dashboards/referrals/",
}


@pytest.fixture(autouse=True)
def _fresh_figures():
    # Figures are cached for a few minutes; each test counts its own records.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def analyst_client(analyst):
    return signed_in_client(analyst)


def at(year, month, day, hour=12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHICAGO)


def chart_data(response, slug: str) -> dict:
    """The numbers a chart is drawn from, as the page hands them to the browser."""
    html = response.content.decode()
    found = re.search(
        rf'<script id="chart-data-{re.escape(slug)}" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    assert found, f"no data for chart {slug}"
    return json.loads(found.group(1))


def bars(response, slug: str) -> dict[str, int]:
    """{label: count} of a one-series bar chart."""
    data = chart_data(response, slug)
    (series,) = data["series"]
    return dict(zip(data["categories"], series["data"], strict=True))


def csv_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


# --- who may open them ------------------------------------------------------------------------


@pytest.mark.parametrize("url", DASHBOARDS.values())
def test_analysts_and_supervisors_open_the_dashboards_advocates_do_not(url, supervisor, advocate):
    for role_client in (signed_in_client(make_user(Role.ANALYST)), signed_in_client(supervisor)):
        assert role_client.get(url).status_code == 200
    assert signed_in_client(advocate).get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_csv_is_refused_as_the_dashboard_is(advocate, analyst_client):
    url = reverse("insights:dashboard_csv", args=["cases-by-type"])
    assert analyst_client.get(url).status_code == 200
    assert signed_in_client(advocate).get(url).status_code == 403
    assert signed_in_client(make_user(Role.LIAISON)).get(url).status_code == 403


def test_an_analyst_no_longer_reads_case_files_contacts_or_search(analyst_client):
    case = make_case(title="Nail salon workers")
    contact = make_contact(case=case)
    assert analyst_client.get(f"/cases/{case.reference}/").status_code == 403
    assert analyst_client.get(f"/intake/contacts/{contact.pk}/").status_code == 403
    assert analyst_client.get("/search/", {"q": "salon"}).status_code == 403


# --- the numbers ----------------------------------------------------------------------------


def test_cases_dashboard_counts_each_chart_from_the_records(analyst_client):
    def opened(**fields):
        return make_case(opened_at=at(2025, 3, 1), **fields)

    opened(
        exploitation_type="sex",
        level_of_indicators="high",
        venues=["escort_services"],
        forms_of_exploitation=["SexualExploitation"],
    )
    opened(
        exploitation_type="sex",
        level_of_indicators="high",
        venues=["escort_services", "hotels_hospitality"],
        restricted=True,
    )
    opened(
        exploitation_type="labour",
        level_of_indicators="moderate",
        venues=["construction"],
        forms_of_exploitation=["ForcedLabour", "Servitude"],
    )
    opened(exploitation_type="labour")
    make_case(opened_at=at(2024, 3, 1), exploitation_type="labour")  # another year
    Case.objects.filter(exploitation_type="labour", level_of_indicators="").update(
        status="active"
    )  # fmt: skip

    page = analyst_client.get(DASHBOARDS["cases"], YEAR_2025)

    assert page.status_code == 200
    assert bars(page, "cases-by-type") == {
        "Sex trafficking": 2,  # the restricted case counts too
        "Labor trafficking": 2,
        "Sex and labor trafficking": 0,
        "Other forms of exploitation": 0,
        "Not specified": 0,
    }
    assert bars(page, "cases-by-venue") == {
        "Escort services": 2,
        "Construction": 1,
        "Hotels and hospitality": 1,
        "Not recorded": 1,
    }
    assert bars(page, "cases-by-form") == {
        "Forced labor": 1,
        "Servitude": 1,
        "Sexual exploitation": 1,
        "Not recorded": 2,
    }
    assert bars(page, "cases-by-level") == {
        "High": 2,
        "Moderate": 1,
        "Low": 0,
        "None": 0,
        "Not assessed": 1,
    }
    assert bars(page, "cases-by-status") == {
        "New": 3,
        "Active": 1,
        "Referred": 0,
        "Monitoring": 0,
        "Closed": 0,
    }
    assert "cases-by-mx-form" not in page.content.decode()  # Mexico's frame: Mexican line


def test_contacts_dashboard_draws_every_month_of_the_period_by_channel(analyst_client, settings):
    settings.TIME_ZONE = "America/Chicago"
    make_contact(started_at=at(2025, 1, 31, 23), channel="phone", reason="tip")
    make_contact(started_at=at(2025, 1, 2), channel="sms", reason="")
    make_contact(started_at=at(2025, 3, 15), channel="phone", signaler_type="potential_victim")

    page = analyst_client.get(DASHBOARDS["contacts"], {"start": "2025-01-01", "end": "2025-04-30"})

    channels = chart_data(page, "contacts-by-channel")
    assert channels["categories"] == ["January 2025", "February 2025", "March 2025", "April 2025"]
    assert [(s["name"], s["data"]) for s in channels["series"]] == [
        ("Phone", [1, 0, 1, 0]),
        ("SMS / text", [1, 0, 0, 0]),
    ]
    reasons = chart_data(page, "contacts-by-reason")
    assert [(s["name"], s["data"]) for s in reasons["series"]] == [
        ("Tip", [1, 0, 1, 0]),
        ("Not yet recorded", [1, 0, 0, 0]),
    ]
    signalers = chart_data(page, "contacts-by-signaler")
    assert [(s["name"], sum(s["data"])) for s in signalers["series"]] == [
        ("Potential victim", 1),
        ("Community member", 2),
    ]
    assert re.search(r'data-testid="headline"><strong>3</strong> Contacts', page.content.decode())


def test_places_dashboard_maps_cases_by_state_code(analyst_client):
    crossing = make_case(opened_at=at(2025, 5, 1))
    for country, state in (("MX", "MX-OAX"), ("US", "US-TX"), ("US", "US-TX")):
        CaseLocation.objects.create(
            case=crossing, kind="Exploitation", country=country, subdivision=state
        )
    other = make_case(opened_at=at(2025, 5, 1))
    CaseLocation.objects.create(case=other, kind="current", country="US", subdivision="US-TX")
    CaseLocation.objects.create(case=other, kind="Recruitment", country="GT")

    page = analyst_client.get(DASHBOARDS["places"], YEAR_2025)

    us = chart_data(page, "cases-map-us")
    assert us["map"] == "US"
    counted = {r["name"]: r["value"] for r in us["regions"] if r["value"]}
    assert counted == {"US-TX": 2}
    assert {r["name"]: r["label"] for r in us["regions"]}["US-TX"] == "Texas"
    assert len(us["regions"]) == 57  # every state, DC and territory: a zero is shown as zero
    mx = chart_data(page, "cases-map-mx")
    assert {r["name"]: r["value"] for r in mx["regions"] if r["value"]} == {"MX-OAX": 1}
    assert len(mx["regions"]) == 32
    assert bars(page, "cases-by-country") == {"United States": 2, "Guatemala": 1, "Mexico": 1}


def test_people_dashboard_counts_potential_victims_only(analyst_client):
    case = make_case(opened_at=at(2025, 6, 1))
    Person.objects.create(
        case=case, roles=["potential_victim"], age=16, gender="Feminine", citizenship=["MX", "GT"]
    )
    Person.objects.create(
        case=case,
        roles=["potential_victim"],
        age_band="30-38",
        gender="Feminine",
        citizenship=["MX"],
    )
    Person.objects.create(case=case, roles=["potential_victim", "signaler"], gender="Masculine")
    Person.objects.create(case=case, roles=["exploiter"], age=45, gender="Masculine",
                          citizenship=["US"])  # fmt: skip

    page = analyst_client.get(DASHBOARDS["people"], YEAR_2025)

    assert bars(page, "victims-by-age") == {"9–17": 1, "30–38": 1, "Unknown": 1}
    assert bars(page, "victims-by-gender") == {
        "Female": 2,
        "Male": 1,
        "Transgender female": 0,
        "Transgender male": 0,
        "Gender non-conforming": 0,
        "Not specified / unknown": 0,
    }
    assert bars(page, "victims-by-citizenship") == {"Mexico": 2, "Guatemala": 1, "Not recorded": 1}


def test_referrals_dashboard_counts_referrals_reports_and_cross_border(analyst_client):
    case = make_case(opened_at=at(2025, 1, 10))
    for status, outcome in (("made", ""), ("closed", "services_received"), ("connected", "")):
        Referral.objects.create(
            case=case,
            provider_name="Casa",
            service="legal",
            status=status,
            outcome=outcome,
            referred_on=date(2025, 2, 1),
        )
    Referral.objects.create(
        case=case, provider_name="Casa", service="legal", referred_on=date(2024, 2, 1)
    )  # another year
    report = dict(
        case=case,
        agency_name="FBI",
        agency_type="federal",
        method="phone",
        reported_on=date(2025, 2, 2),
    )
    AuthorityReport.objects.create(consent_given=True, outcome="investigation_opened", **report)
    AuthorityReport.objects.create(mandatory_duty="minor", approval="pending", **report)
    partner = PartnerHotline.objects.create(name="Línea", country="MX", base_url="https://mx.test")
    CrossBorderReferral.objects.create(
        direction="outgoing", status="accepted", partner=partner, case=case,
        consent_method="verbal", consent_recorded_at=timezone.now(),
    )  # fmt: skip
    CrossBorderReferral.objects.filter(case=case).update(created_at=at(2025, 2, 3))

    page = analyst_client.get(DASHBOARDS["referrals"], YEAR_2025)

    statuses = bars(page, "referrals-by-status")
    assert (statuses["Referral made"], statuses["Connected: services received"]) == (1, 1)
    assert statuses["Closed"] == 1 and sum(statuses.values()) == 3
    outcomes = bars(page, "referrals-by-outcome")
    assert outcomes["Services received"] == 1 and outcomes["No outcome yet"] == 2
    assert bars(page, "reports-by-outcome")["Investigation opened"] == 1
    assert sum(bars(page, "reports-by-outcome").values()) == 1  # not the one awaiting approval
    assert bars(page, "reports-by-agency")["Federal law enforcement or prosecutor"] == 1
    cross = chart_data(page, "cross-border-by-status")
    assert [(s["name"], s["data"]) for s in cross["series"]] == [
        ("Sent to the partner", [0, 1, 0, 0, 0, 0]),
        ("Received from the partner", [0, 0, 0, 0, 0, 0]),
    ]


# --- the filter -----------------------------------------------------------------------------


def test_place_and_type_narrow_every_figure(analyst_client):
    texas_sex = make_case(opened_at=at(2025, 3, 1), exploitation_type="sex")
    CaseLocation.objects.create(case=texas_sex, kind="current", country="US", subdivision="US-TX")
    texas_labour = make_case(opened_at=at(2025, 3, 1), exploitation_type="labour")
    CaseLocation.objects.create(
        case=texas_labour, kind="current", country="US", subdivision="US-TX"
    )
    ohio_sex = make_case(opened_at=at(2025, 3, 1), exploitation_type="sex")
    CaseLocation.objects.create(case=ohio_sex, kind="current", country="US", subdivision="US-OH")

    def types(**narrowing):
        page = analyst_client.get(DASHBOARDS["cases"], {**YEAR_2025, **narrowing})
        return {k: v for k, v in bars(page, "cases-by-type").items() if v}

    assert types() == {"Sex trafficking": 2, "Labor trafficking": 1}
    assert types(state="US-TX") == {"Sex trafficking": 1, "Labor trafficking": 1}
    assert types(country="US", state="US-OH") == {"Sex trafficking": 1}
    assert types(exploitation_type="sex", state="US-TX") == {"Sex trafficking": 1}
    assert types(country="MX") == {}


def test_the_default_is_the_last_twelve_months_written_into_the_form(analyst_client):
    today = timezone.localdate()
    make_contact(started_at=timezone.now() - timedelta(days=30))
    make_contact(started_at=timezone.now() - timedelta(days=400))

    page = analyst_client.get(DASHBOARDS["contacts"])

    html = page.content.decode()
    a_year_ago = today.replace(year=today.year - 1) + timedelta(days=1)
    assert f'name="start" value="{a_year_ago.isoformat()}"' in html
    assert f'name="end" value="{today.isoformat()}"' in html
    assert re.search(r'data-testid="headline"><strong>1</strong>', html)
    everything = analyst_client.get(DASHBOARDS["contacts"], {"all_years": "on"})
    assert re.search(r'data-testid="headline"><strong>2</strong>', everything.content.decode())


def test_the_tabs_and_the_csv_links_keep_the_filter(analyst_client):
    page = analyst_client.get(DASHBOARDS["cases"], {**YEAR_2025, "state": "US-TX", "page": "9"})
    html = page.content.decode()
    kept = "start=2025-01-01&amp;end=2025-12-31&amp;state=US-TX"
    assert f'href="/insights/dashboards/places/?{kept}"' in html
    assert f'href="/insights/dashboards/csv/cases-by-type/?{kept}"' in html
    assert not re.search(r'href="/insights/[^"]*page=9', html)


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"start": "2025-13-01"}, "Enter a valid date."),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "The end date is before the start date."),
        ({"country": "MX", "state": "US-TX"}, "This state is not in the country chosen."),
        ({"state": "XX-YY"}, "Select a valid choice."),
        ({"exploitation_type": "slavery"}, "Select a valid choice."),
        ({"start": "1850-01-01"}, "Choose a date between 1990 and next year."),
    ],
)
def test_a_wrong_filter_is_a_form_error_never_a_crash(analyst_client, bad, message):
    page = analyst_client.get(DASHBOARDS["cases"], bad)
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert "Correct the filter to see the figures." in html
    assert "chart-data-" not in html
    csv_response = analyst_client.get(
        reverse("insights:dashboard_csv", args=["cases-by-type"]), bad
    )
    assert csv_response.status_code == 400


# --- CSV --------------------------------------------------------------------------------------


def test_a_chart_downloads_as_csv_with_the_same_numbers(analyst_client):
    make_case(opened_at=at(2025, 3, 1), exploitation_type="sex")
    make_case(opened_at=at(2025, 3, 1), exploitation_type="sex")
    make_case(opened_at=at(2025, 3, 1), exploitation_type="other")

    response = analyst_client.get(
        reverse("insights:dashboard_csv", args=["cases-by-type"]), YEAR_2025
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="cases-by-type_2025-01-01_2025-12-31.csv"'
    )
    assert csv_of(response) == (
        "\ufeffType of trafficking,Cases\r\n"
        "Sex trafficking,2\r\n"
        "Labor trafficking,0\r\n"
        "Sex and labor trafficking,0\r\n"
        "Other forms of exploitation,1\r\n"
        "Not specified,0\r\n"
        "Total,3\r\n"
    )


def test_a_time_chart_csv_has_iso_months_a_column_per_series_and_totals(analyst_client, settings):
    settings.TIME_ZONE = "America/Chicago"
    make_contact(started_at=at(2025, 1, 5), channel="phone")
    make_contact(started_at=at(2025, 3, 5), channel="phone")
    make_contact(started_at=at(2025, 3, 6), channel="email")

    response = analyst_client.get(
        reverse("insights:dashboard_csv", args=["contacts-by-channel"]),
        {"start": "2025-01-01", "end": "2025-03-31"},
    )

    assert csv_of(response) == (
        "\ufeffMonth,Phone,Email,Total\r\n"
        "2025-01,1,0,1\r\n"
        "2025-02,0,0,0\r\n"
        "2025-03,1,1,2\r\n"
        "Total,2,1,3\r\n"
    )


def test_the_csv_speaks_spanish_with_its_accents_intact(analyst_client):
    make_case(opened_at=at(2025, 3, 1), exploitation_type="labour", level_of_indicators="")
    analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = analyst_client.get(
        reverse("insights:dashboard_csv", args=["cases-by-level"]), YEAR_2025
    )

    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel looks for
    text = body.decode("utf-8")
    assert text.splitlines()[0] == "\ufeffNivel de indicadores,Casos"
    assert "Sin evaluar,1" in text
    assert text.splitlines()[-1] == "Total,1"


def test_an_unknown_chart_is_not_found(analyst_client):
    assert analyst_client.get("/insights/dashboards/csv/no-such-chart/").status_code == 404
    # Mexico's legal frame is charted on the Mexican line only.
    assert analyst_client.get("/insights/dashboards/csv/cases-by-mx-form/").status_code == 404


# --- audit ------------------------------------------------------------------------------------


def test_opening_a_dashboard_and_downloading_a_chart_are_in_the_audit_trail(
    analyst, analyst_client
):
    analyst_client.get(DASHBOARDS["places"], {**YEAR_2025, "state": "MX-OAX"})
    analyst_client.get(
        reverse("insights:dashboard_csv", args=["cases-map-mx"]), {"all_years": "on"}
    )

    viewed, exported = AuditEntry.objects.filter(actor=analyst).order_by("id")
    assert (viewed.action, viewed.object_type) == ("view", "dashboard")
    assert viewed.reason == (
        "dashboard=places&start=2025-01-01&end=2025-12-31&country=MX&state=MX-OAX"
    )
    assert (exported.action, exported.object_type) == ("export", "dashboard")
    assert exported.reason == "chart=cases-map-mx&all_years=on"


def test_the_audit_trail_reads_a_dashboard_entry_in_words(analyst, supervisor):
    signed_in_client(analyst).get(DASHBOARDS["cases"], {**YEAR_2025, "exploitation_type": "sex"})

    page = signed_in_client(supervisor).get("/audit/", {"actor": analyst.username})

    html = page.content.decode()
    assert (
        "Dashboard: Cases · From: 01/01/2025 · To: 12/31/2025 · Type of trafficking: Sex "
        "trafficking"
    ) in html


# --- nothing personal, and fast ----------------------------------------------------------------


def test_no_dashboard_shows_a_name_a_title_a_reference_or_a_narrative(analyst_client):
    case = make_case(opened_at=at(2025, 3, 1), title="Rosa at the Maple Street salon",
                     summary="Rosa's boss keeps her passport")  # fmt: skip
    Person.objects.create(case=case, roles=["potential_victim"], first_name="Rosa",
                          last_name="Quintanilla", age=19)  # fmt: skip
    make_contact(started_at=at(2025, 3, 1), case=case, summary="Quintanilla called from Maple",
                 phone="+17135550142")  # fmt: skip

    for url in DASHBOARDS.values():
        html = analyst_client.get(url, YEAR_2025).content.decode()
        for personal in ("Rosa", "Quintanilla", "Maple", "passport", case.reference, "555"):
            assert personal not in html, (url, personal)


@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_a_dashboard_is_the_same_handful_of_queries_for_few_or_many_records(
    dashboard, analyst_client, django_assert_max_num_queries
):
    def fill(n):
        for i in range(n):
            case = make_case(opened_at=at(2025, 2, 1 + i), exploitation_type="sex",
                             venues=["bars_strip_clubs_cantinas"])  # fmt: skip
            CaseLocation.objects.create(case=case, kind="current", country="US",
                                        subdivision="US-TX")  # fmt: skip
            Person.objects.create(case=case, roles=["potential_victim"], citizenship=["MX"])
            make_contact(started_at=at(2025, 2, 1 + i), case=case)

    def queries_for_page() -> int:
        cache.clear()
        analyst_client.get(DASHBOARDS[dashboard], YEAR_2025)  # the session, warmed
        cache.clear()
        with django_assert_max_num_queries(14) as captured:
            page = analyst_client.get(DASHBOARDS[dashboard], YEAR_2025)
        assert page.status_code == 200
        return len(captured)

    fill(1)
    one = queries_for_page()
    fill(3)
    assert queries_for_page() == one


def test_a_dashboard_read_again_within_minutes_is_not_counted_again(
    analyst_client, django_assert_max_num_queries
):
    make_case(opened_at=at(2025, 3, 1))
    analyst_client.get(DASHBOARDS["cases"], YEAR_2025)
    with django_assert_max_num_queries(100) as first:
        analyst_client.get(DASHBOARDS["cases"], YEAR_2025)
    cache.clear()
    with django_assert_max_num_queries(100) as fresh:
        analyst_client.get(DASHBOARDS["cases"], YEAR_2025)
    # The cases dashboard asks the database three times (types, levels and statuses
    # together; forms; venues): those three are what the cache saves.
    assert len(fresh) - len(first) == 3


# --- where they are found ----------------------------------------------------------------------


def test_home_and_the_navigation_lead_to_the_dashboards_for_those_who_may_open_them(
    analyst_client, advocate
):
    home = analyst_client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-dashboards"' in home
    assert 'href="/insights/dashboards/cases/"' in home
    assert '<a href="/insights/dashboards/"' in home  # the navigation's link
    theirs = signed_in_client(advocate).get(reverse("core:home")).content.decode()
    assert "/insights/dashboards/" not in theirs


def test_the_dashboards_read_in_spanish(analyst_client):
    make_case(opened_at=at(2025, 3, 1), exploitation_type="sex")
    analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = analyst_client.get(DASHBOARDS["cases"], YEAR_2025)

    html = page.content.decode()
    assert '<html lang="es">' in html
    assert bars(page, "cases-by-type")["Trata con fines de explotación sexual"] == 1
    assert "Mostrar las cifras" in html and "Descargar CSV" in html
