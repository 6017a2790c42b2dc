"""The number field has the focus as the new-contact page opens, so an advocate may type
the caller's number before the page's scripts are ready. The lookup must still run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases import domain as cases
from tests.factories import PASSWORD, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_number_typed_before_the_page_is_ready_is_looked_up(page, live_server, settings):
    settings.PUENTE_MFA_REQUIRED = False
    advocate = make_user(Role.ADVOCATE, username="ana")
    earlier = make_case(created_by=advocate, title="Nail salon on Bellaire")
    cases.add_identifier(case=earlier, kind="phone", value="+17135550142", by=advocate)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header")).to_contain_text(advocate.display_name)

    # htmx held back, as on a slow phone: the page is there, its scripts are not.
    held = []
    page.route("**/htmx.min.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}/intake/new/", wait_until="commit")
    phone = page.locator("#id_phone")
    phone.press_sequentially("(713) 555-0142")
    phone.press("Tab")
    assert len(held) == 1
    lookup = page.locator("#lookup-panel")
    expect(lookup).not_to_have_class(re.compile("has-history"))

    held[0].continue_()
    expect(lookup).to_have_class(re.compile("has-history"))
    expect(lookup).to_contain_text(earlier.reference)
