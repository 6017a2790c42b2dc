"""The header: one line on a 1366 px screen for the roles with the most links, in both
languages; the keyboard-shortcut hint names the right modifier for the system."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from puente.accounts.roles import Role
from tests.conftest import signed_in_client
from tests.e2e.conftest import accessibility_problems
from tests.e2e.test_no_overflow import _sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAC = """
  Object.defineProperty(navigator, 'platform', {get: () => 'MacIntel'});
  Object.defineProperty(navigator, 'userAgentData', {get: () => ({platform: 'macOS'})});
"""


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR, Role.LIAISON])
def test_the_header_is_one_line_at_1366_px(browser, live_server, role, language):
    context, page = _sign_in(browser, live_server, make_user(role), language)
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}{reverse('core:home')}")
        header = page.locator("header.topbar")
        box = header.bounding_box()
        assert box is not None and box["height"] <= 64, f"header is {box} tall"
        links = page.locator("header .mainnav > ul > li > a")
        assert links.count() >= 2
        for i in range(links.count()):
            link = links.nth(i)
            assert link.is_visible()
            link_box = link.bounding_box()
            assert (
                link_box["y"] < box["y"] + box["height"]
                and link_box["x"] + link_box["width"] <= 1366
            )
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert accessibility_problems(page) == []
        # The "More" menu opens without scripts' help and holds the rest.
        if page.locator("header .moremenu summary").count():
            page.click("header .moremenu summary")
            assert page.locator("header .moremenu .dropdown a").first.is_visible()
            assert accessibility_problems(page) == []  # the open menu too
    finally:
        context.close()


def test_shortcut_hint_names_alt_shift_on_linux_and_windows(browser, live_server):
    context, page = _sign_in(browser, live_server, make_user(Role.ADVOCATE), "en")
    try:
        page.goto(f"{live_server.url}{reverse('core:home')}")
        page.click("header .usermenu > summary")
        hint = page.locator("[data-testid=shortcuts]")
        assert hint.is_visible()
        assert "Alt+Shift + N New contact" in " ".join(hint.inner_text().split())
        assert "Mac" not in hint.inner_text()
        assert page.locator("#q").get_attribute("aria-keyshortcuts") == "Alt+Shift+S"
        assert page.locator(".searchbox-hint").inner_text() == "Alt+Shift+S"
    finally:
        context.close()


def test_shortcut_hint_names_control_option_on_a_mac_in_spanish(browser, live_server):
    context, page = _sign_in(browser, live_server, make_user(Role.ADVOCATE), "es")
    try:
        page.add_init_script(MAC)
        page.goto(f"{live_server.url}{reverse('core:home')}")
        page.click("header .usermenu > summary")
        text = " ".join(page.locator("[data-testid=shortcuts]").inner_text().split())
        assert "Control+Opción + N Nuevo contacto" in text
        assert page.locator("header a[accesskey=n]").get_attribute("aria-keyshortcuts") == (
            "Control+Alt+N"
        )
    finally:
        context.close()


def test_without_javascript_the_hint_names_both(browser, live_server):
    client = signed_in_client(make_user(Role.ADVOCATE))
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    try:
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('core:home')}")
        page.click("header .usermenu > summary")  # a <details>: opens without scripts
        text = page.locator("[data-testid=shortcuts]").inner_text()
        assert "Alt+Shift (Mac: Control+Option)" in text
        # The navigation is in the header at this width without any script either.
        assert page.locator("header .mainnav a[href='/cases/']").is_visible()
    finally:
        context.close()
