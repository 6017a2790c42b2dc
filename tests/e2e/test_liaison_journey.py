"""The cross-border referral in two browsers: a U.S. liaison (in English) sends a
survivor's referral from a case; the Mexican liaison (in Spanish, on a separate Puente)
finds it in the incoming queue, accepts it, opens a local case and reports contact; the
U.S. case shows Mexico's progress."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.federation.two_hotlines import two_hotlines

pytestmark = [pytest.mark.browser, pytest.mark.two_hotlines]

PASSWORD = "puente-demo-2026"  # the demo's password (puente.sampledata.demo)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with two_hotlines(tmp_path_factory.mktemp("pair-e2e")) as running:
        yield running


def _sign_in(browser, url: str, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", "liaison")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return context, page


def _reload_until(page, locator: str, text: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        if text in page.locator(locator).inner_text():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared in {locator} at {page.url}")
        time.sleep(0.5)


def test_a_liaison_refers_a_survivor_across_the_border_and_sees_the_answer(browser, pair):
    us, mx, _wire = pair
    reference = us.rows(
        "SELECT reference FROM cases_case WHERE restricted = %s ORDER BY id LIMIT 1", (False,)
    )[0][0]

    # United States, in English: refer from the case, with consent, sharing little.
    us_context, us_page = _sign_in(browser, us.side.url, "en-US")
    us_page.goto(f"{us.side.url}/cases/{reference}/")
    us_page.click("#tab-referrals-and-reports")
    us_page.click("[data-testid=send-cross-border]")
    expect(us_page.locator("h1")).to_have_text("Refer to the partner hotline")
    us_page.check("input[name=consent_given]")
    us_page.select_option("#id_consent_method", "verbal")
    us_page.check("input[name=services][value=shelter_emergency_housing]")
    us_page.select_option("#id_urgency", "urgent")
    us_page.fill("#id_summary", "She left the farm last night and needs a safe place in Monterrey.")
    us_page.click("text=Send the referral")
    expect(us_page).to_have_url(re.compile(rf"/cases/{reference}/$"))
    expect(us_page.locator("[data-testid=cross-border]")).to_contain_text("Sent to Línea Nacional")

    # Mexico, in Spanish: the referral waits in the incoming queue.
    mx_context, mx_page = _sign_in(browser, mx.side.url, "es-MX")
    mx_page.goto(f"{mx.side.url}/exchange/incoming/")
    _reload_until(mx_page, "[data-testid=incoming]", "She left the farm")
    expect(mx_page.locator("h1")).to_have_text("Canalizaciones de la línea contraparte")
    mx_page.locator("[data-testid=incoming-row] a").first.click()
    shared = mx_page.locator("[data-testid=shared-fields]")
    expect(shared).to_contain_text("Refugio")  # the code, labelled by the receiver in Spanish
    expect(mx_page.locator("[data-testid=summary]")).to_have_text(
        "She left the farm last night and needs a safe place in Monterrey."  # as written
    )
    mx_page.select_option("#id_status", "accepted")
    mx_page.click("[data-testid=status-form] button[type=submit]")
    expect(mx_page.locator("[data-testid=referral-status]")).to_have_text("Aceptada")
    mx_page.click("[data-testid=open-case]")
    expect(mx_page).to_have_url(re.compile(r"/cases/MX-\d{4}-\d{6}/$"))
    mx_reference = mx_page.url.rstrip("/").rsplit("/", 1)[-1]
    mx_page.go_back()
    mx_page.reload()
    mx_page.select_option("#id_status", "in_contact")
    mx_page.fill("#id_note", "Hablamos con ella; va en camino al albergue.")
    mx_page.click("[data-testid=status-form] button[type=submit]")
    expect(mx_page.locator("[data-testid=history]")).to_contain_text("En contacto")

    # Back in the United States: Mexico's answers are on the case.
    _reload_until(us_page, "[data-testid=cross-border]", "In contact with the survivor")
    updates = us_page.locator("[data-testid=cross-border-updates]")
    expect(updates).to_contain_text("Accepted")
    expect(updates).to_contain_text("Hablamos con ella")
    expect(updates).to_contain_text(mx_reference)
    us_context.close()
    mx_context.close()
