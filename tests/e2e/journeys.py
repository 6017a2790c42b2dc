"""What the staff journeys (test_journey_*.py) share: the four ways each is run — the
U.S. hotline in English and the Mexican hotline in Spanish, each on a 390 px phone and a
1366 px desktop — and the check made at every main page of a journey: no serious or
critical accessibility problem (axe-core), nothing scrolling sideways, and on the
Spanish line no English word or raw code in what the page shows or reads out."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import signed_in_client
from tests.core.test_spanish_everywhere import VisibleText, _codes, _written_by_people, problems_in
from tests.e2e.conftest import WAIT_MS
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@dataclass(frozen=True)
class Variant:
    """One way a journey is run: which hotline, in which language, on which screen."""

    language: str  # the interface language: "en" or "es"
    country: str  # the deployment: "US" (English) or "MX" (Spanish)
    locale: str  # what the browser asks for
    viewport: dict

    @property
    def spanish(self) -> bool:
        return self.language == "es"

    @property
    def phone(self) -> bool:
        return self.viewport["width"] < 640


VARIANTS = [
    pytest.param(Variant("en", "US", "en-US", DESKTOP), id="en-desktop"),
    pytest.param(Variant("en", "US", "en-US", PHONE), id="en-phone"),
    pytest.param(Variant("es", "MX", "es-MX", DESKTOP), id="es-desktop"),
    pytest.param(Variant("es", "MX", "es-MX", PHONE), id="es-phone"),
]


def use_hotline(settings, variant: Variant) -> None:
    """The deployment the variant runs against: the Mexican line is Spanish by default,
    on Mexico City's clock; the live server runs in this process and reads these too."""
    settings.PUENTE_COUNTRY = variant.country
    settings.LANGUAGE_CODE = variant.language
    settings.TIME_ZONE = "America/Mexico_City" if variant.country == "MX" else "America/Chicago"
    settings.PUENTE_HOTLINE_NAME = (
        "Línea Nacional contra la Trata de Personas"
        if variant.country == "MX"
        else "National Human Trafficking Hotline"
    )


def new_page(request, browser, variant: Variant):
    """A fresh browser (no session) asking for the variant's locale, at its size; closed
    when the test ends, whichever way it ends."""
    context = browser.new_context(locale=variant.locale, viewport=variant.viewport)
    request.addfinalizer(context.close)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    # Kept for the failure report (tests/e2e/conftest.py): what the page showed.
    request.node.puente_pages = [*getattr(request.node, "puente_pages", []), page]
    return page


def signed_in_page(request, browser, server, user, variant: Variant):
    """A browser already past the password and the second factor as `user` (the
    advocate's journey signs in by hand; the others start at work)."""
    page = new_page(request, browser, variant)
    client = signed_in_client(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": server.url,
            }
        ]
    )
    return page


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_mfa(page, server, *, username: str, device: TOTPDevice) -> None:
    page.goto(server.url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", current_code(device))
    page.click("main button[type=submit]")
    expect(page.locator("input[name=code]")).to_have_count(0)


def go_by_menu(page, href: str) -> None:
    """Follow a link of the main navigation as a person would: on a phone it is folded
    into the menu, and administration waits under "More"."""
    link = page.locator(f"header .mainnav a[href='{href}']")
    if not link.is_visible():
        menu = page.locator("header .navmenu > summary")
        if menu.is_visible():
            menu.click()
    if not link.is_visible():
        page.locator("header .moremenu summary").click()
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def sideways_overflow(page) -> str:
    """Empty when the page fits its window; else how wide it is and what sticks out."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth, scroll = document.documentElement.scrollWidth;
          if (scroll <= width) return '';
          const culprits = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 4)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : ''));
          return `${scroll}px wide in a ${width}px window: ${culprits.join(', ')}`;
        }"""
    )


def check_page(page, where: str, variant: Variant, assert_accessible) -> None:
    """The checks made at each main page of a journey (`assert_accessible` is the
    fixture of tests/e2e/conftest.py): no serious or critical axe-core violation, nothing
    wider than the window, and on the Spanish line nothing in English and no raw code."""
    # A form just sent may still be loading its answer: between two documents there is
    # no documentElement to measure (seen on a busy machine).
    page.wait_for_load_state("load")
    problems = []
    overflow = sideways_overflow(page)
    if overflow:
        problems.append(f"scrolls sideways: {overflow}")
    if variant.spanish:
        if page.locator("html").get_attribute("lang") != "es":
            problems.append("the page is not in Spanish (html lang)")
        problems += problems_in(
            VisibleText.of(page.content()),
            data=_written_by_people(),
            codes=_codes(),
        )
    where = f"{where} ({variant.language}, {variant.viewport['width']} px)"
    assert not problems, f"{where}:\n" + "\n".join(problems)
    assert_accessible(page, where)
