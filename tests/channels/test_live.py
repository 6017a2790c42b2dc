"""The live stream: 200 open streams cost no thread and no database connection each; every
event is filtered per reader (a contact in a restricted case is never mentioned to someone
who may not open it); the screen-pop goes only to available advocates; the queue on home,
the thread page, web chat."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from puente.accounts.roles import Role
from puente.asgi import application
from puente.channels import chat, domain, events, live
from puente.channels.models import Availability, Conversation, Message, MessageStatus
from puente.core import choices as c
from puente.intake.domain import record_inbound_contact
from puente.intake.models import Contact
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

STREAMS = 200


@pytest.fixture(autouse=True)
def _stream_threads_keep_no_connection(settings):
    """As under the browser tests' server (tests/e2e/conftest.py): in production the
    streams' threads keep their connections between events; here a kept connection would
    stop PostgreSQL dropping the test database at the end of the session."""
    database = settings.DATABASES["default"]
    kept_for = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = kept_for


def _scope(cookie: str, path: str = live.STAFF_STREAM_PATH) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


class Browser:
    """One EventSource, as the server sees it: the ASGI calls and what was sent."""

    def __init__(self, scope: dict) -> None:
        self.scope = scope
        self.status: int | None = None
        self.body = b""
        self.changed = asyncio.Event()
        self.gone = asyncio.Event()
        self._request_sent = False

    async def receive(self) -> dict:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.body += message.get("body", b"")
        self.changed.set()

    async def wait_for(self, needle: bytes, timeout: float = 30) -> None:
        async def until() -> None:
            while needle not in self.body:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), timeout)


def _cookie(user) -> str:
    client = signed_in_client(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _pg_connections() -> int:
    """Sessions open on the test database, counted over a connection of our own (closed
    again), so the count never disturbs the connections it counts."""
    own = connections.create_connection("default")
    try:
        with own.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]
    finally:
        own.close()


@pytest.mark.django_db(transaction=True)
def test_two_hundred_open_streams_hold_no_thread_and_no_database_connection(advocate, settings):
    settings.PUENTE_EVENTS_BACKEND = "memory"
    cookie = _cookie(advocate)
    contact = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone="+17135550142")
    postgres = connection.vendor == "postgresql"
    before_connections = _pg_connections() if postgres else 0
    measured: dict[str, int] = {}
    payload = domain.screen_pop(contact)

    async def main() -> list[Browser]:
        browsers = [Browser(_scope(cookie)) for _ in range(STREAMS)]
        threads_before = threading.active_count()
        tasks = [asyncio.create_task(application(b.scope, b.receive, b.send)) for b in browsers]
        await asyncio.gather(*(b.wait_for(b": connected") for b in browsers))
        await asyncio.sleep(0.2)
        measured["threads"] = threading.active_count() - threads_before
        if postgres:
            measured["connections"] = await asyncio.to_thread(_pg_connections) - before_connections
        await asyncio.to_thread(events.bus().send, events.Event(events.CALL_WAITING, payload))
        await asyncio.gather(*(b.wait_for(b'"kind":"call_waiting"') for b in browsers))
        for b in browsers:
            b.gone.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
        return browsers

    browsers = asyncio.run(main())

    assert all(b.status == 200 for b in browsers)
    assert all(f'"contact_id":{contact.pk}'.encode() in b.body for b in browsers)
    # The streams wait in the event loop: at most the loop's small shared thread pool
    # (used briefly to let each stream in) is alive, never a thread per stream.
    assert measured["threads"] < 20, measured
    if postgres:
        # At most a pooled thread's, in flight: never one per stream.
        assert measured["connections"] <= 2, measured
    assert events.bus().count() == 0  # every subscription closed with its stream


@pytest.mark.django_db(transaction=True)
def test_a_stream_is_refused_without_a_signed_in_session():
    async def main() -> Browser:
        browser = Browser(_scope("sessionid=nonsense"))
        browser.gone.set()
        await application(browser.scope, browser.receive, browser.send)
        return browser

    browser = asyncio.run(main())
    assert browser.status in (302, 401)
    assert b"data:" not in browser.body


@pytest.mark.django_db
def test_events_about_a_restricted_case_reach_only_those_who_may_open_it(advocate):
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner, title="Restricted matter")
    case.restricted = True
    case.save()
    contact = record_inbound_contact(channel=c.Channel.SMS, via="test", phone="+17135550100")
    Contact.objects.filter(pk=contact.pk).update(case=case)
    event = events.Event(
        kind=events.THREAD_MESSAGE, payload={"thread_id": 9, "contact_id": contact.pk}
    )

    assert live.StaffReader(user=advocate, seconds_left=60).sees(event) is None
    told = live.StaffReader(user=owner, seconds_left=60).sees(event)
    assert told == {"kind": "thread_message", "contact_id": contact.pk, "thread_id": 9}
    assert case.reference not in str(told)


@pytest.mark.django_db
def test_the_screen_pop_goes_only_to_advocates_who_are_available(advocate, analyst):
    contact = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone="+17135550142")
    event = events.Event(kind=events.CALL_WAITING, payload=domain.screen_pop(contact))
    assert live.StaffReader(user=advocate, seconds_left=60).sees(event)["pop"] is True

    client = signed_in_client(advocate)
    client.post("/channels/availability/", {"available": "0"})
    assert Availability.objects.get(user=advocate).available is False
    assert live.StaffReader(user=advocate, seconds_left=60).sees(event)["pop"] is False
    assert 'data-testid="go-available"' in client.get("/workspace/").content.decode()


@pytest.mark.django_db
def test_the_pop_shows_what_is_known_and_taking_the_call_opens_the_form(advocate):
    earlier = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone="+17135550142")
    assert earlier.pk
    from puente.channels.models import Call

    contact = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone="+17135550142")
    Call.objects.create(call_sid="CA1", contact=contact, from_number="+17135550142")
    client = signed_in_client(advocate)
    pop = client.get(f"/channels/calls/{contact.pk}/pop/").content.decode()
    assert "+1 713-555-0142" in pop
    assert 'data-testid="take-call"' in pop

    response = client.post(f"/channels/calls/{contact.pk}/take/")
    assert response.status_code == 302
    assert response["Location"].startswith("/intake/new/?")
    assert "phone=%2B17135550142" in response["Location"]
    assert Contact.objects.get(pk=contact.pk).taken_by == advocate

    other = signed_in_client(make_user(Role.ADVOCATE))
    other.post(f"/channels/calls/{contact.pk}/take/")
    assert Contact.objects.get(pk=contact.pk).taken_by == advocate


@pytest.mark.django_db
def test_the_thread_page_claims_replies_and_shows_delivery(advocate):
    inbound = record_inbound_contact(channel=c.Channel.SMS, via="test", phone="+17135550100")
    from django.utils import timezone

    now = timezone.now()
    thread = Conversation.objects.create(
        channel=c.Channel.SMS,
        address="+17135550100",
        hotline_address="233733",
        contact=inbound,
        opened_at=now,
        last_message_at=now,
    )
    client = signed_in_client(advocate)
    home = client.get("/workspace/").content.decode()
    assert f"/channels/threads/{thread.pk}/" in home

    client.post(f"/channels/threads/{thread.pk}/claim/")
    rival = signed_in_client(make_user(Role.ADVOCATE))
    rival.post(f"/channels/threads/{thread.pk}/claim/")
    assert Conversation.objects.get(pk=thread.pk).claimed_by == advocate

    client.post(f"/channels/threads/{thread.pk}/reply/", {"body": "Are you safe now?"})
    message = Message.objects.get(conversation=thread)
    assert message.status == MessageStatus.QUEUED and message.sent_by == advocate
    page = client.get(f"/channels/threads/{thread.pk}/").content.decode()
    assert "Are you safe now?" in page and "Queued" in page
    assert f"/intake/contacts/{inbound.pk}/" in page


@pytest.mark.django_db
def test_a_chat_stores_a_retried_message_once_and_keeps_the_transcript(advocate):
    token = chat.new_chat_token()
    thread = chat.start_chat(token=token, language=c.Language.ENGLISH)
    assert thread.address != token and len(thread.address) == 40
    first = chat.post_visitor_message(thread=thread, client_id="client-0001", body="Help me")
    again = chat.post_visitor_message(thread=thread, client_id="client-0001", body="Help me")
    assert first.pk == again.pk and thread.messages.count() == 1

    domain.claim_thread(thread=thread, by=advocate)
    reply = chat.send_chat_reply(thread=thread, body="I am here.", by=advocate)
    assert reply.status == MessageStatus.SENT
    fetched = chat.visitor_transcript(thread=thread, after=first.pk)
    assert [m.body for m in fetched] == ["I am here."]
    assert Message.objects.get(pk=reply.pk).status == MessageStatus.DELIVERED

    chat.end_chat_by_visitor(thread=thread)
    contact = Contact.objects.get(pk=thread.contact_id)
    assert contact.channel == c.Channel.CHAT and contact.ended_at is not None
    assert "Help me" in contact.summary and "I am here." in contact.summary


@pytest.mark.django_db
def test_the_visitors_chat_over_http_sets_only_the_chat_cookie():
    visitor = Client()
    response = visitor.post("/chat/start/")
    assert set(response.cookies) == {live.CHAT_COOKIE}
    assert response.cookies[live.CHAT_COOKIE]["samesite"] == "Strict"
    assert response.cookies[live.CHAT_COOKIE]["httponly"]
    for _ in range(2):  # a retry after a dropped connection
        visitor.post("/chat/send/", {"client_id": "abcdef123456", "body": "Is anyone there?"})
    data = visitor.get("/chat/messages/").json()
    assert [m["body"] for m in data["messages"]] == ["Is anyone there?"]
    assert visitor.post("/chat/end/").json() == {"ended": True}
    thread = Conversation.objects.get(channel=c.Channel.CHAT)
    assert thread.state == "closed"
    assert "Is anyone there?" in thread.contact.summary
