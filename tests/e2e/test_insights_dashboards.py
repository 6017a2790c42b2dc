"""The dashboards in headless Chromium: the vendored ECharts draws every chart (an SVG in
its box) from the page's numbers, and what it draws — read back from the ECharts
instance — holds the counts of the records made here, with the labels in the page's
language; the maps colour the right states; the pages pass axe-core and nothing scrolls
sideways on a 390 px phone; the numbers are one click away without JavaScript's help."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases.models import CaseLocation, Person
from tests.e2e.journeys import (
    DESKTOP,
    PHONE,
    Variant,
    check_page,
    sideways_overflow,
    signed_in_page,
    use_hotline,
)
from tests.factories import make_case, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = Variant("en", "US", "en-US", DESKTOP)
SPANISH = Variant("es", "MX", "es-MX", DESKTOP)
DASHBOARDS = [
    "/insights/dashboards/",
    "/insights/dashboards/cases/",
    "/insights/dashboards/places/",
    "/insights/dashboards/people/",
    "/insights/dashboards/referrals/",
]


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.clear()
    yield
    cache.clear()


def _hotline():
    """Three cases opened today: two of sex trafficking (one restricted) in Texas and
    Oaxaca, one of labour trafficking in Texas; two contacts; three potential victims."""
    sex = make_case(exploitation_type="sex", venues=["escort_services"])
    hidden = make_case(exploitation_type="sex", restricted=True)
    labour = make_case(exploitation_type="labour", venues=["construction"])
    for case, country, state in (
        (sex, "US", "US-TX"),
        (hidden, "MX", "MX-OAX"),
        (labour, "US", "US-TX"),
    ):
        CaseLocation.objects.create(case=case, kind="current", country=country, subdivision=state)
    for case, band in ((sex, "18-20"), (hidden, "9-17"), (labour, "30-38")):
        Person.objects.create(case=case, roles=["potential_victim"], age_band=band)
    make_contact(channel="phone", case=sex)
    make_contact(channel="sms")


def _drawn(page, slug: str) -> dict:
    """The option ECharts drew the chart with, once it has drawn it."""
    box = page.locator(f'[data-chart="chart-data-{slug}"]')
    expect(box).to_have_attribute("data-drawn", "true")
    expect(box.locator("svg").first).to_be_visible()
    return page.evaluate(
        """(slug) => {
          const box = document.querySelector(`[data-chart="chart-data-${slug}"]`);
          const option = echarts.getInstanceByDom(box).getOption();
          return {
            categories: (option.yAxis && option.yAxis[0].data) || (option.xAxis && option.xAxis[0].data) || [],
            series: option.series.map(s => ({name: s.name, data: s.data})),
          };
        }""",
        slug,
    )


def _bars(drawn: dict) -> dict:
    (series,) = drawn["series"]
    return {label: value for label, value in zip(drawn["categories"], series["data"], strict=True)}


@pytest.mark.parametrize(
    "variant,labels",
    [
        pytest.param(
            ENGLISH,
            {
                "sex": "Sex trafficking",
                "labour": "Labor trafficking",
                "escort": "Escort services",
                "phone": "Phone",
                "texas": "Texas",
            },
            id="en",
        ),
        pytest.param(
            SPANISH,
            {
                "sex": "Trata con fines de explotación sexual",
                "labour": "Trata con fines de explotación laboral",
                "escort": "Servicios de acompañantes",
                "phone": "Teléfono",
                "texas": "Texas",
            },
            id="es",
        ),
    ],
)
def test_the_charts_draw_the_records_counts_in_the_pages_language(
    request, browser, live_server, settings, assert_accessible, variant, labels
):
    use_hotline(settings, variant)
    _hotline()
    page = signed_in_page(request, browser, live_server, make_user(Role.ANALYST), variant)
    # The charts draw under the strict Content-Security-Policy: nothing refused.
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))

    page.goto(live_server.url + "/insights/dashboards/cases/")
    types = _bars(_drawn(page, "cases-by-type"))
    assert (types[labels["sex"]], types[labels["labour"]]) == (2, 1)  # restricted counted
    venues = _bars(_drawn(page, "cases-by-venue"))
    assert venues[labels["escort"]] == 1
    check_page(page, "cases dashboard", variant, assert_accessible)

    page.goto(live_server.url + "/insights/dashboards/")
    channels = _drawn(page, "contacts-by-channel")
    totals = {s["name"]: sum(s["data"]) for s in channels["series"]}
    assert totals[labels["phone"]] == 1 and sum(totals.values()) == 2
    check_page(page, "contacts dashboard", variant, assert_accessible)

    page.goto(live_server.url + "/insights/dashboards/places/")
    us_map = _drawn(page, "cases-map-us")
    (series,) = us_map["series"]
    drawn = {region["name"]: region["value"] for region in series["data"] if region["value"]}
    assert drawn == {"US-TX": 2}
    texas = next(r for r in series["data"] if r["name"] == "US-TX")
    assert texas["label"] == labels["texas"]
    (mexico,) = _drawn(page, "cases-map-mx")["series"]
    assert {r["name"]: r["value"] for r in mexico["data"] if r["value"]} == {"MX-OAX": 1}
    # The state's shape is drawn from the shipped boundary file (no tile server).
    assert page.locator('[data-chart="chart-data-cases-map-us"] svg path').count() > 50
    check_page(page, "places dashboard", variant, assert_accessible)
    assert refused == []


def test_the_numbers_are_one_click_away(request, browser, live_server, settings):
    use_hotline(settings, ENGLISH)
    _hotline()
    page = signed_in_page(request, browser, live_server, make_user(Role.SUPERVISOR), ENGLISH)
    page.goto(live_server.url + "/insights/dashboards/people/")
    card = page.locator('[data-testid="chart-victims-by-age"]')
    table = card.locator("table")
    expect(table).to_be_hidden()
    card.get_by_text("Show the numbers").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr", has_text="18–20")).to_contain_text("1")
    expect(table.locator("tfoot")).to_contain_text("3")


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_dashboard_scrolls_sideways_on_a_phone(
    request, browser, live_server, settings, language
):
    variant = Variant(language, "MX" if language == "es" else "US", f"{language}-US", PHONE)
    use_hotline(settings, variant)
    _hotline()
    page = signed_in_page(request, browser, live_server, make_user(Role.ANALYST), variant)
    for path in DASHBOARDS:
        page.goto(live_server.url + path)
        page.locator("[data-chart]").first.wait_for()
        expect(page.locator("[data-chart]").first).to_have_attribute("data-drawn", "true")
        # Open every table too: a phone reads them stacked, one card per row.
        for summary in page.locator("details.chart-numbers > summary").all():
            summary.click()
        assert sideways_overflow(page) == "", f"{path} ({language})"
