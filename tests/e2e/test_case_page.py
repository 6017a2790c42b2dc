"""The case page in headless Chromium: its parts as keyboard-operable tabs that the
address opens, forms opened on demand, restriction only after a confirmation, and
nothing wider than a 390 px phone (the case page and the screening page)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases import domain
from puente.cases.models import Case
from tests.conftest import signed_in_client
from tests.e2e.conftest import WAIT_MS
from tests.factories import make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _signed_in(
    browser, live_server, user, *, viewport=None, locale="en-US", javascript=True, language="en"
):
    """A browser context carrying `user`'s session (password and MFA already passed) and
    the interface language they chose."""
    client = signed_in_client(user)
    context = browser.new_context(
        locale=locale,
        viewport=viewport or {"width": 1280, "height": 900},
        java_script_enabled=javascript,
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return context, page


def _busy_case(owner) -> Case:
    case = domain.open_case(
        by=owner,
        title="Restaurant kitchen workers whose documents were taken by the owner",
        imminent_danger=True,
        summary="Trabajadoras de cocina; el dueño guarda los pasaportes. " * 5,
    )
    person = domain.add_person(
        case=case, by=owner, role="potential_victim", first_name="Guadalupe", last_name="Hernández"
    )
    domain.add_identifier(
        case=case,
        person=person,
        kind="email",
        value="guadalupe.hernandez.trabajadora.cocina.restaurante@example.com",
        by=owner,
    )
    domain.add_location(
        case=case, kind="Exploitation", country="US", subdivision="US-TX", city="Houston", by=owner
    )
    domain.add_task(
        case=case, title="Call the shelter back", due_date=timezone.localdate(), by=owner
    )
    domain.add_note(case=case, body="Safe to call after 6 pm.", by=owner)
    make_contact(case=case, taken_by=owner, started_at=timezone.now())
    return case


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide"


def test_a_dismissed_confirmation_does_not_restrict_and_an_accepted_one_does(browser, live_server):
    supervisor = make_user(Role.SUPERVISOR, first_name="Sam", last_name="Supervisor")
    case = domain.open_case(by=make_user(Role.ADVOCATE), title="Farm")
    context, page = _signed_in(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/cases/{case.reference}/#access")
    button = page.get_by_role("button", name="Restrict this case")

    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    button.click()
    page.wait_for_timeout(500)  # a submission that slipped through would be on its way
    assert asked == ["Restrict this case? Only named staff will be able to open it."]
    case.refresh_from_db()
    assert not case.restricted

    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(page.locator("main")).to_contain_text("The case is now restricted.")
    case.refresh_from_db()
    assert case.restricted
    context.close()


def test_tabs_open_by_click_keyboard_and_address(browser, live_server):
    advocate = make_user(Role.ADVOCATE, first_name="Ana", last_name="López")
    case = _busy_case(advocate)
    context, page = _signed_in(browser, live_server, advocate)
    url = f"{live_server.url}/cases/{case.reference}/"

    page.goto(url)
    overview = page.locator("#overview")
    people = page.locator("#people")
    expect(overview).to_be_visible()
    expect(people).to_be_hidden()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("Safe to call after 6 pm.")

    # Keyboard: the selected tab takes focus; arrows move along the strip.
    tab = page.get_by_role("tab", name="Overview")
    expect(tab).to_have_attribute("aria-selected", "true")
    tab.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name=re.compile("People and businesses"))).to_be_focused()
    expect(people).to_be_visible()
    expect(overview).to_be_hidden()
    expect(page).to_have_url(re.compile("#people$"))
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Screening")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(overview).to_be_visible()

    # The address opens its part, including a part inside one (#notes).
    page.goto(url + "#locations")
    expect(page.locator("#locations [data-testid=location]")).to_be_visible()
    expect(overview).to_be_hidden()
    page.goto(url + "#notes")
    expect(page.locator("#tasks-and-notes")).to_be_visible()

    # A timeline entry takes the advocate to its part.
    page.goto(url)
    page.locator("[data-testid=timeline] a", has_text="Note").first.click()
    expect(page.locator("#notes")).to_be_visible()
    context.close()


def test_forms_open_on_demand_and_come_back_open_when_refused(browser, live_server):
    advocate = make_user(Role.ADVOCATE)
    case = _busy_case(advocate)
    context, page = _signed_in(browser, live_server, advocate)
    page.goto(f"{live_server.url}/cases/{case.reference}/#tasks-and-notes")
    title = page.locator("#tasks #id_title")
    expect(title).to_be_hidden()
    page.get_by_text("Add a task").click()
    expect(title).to_be_visible()
    title.fill("Ask the consulate about her passport")
    page.locator("#tasks button[type=submit]", has_text="Add task").click()
    expect(page.locator("#tasks")).to_contain_text("Ask the consulate about her passport")

    page.goto(f"{live_server.url}/cases/{case.reference}/#locations")
    page.get_by_text("Add a location").click()
    page.locator("#id_city").fill("Pasadena")
    page.locator("#id_country").select_option("MX")
    page.locator("#id_subdivision").select_option("US-TX")  # a Texan place in Mexico
    page.get_by_role("button", name="Add location").click()
    # Refused: the form is open again, in its part, with the error and the typed city.
    expect(page.locator("#id_city")).to_be_visible()
    expect(page.locator("#id_city")).to_have_value("Pasadena")
    expect(page.locator("#locations .errorlist")).to_be_visible()
    context.close()


def test_without_script_every_part_is_on_the_page(browser, live_server):
    advocate = make_user(Role.ADVOCATE)
    case = _busy_case(advocate)
    context, page = _signed_in(browser, live_server, advocate, javascript=False)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    for part in ("overview", "people", "locations", "tasks-and-notes", "screening"):
        expect(page.locator(f"#{part}")).to_be_visible()
    page.get_by_role("link", name="Locations", exact=True).click()
    expect(page).to_have_url(re.compile("#locations$"))
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_nothing_is_wider_than_a_phone(browser, live_server, language):
    supervisor = make_user(Role.SUPERVISOR)
    case = _busy_case(supervisor)
    context, page = _signed_in(browser, live_server, supervisor, viewport=PHONE, language=language)
    base = f"{live_server.url}/cases/{case.reference}/"
    for part in (
        "overview",
        "people",
        "locations",
        "tasks-and-notes",
        "referrals-and-reports",
        "screening",
        "access",
    ):
        page.goto(f"{base}#{part}")
        expect(page.locator(f"#{part}")).to_be_visible()
        for summary in page.locator(f"#{part} details > summary").all():
            summary.click()  # open forms are as wide as closed ones
        _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/screening/case/{case.reference}/")
    expect(page.locator("[data-testid=result-panel]")).to_be_visible()
    _no_sideways_scroll(page)
    context.close()


def test_screening_result_stays_in_view_beside_the_questions(browser, live_server):
    advocate = make_user(Role.ADVOCATE)
    case = _busy_case(advocate)
    context, page = _signed_in(browser, live_server, advocate)
    page.goto(f"{live_server.url}/screening/case/{case.reference}/")
    result = page.locator("[data-testid=result-panel]")
    questions = page.locator(".screening-questions")
    assert result.bounding_box()["x"] > questions.bounding_box()["x"] + 300  # beside, not below
    # Tick an indicator far down the list: the result is still on screen, and updated.
    last = page.locator("input[name=indicators]").last
    last.scroll_into_view_if_needed()
    for code in ["withholds_documents", "takes_earnings", "labour_no_pay", "false_promises"]:
        page.check(f"input[name=indicators][value={code}]")
    expect(page.locator("#screening-result")).to_contain_text("High")
    last.scroll_into_view_if_needed()
    expect(page.locator("#screening-result [data-testid=level]")).to_be_in_viewport()
    context.close()
