"""A call rings while an advocate has home open: the screen-pop appears without a reload,
with the caller's number as it is read aloud and what the hotline already knows about it;
"Take the call" opens the new-contact form filled in, and saving it completes the call's
own contact (one call, one contact). The call arrives as Twilio would send it: a webhook
signed by `puente simulate`'s code (the official RequestValidator) to the ASGI server."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.channels.models import Availability
from puente.channels.simulate import simulate_call
from puente.core import choices as c
from puente.intake.models import Contact
from tests.e2e.conftest import signed_in_context, wait_for_streams
from tests.factories import make_case, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
CALLER = "+17135550142"


@pytest.fixture
def telephony(settings):
    settings.PUENTE_CHANNEL_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "1234567890abcdef" * 2
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUENTE_PUBLIC_URL = ""
    settings.PUENTE_HOTLINE_PHONE = "+18883737888"
    return settings


def test_a_ringing_call_pops_up_and_taking_it_fills_the_form(
    browser, asgi_server, telephony, assert_accessible
):
    advocate = make_user(Role.ADVOCATE, first_name="Ana", last_name="Advocate")
    away = make_user(Role.ADVOCATE, first_name="Beto", last_name="Away")
    Availability.objects.create(user=away, available=False)
    case = make_case(created_by=advocate, title="Restaurant workers, Houston")
    make_contact(phone=CALLER, case=case, taken_by=advocate)

    context = signed_in_context(
        browser, asgi_server, advocate, viewport={"width": 1280, "height": 900}
    )
    away_context = signed_in_context(browser, asgi_server, away)
    try:
        page = context.new_page()
        page.goto(asgi_server.url + reverse("core:home"))
        expect(page.get_by_test_id("live-queue")).to_be_visible()
        away_page = away_context.new_page()
        away_page.goto(asgi_server.url + reverse("core:home"))
        wait_for_streams(2)
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        sent = simulate_call(base_url=asgi_server.url, caller=CALLER, token=AUTH_TOKEN)
        assert sent.status == 200, sent.body
        assert "<Response>" in sent.body

        pop = page.get_by_test_id("screen-pop")
        expect(pop).to_be_visible()
        expect(pop.get_by_test_id("pop-number")).to_have_text("+1 713-555-0142")
        expect(pop.get_by_test_id("pop-known")).to_contain_text("1 earlier contact")
        expect(pop.get_by_test_id("pop-cases")).to_contain_text(case.reference)
        # The queue on the same page counts the waiting call, live too.
        expect(page.get_by_test_id("queue-call")).to_have_count(1)
        assert page.evaluate("window.__sameDocument") is True
        assert_accessible(page, "home with a screen-pop")
        # An advocate who set themselves away sees the queue, not a pop.
        expect(away_page.get_by_test_id("queue-call")).to_have_count(1)
        expect(away_page.get_by_test_id("screen-pop")).to_have_count(0)

        call = Contact.objects.get(phone=CALLER, reason="")
        contacts_before = Contact.objects.count()
        pop.get_by_test_id("take-call").click()
        page.wait_for_url("**/intake/new/?*")
        expect(page.locator("#id_phone")).to_have_value(CALLER)
        expect(page.locator("#id_channel")).to_have_value(c.Channel.PHONE)
        expect(page.locator("input[name=call]")).to_have_value(str(call.pk))
        # What Puente knows is on the form too (the lookup panel).
        expect(page.locator("#lookup-panel")).to_contain_text(case.reference)

        page.select_option("#id_reason", "tip")
        page.fill("#id_summary", "Caller says workers sleep in the restaurant's storeroom.")
        page.locator("#intake-form button[type=submit]").last.click()
        page.wait_for_url(f"**{reverse('intake:detail', args=[call.pk])}")

        assert Contact.objects.count() == contacts_before
        call.refresh_from_db()
        assert call.taken_by == advocate
        assert call.reason == "tip"
        assert "storeroom" in call.summary
    finally:
        context.close()
        away_context.close()
