"""The public site in a real browser on a 390 × 844 phone, in English and Spanish: every
page fits the screen, passes axe-core (no serious or critical violation) and weighs under
100 KB on a first visit (every byte the browser received: HTML, CSS, JavaScript, headers
included); the quick exit (button and Escape) leaves for the neutral site without leaving
the page in the back history; and with JavaScript off the pages still work and the tip
form still sends.

The neutral site is served by the browser harness itself (a route answered locally), so
no test ever reaches the network."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from puente.core import choices as c
from puente.intake.models import Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PAGES = ["/", "/trafficking/", "/reaching-out/", "/tip/", "/chat/"]
MAX_BYTES = 100 * 1024
NEUTRAL = "http://neutral.test/"
LOCALES = {"en": "en-US", "es": "es-MX"}


@pytest.fixture(autouse=True)
def public_settings(settings):
    settings.PUENTE_QUICK_EXIT_URL = NEUTRAL
    settings.PUENTE_TIP_RATE_PER_HOUR = 50
    cache.clear()  # the tip form's per-address counts, shared by every test here
    yield settings
    cache.clear()


def visitor(browser, language: str = "en", **options):
    context = browser.new_context(locale=LOCALES[language], viewport=PHONE, **options)
    context.route(
        NEUTRAL + "**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><html lang='en'><title>Weather</title><h1>Sunny</h1></html>",
        ),
    )
    return context


def transferred_bytes(requests) -> int:
    """What crossed the wire for these requests: response headers and (encoded) bodies."""
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
    return total


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_public_page_fits_a_phone_is_accessible_and_light(
    browser, asgi_server, assert_accessible, language
):
    weights = {}
    for path in PAGES:
        # A fresh browser per page: a first visit, nothing cached.
        context = visitor(browser, language)
        try:
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda request, into=finished: into.append(request))
            response = page.goto(asgi_server.url + path, wait_until="networkidle")
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            expect(page.locator("h1")).to_be_visible()
            expect(page.get_by_test_id("quick-exit")).to_be_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} ({language}) scrolls sideways by {overflow} px"
            assert_accessible(page, f"{path} ({language})")
            weights[path] = transferred_bytes(finished)
            # Every request was counted: the page itself, its stylesheet and scripts.
            assert len(finished) >= 3, [r.url for r in finished]
        finally:
            context.close()
    heavy = {path: size for path, size in weights.items() if size >= MAX_BYTES}
    assert not heavy, f"over 100 KB: {heavy}"
    assert all(size > 1000 for size in weights.values()), weights


@pytest.mark.parametrize("how", ["button", "escape"])
def test_quick_exit_leaves_and_back_does_not_return(browser, asgi_server, how):
    context = visitor(browser, "es")
    try:
        page = context.new_page()
        page.goto(asgi_server.url + "/")
        page.goto(asgi_server.url + "/tip/")
        page.fill("#account", "Something I would not want anyone to see")
        length = page.evaluate("history.length")
        if how == "button":
            page.get_by_test_id("quick-exit").click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_url(NEUTRAL)
        expect(page.locator("h1")).to_have_text("Sunny")
        # The tip page was replaced, not added to: going back skips it.
        assert page.evaluate("history.length") == length
        page.go_back()
        assert page.url == asgi_server.url + "/"
    finally:
        context.close()


def test_without_javascript_the_pages_work_and_a_tip_is_sent(browser, asgi_server):
    context = visitor(browser, "en", java_script_enabled=False)
    try:
        page = context.new_page()
        for path in PAGES:
            response = page.goto(asgi_server.url + path)
            assert response is not None and response.status == 200, path
            expect(page.locator("h1")).to_be_visible()
            # The quick exit is an ordinary link to the neutral site.
            assert page.get_by_test_id("quick-exit").get_attribute("href") == NEUTRAL
        # The chat alone needs scripts: without them its controls stay hidden (the page
        # says so in a <noscript>, which Chromium does not show when scripts are switched
        # off per page, as here, rather than in its settings).
        expect(page.get_by_test_id("chat-start")).to_be_hidden()
        assert "The chat needs JavaScript" in page.content()

        page.goto(asgi_server.url + "/tip/")
        page.fill("#account", "A man drives women from the motel on 5th Street every night.")
        page.fill("#phone", "713-555-0199")
        page.get_by_test_id("send-tip").click()
        expect(page.get_by_test_id("tip-sent")).to_be_visible()
        tip = Contact.objects.get(channel=c.Channel.WEBFORM)
        assert tip.summary.startswith("A man drives women from the motel")
        assert tip.phone == "+17135550199"
        assert tip.reason == "" and tip.taken_by is None

        page.get_by_test_id("quick-exit").click()
        page.wait_for_url(NEUTRAL)
    finally:
        context.close()
