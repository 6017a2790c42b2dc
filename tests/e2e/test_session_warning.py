"""The idle timeout in Chromium, with the page's clock under the test's control
(page.clock): the countdown before the timeout, "Stay signed in" renewing the session, the
page saying the session ended, and what was typed into a form sent after that put back
after signing in again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.models import HeldDraft
from puente.accounts.roles import Role
from puente.cases.models import Person
from tests.factories import PASSWORD, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _a_one_minute_window(settings):
    # A one-minute idle window, warned 20 seconds ahead; the clock is the page's own.
    settings.PUENTE_SESSION_IDLE_MINUTES = 1
    settings.SESSION_COOKIE_AGE = 60
    settings.PUENTE_SESSION_WARNING_SECONDS = 20
    settings.PUENTE_MFA_REQUIRED = False


def _sign_in(page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    # The countdown's script sets its deadline when it runs: moving the clock before
    # then would move the deadline with it (a slow machine's first page loses the race).
    page.wait_for_load_state("load")


def test_the_warning_counts_down_and_stay_signed_in_renews(page, live_server):
    user = make_user(Role.ADVOCATE, username="ana")
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/")
    _sign_in(page, "ana")
    expect(page.locator("header")).to_contain_text(user.display_name)
    warning = page.locator("#session-warning")
    expect(warning).to_be_hidden()

    page.clock.fast_forward("00:45")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alertdialog")
    expect(warning).to_contain_text("you will be signed out in")
    expect(warning.locator("[data-countdown]")).to_have_text(re.compile(r"^0:1\d$"))
    # The button has the focus: one key press keeps the person signed in.
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()

    # The server's session is about to end; the click (a POST) gives it a whole window.
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=5))
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert Session.objects.get().expire_date > timezone.now() + timedelta(seconds=50)

    # Renewed for a whole window: no warning until it nears its end again.
    page.clock.fast_forward("00:30")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("00:15")
    expect(warning).to_be_visible()


def test_someone_typing_is_not_interrupted_their_typing_renews(page, live_server):
    make_user(Role.ADVOCATE, username="ana")
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/")
    _sign_in(page, "ana")
    expect(page.locator("#session-panel")).to_be_attached()
    page.clock.fast_forward("00:30")
    page.locator("#q").type("Houston")  # typing, with no request sent yet
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=5))
    page.clock.fast_forward("00:15")
    # Inside the warning's lead: the person's own activity renewed it, no warning.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#session-warning")).to_be_hidden()
    assert Session.objects.get().expire_date > timezone.now() + timedelta(seconds=50)


def test_when_time_is_up_the_page_says_so_and_typing_is_put_back(page, live_server):
    user = make_user(Role.ADVOCATE, username="ana")
    case = make_case(created_by=user)
    form_page = f"/cases/{case.reference}/persons/new/"
    page.clock.install()
    page.goto(f"{live_server.url}/accounts/login/?next={form_page}")
    _sign_in(page, "ana")
    expect(page).to_have_url(re.compile(re.escape(form_page)))

    # The person starts typing, walks away; the server ends the session.
    page.check("input[name=roles][value=potential_victim]")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_notes", "Works at the bar on Main Street; boss keeps her passport.")
    Session.objects.all().delete()
    page.clock.fast_forward("01:05")
    ended = page.locator("#session-ended")
    expect(ended).to_be_visible()
    expect(ended).to_contain_text("Your session has ended")
    sign_in_again = ended.get_by_role("link", name="Sign in again")
    expect(sign_in_again).to_have_attribute("href", re.compile(re.escape("next=%2Fcases%2F")))

    # Saving anyway keeps what was typed, for her alone, and says so.
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("What you typed is kept")
    held = HeldDraft.objects.get()
    assert held.user == user and held.fields["first_name"] == ["Rosa"]
    assert not Person.objects.exists()

    # Signed in again, she is back on the form, which offers it at once.
    _sign_in(page, "ana")
    expect(page).to_have_url(re.compile(re.escape(form_page) + r"#kept=\d+$"))
    offer = page.locator("#kept-offer")
    expect(offer).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_value("")
    offer.get_by_role("button", name="Put back what you typed").click()
    expect(page.locator("#id_first_name")).to_have_value("Rosa")
    expect(page.locator("#id_notes")).to_have_value(re.compile("boss keeps her passport"))
    expect(page.locator("input[name=roles][value=potential_victim]")).to_be_checked()
    expect(offer).to_contain_text("Check it, then save")
    assert not HeldDraft.objects.exists()  # handed back once
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/($|[?#])"))
    assert Person.objects.get().first_name == "Rosa"


def test_enter_in_a_field_does_not_save_half_a_contact_nor_does_a_lookup_start_a_draft(
    page, live_server
):
    """On the new-contact page (kept typing's neighbour): a number typed only to look the
    caller up starts no draft, and Enter in a single-line field saves nothing."""
    from puente.intake.models import Contact, IntakeDraft

    make_user(Role.ADVOCATE, username="ana")
    page.goto(f"{live_server.url}/accounts/login/?next=/intake/new/")
    _sign_in(page, "ana")
    expect(page.locator("#intake-form")).to_be_visible()
    page.locator("#id_phone").press_sequentially("(713) 555-0142")
    page.locator("#id_phone").press("Tab")
    expect(page.locator("#lookup-panel")).to_contain_text("No earlier contacts")
    page.wait_for_timeout(1500)  # longer than the autosave's 1 s delay
    page.wait_for_load_state("networkidle")
    assert not IntakeDraft.objects.exists()

    page.select_option("#id_channel", "phone")
    page.select_option("#id_reason", "tip")
    page.fill("#id_city", "Houston")
    page.locator("#id_city").press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/intake/new/$"))
    # Not sent at all: a sent form would come back saying the narrative is missing.
    expect(page.locator("main")).not_to_contain_text("Write the narrative")
    assert not Contact.objects.exists()
    # What was picked is an unfinished contact worth keeping.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    assert IntakeDraft.objects.count() == 1

    # Ctrl+Enter saves; without the narrative the page says what is missing.
    page.locator("#id_city").press("Control+Enter")
    expect(page.locator("main")).to_contain_text("Write the narrative")
    assert not Contact.objects.exists()
