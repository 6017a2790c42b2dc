"""On a 390 px phone nothing scrolls sideways: for each role, every page its navigation
reaches, and a case, a contact, a directory search and search results, in English and
Spanish (longer words), in headless Chromium at 390×844. The same pages are checked for
serious or critical accessibility problems (axe-core) once, in English."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from puente.accounts.roles import Role
from puente.cases import domain as cases
from tests.conftest import signed_in_client
from tests.directory.conftest import make_provider
from tests.e2e.conftest import WAIT_MS, accessibility_problems
from tests.factories import make_case, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Long words and unbroken strings, as real records hold them: a narrative pasted from an
# e-mail, an online ad's address, a reference typed in a note.
LONG_TEXT = (
    "Caller read out the ad https://classifieds.example.com/listing/housekeeping-live-in-"
    "no-experience-needed-travel-paid-9981237712 and the e-mail recruiter.hiring.agency."
    "international@example.org; Supercalifragilisticexpialidocious-style run-on words."
)


def _data():
    """A small hotline: a case with a contact, a person and an identifier; a directory
    listing; enough for the case page, contact page, searches and home queues to show."""
    advocate = make_user(Role.ADVOCATE, first_name="Ana", last_name="López Villaseñor")
    case = make_case(
        created_by=advocate, title="Restaurant kitchen workers, Houston " + LONG_TEXT[:60]
    )
    cases.add_identifier(case=case, kind="phone", value="713-555-0142", by=advocate)
    contact = make_contact(
        phone="+17135550142", case=case, taken_by=advocate, summary=LONG_TEXT, imminent_danger=True
    )
    make_provider(name="Houston Area Anti-Trafficking Coalition and Survivor Services Network")
    return case, contact


def _sign_in(browser, live_server, user, language):
    """A phone-sized browser already signed in (password and MFA passed) as `user`."""
    client = signed_in_client(user)
    context = browser.new_context(locale="en-US", viewport=PHONE)
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


def _pages_for(page, live_server, case, contact) -> list[str]:
    """Every page the role's navigation links to (read from the header, so a new link is
    covered at once), plus the pages that show records."""
    home = reverse("core:home")
    page.goto(f"{live_server.url}{home}")
    links = page.eval_on_selector_all(
        "header .mainnav a[href]", "els => els.map(a => a.getAttribute('href'))"
    )
    paths = [home, *links]
    html = page.content()
    if "/cases/" in links:
        paths += [f"/cases/{case.reference}/", f"/intake/contacts/{contact.pk}/"]
    if 'role="search"' in html:
        paths += [
            "/search/?q=kitchen",
            "/search/?q=713-555-0142",
            f"/search/?q={case.reference}",
        ]
    if "/directory/" in links:
        paths.append("/directory/?need=case_management&near=Houston%2C+TX")
    seen: list[str] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return seen


def _overflow(page) -> dict | None:
    """None when the page fits; else how wide it is and the widest offenders."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth, scroll = document.documentElement.scrollWidth;
          if (scroll <= width) return null;
          const culprits = [...document.querySelectorAll('main *, header *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .filter(el => !el.closest('details:not([open]) > :not(summary)'))
            .slice(0, 4)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '') +
                       ' right=' + Math.round(el.getBoundingClientRect().right));
          return {scroll, width, culprits};
        }"""
    )


ROLES = [Role.ADVOCATE, Role.SUPERVISOR, Role.LIAISON, Role.ANALYST, Role.ADMINISTRATOR]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, language):
    case, contact = _data()
    problems = []
    visited = 0
    for role in ROLES:
        context, page = _sign_in(browser, live_server, make_user(role), language)
        try:
            for path in _pages_for(page, live_server, case, contact):
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status < 500, f"{role} {path}"
                assert page.locator("html").get_attribute("lang") == language
                visited += 1
                found = _overflow(page)
                if found:
                    problems.append(f"{role} {path}: {found}")
        finally:
            context.close()
    assert visited >= 25  # each role's navigation was really walked
    assert not problems, "Pages wider than a 390 px phone:\n" + "\n".join(problems)


def test_the_phone_menu_opens_and_lists_the_navigation(browser, live_server):
    make_case(created_by=make_user(Role.ADVOCATE))
    context, page = _sign_in(browser, live_server, make_user(Role.SUPERVISOR), "en")
    try:
        page.goto(f"{live_server.url}{reverse('core:home')}")
        nav_link = page.locator("header .mainnav a[href='/cases/']")
        assert not nav_link.is_visible()  # folded away on a phone
        page.click("header .navmenu > summary")
        assert nav_link.is_visible()
        assert _overflow(page) is None  # the open menu fits too
        page.keyboard.press("Escape")
        assert not nav_link.is_visible()
    finally:
        context.close()


def test_pages_have_no_serious_accessibility_problems_on_a_phone(browser, live_server):
    case, contact = _data()
    problems = []
    for role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        context, page = _sign_in(browser, live_server, make_user(role), "en")
        try:
            for path in _pages_for(page, live_server, case, contact):
                page.goto(f"{live_server.url}{path}")
                problems += [f"{role} {path}: {p}" for p in accessibility_problems(page)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)
