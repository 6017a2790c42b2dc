"""Web chat between a visitor of the public site (no account, on a phone) and an advocate,
in two browser contexts against the ASGI server: the chat reaches the advocates' queue
live, messages go both ways without a reload, what the visitor typed survives a reload
and a dropped connection, ending the chat clears the visitor's screen and the transcript
stays on the contact."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.core import choices as c
from puente.intake.models import Contact
from tests.e2e.conftest import signed_in_context, wait_for_streams
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The chat's per-address limits live in the cache, shared by every test in this process.
    from django.core.cache import cache

    cache.clear()


def test_a_visitor_and_an_advocate_chat_live(browser, asgi_server, assert_accessible):
    advocate = make_user(Role.ADVOCATE, first_name="Ana", last_name="Advocate")
    staff = signed_in_context(
        browser, asgi_server, advocate, viewport={"width": 1280, "height": 900}
    )
    public = browser.new_context(locale="en-US", viewport=PHONE)
    try:
        desk = staff.new_page()
        desk.goto(asgi_server.url + reverse("core:home"))
        expect(desk.get_by_test_id("live-queue")).to_be_visible()
        wait_for_streams(1)

        visitor = public.new_page()
        visitor.goto(asgi_server.url + reverse("public:chat"))
        visitor.get_by_test_id("chat-start").click()
        expect(visitor.locator("[data-chat-state]")).to_have_text(
            "Waiting for an advocate. Stay on this page."
        )
        wait_for_streams(2)  # the advocate's page and the visitor's

        # The chat reaches the queue on home without a reload.
        row = desk.get_by_test_id("queue-chat")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Anonymous visitor")
        row.get_by_role("link").click()
        desk.get_by_test_id("claim").click()
        expect(desk.get_by_test_id("thread-owner")).to_contain_text("Answered by")
        expect(visitor.locator("[data-chat-state]")).to_have_text(
            "An advocate has joined the chat."
        )

        # Advocate → visitor.
        desk.fill("#reply-body", "Hello, this is the hotline. Are you safe right now?")
        desk.get_by_test_id("send-reply").click()
        expect(visitor.get_by_test_id("chat-theirs")).to_have_text(
            "AdvocateHello, this is the hotline. Are you safe right now?"
        )

        # Visitor → advocate, onto the open thread page without a reload.
        desk.evaluate("window.__sameDocument = true")
        visitor.get_by_test_id("chat-body").fill("Yes, for now. I work at a farm near Fresno.")
        visitor.get_by_test_id("chat-send").click()
        messages = desk.get_by_test_id("thread-messages")
        expect(messages).to_contain_text("I work at a farm near Fresno.")
        assert desk.evaluate("window.__sameDocument") is True
        assert_accessible(visitor, "the visitor's chat")

        # Unsent typing survives a reload…
        visitor.get_by_test_id("chat-body").fill("They keep our passports in the")
        visitor.reload()
        expect(visitor.get_by_test_id("chat-body")).to_have_value("They keep our passports in the")
        expect(visitor.get_by_test_id("chat-mine")).to_have_count(1)
        expect(visitor.get_by_test_id("chat-theirs")).to_have_count(1)

        # …and a message sent while the connection is down is kept and delivered once
        # it returns.
        public.set_offline(True)
        visitor.get_by_test_id("chat-body").fill("They keep our passports in the office.")
        visitor.get_by_test_id("chat-send").click()
        expect(visitor.locator("[data-chat-state]")).to_contain_text("Connection lost")
        expect(visitor.locator("[data-pending]")).to_have_count(1)
        public.set_offline(False)
        expect(messages).to_contain_text("They keep our passports in the office.")
        expect(visitor.locator("[data-pending]")).to_have_count(0)
        expect(visitor.get_by_test_id("chat-mine")).to_have_count(2)

        # The visitor ends the chat: their screen and this tab's storage are cleared.
        visitor.get_by_test_id("chat-end").click()
        expect(visitor.get_by_test_id("chat-ended")).to_be_visible()
        expect(visitor.locator("[data-chat-log] li")).to_have_count(0)
        assert visitor.evaluate("window.sessionStorage.length") == 0
        visitor.reload()
        expect(visitor.get_by_test_id("chat-start")).to_be_visible()
        expect(visitor.locator("[data-chat-log] li")).to_have_count(0)
        expect(desk.get_by_test_id("thread-owner")).to_contain_text("Closed")

        # The transcript is on the contact, for the advocate to read.
        contact = Contact.objects.get(channel=c.Channel.CHAT)
        assert contact.ended_at is not None
        for line in (
            "Are you safe right now?",
            "I work at a farm near Fresno.",
            "They keep our passports in the office.",
        ):
            assert contact.summary.count(line) == 1, contact.summary
        desk.goto(asgi_server.url + reverse("intake:detail", args=[contact.pk]))
        expect(desk.locator("main")).to_contain_text("They keep our passports in the office.")
    finally:
        public.close()
        staff.close()
