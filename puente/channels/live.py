"""The live streams: server-sent events for the advocates' pages (a call ringing, a thread
waiting or answered, a message, a chat) and for a web chat visitor's page (the advocate's
answers).

Each stream is an ASGI endpoint of its own (`puente/asgi.py` routes its path here), because
an open stream must cost the server almost nothing while it waits: no thread, no database
connection. Letting it in is Django's ordinary business — the whole middleware stack
(session, idle timeout, sign-in, MFA) runs once, in one of the streams' few threads,
around `_admit_staff` — then the stream waits in the event loop on
`events.subscribe_async()`. Each event is
filtered for its reader before anything is written: a contact the reader may not open (one
filed in a restricted case) is never mentioned, and the events carry ids only; what a page
shows, it fetches from an ordinary permission-checked view.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import set_script_prefix

from puente.accounts.models import User
from puente.channels import events
from puente.channels.models import Availability, Conversation, ThreadState
from puente.core import choices as c
from puente.core import sandbox
from puente.core.middleware import SessionActivityMiddleware
from puente.core.permissions import Perm
from puente.intake.models import Contact
from puente.intake.queries import visible_contacts

logger = logging.getLogger("puente.channels")

STAFF_STREAM_PATH = "/channels/live/events/"
CHAT_STREAM_PATH = "/channels/chat/events/"
CHAT_COOKIE = "puente_chat"
# How long a browser waits before reconnecting a dropped stream.
RETRY_MS = 3000

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def chat_key(token: str) -> str:
    """What is stored of a chat's cookie: a hash, so the table alone opens no chat."""
    return hashlib.sha256(token.encode()).hexdigest()[:40]


def is_available(user: User) -> bool:
    row = Availability.objects.filter(user=user).values_list("available", flat=True).first()
    return True if row is None else bool(row)


# --- Who reads a stream, and what of each event they may see --------------------------


@dataclass(frozen=True)
class EventFacts:
    """What every reader's filter needs to know of one event, read once for all of them:
    with the whole floor connected, a call would otherwise cost one query per advocate
    (and, on SQLite, one connection opened per advocate) before anyone's screen pops."""

    contact_exists: bool
    # In no case: every reader of contacts may see it (intake.queries.visible_contacts).
    outside_any_case: bool
    # Who set themselves away: their screen does not pop (no row means available).
    away: frozenset[int]


_facts: OrderedDict[str, EventFacts] = OrderedDict()
_facts_lock = threading.Lock()
FACTS_KEPT = 64


@receiver(post_save, sender=Availability)
def _forget_facts(**_kwargs: Any) -> None:
    # Someone came back or stepped away: the next reader of an event reads who is away anew.
    with _facts_lock:
        _facts.clear()


def facts_of(event: events.Event, contact_id: int) -> EventFacts:
    with _facts_lock:
        found = _facts.get(event.id)
        if found is None:
            row = Contact.objects.filter(pk=contact_id).values_list("case_id", flat=True)
            case_ids = list(row[:1])
            away = (
                frozenset(
                    Availability.objects.filter(available=False).values_list("user_id", flat=True)
                )
                if event.kind == events.CALL_WAITING
                else frozenset()
            )
            found = EventFacts(
                contact_exists=bool(case_ids),
                outside_any_case=bool(case_ids) and case_ids[0] is None,
                away=away,
            )
            _facts[event.id] = found
            while len(_facts) > FACTS_KEPT:
                _facts.popitem(last=False)
        return found


@dataclass
class StaffReader:
    user: User
    seconds_left: int

    def sees(self, event: events.Event) -> dict[str, Any] | None:
        """What this advocate's page is told of `event`, or None. Runs in one of the
        streams' threads (`in_stream_thread`)."""
        payload = event.payload
        contact_id = payload.get("contact_id")
        if not isinstance(contact_id, int) or not self.user.can(Perm.CONTACT_VIEW):
            return None
        facts = facts_of(event, contact_id)
        if not facts.contact_exists:
            return None
        if (
            not facts.outside_any_case
            # Filed in a case: as open as the case is to this reader.
            and not visible_contacts(self.user).filter(pk=contact_id).exists()
        ):
            return None
        told: dict[str, Any] = {"kind": event.kind, "contact_id": contact_id}
        for name in ("thread_id", "message_id"):
            if isinstance(payload.get(name), int):
                told[name] = payload[name]
        if isinstance(payload.get("channel"), str):
            told["channel"] = payload["channel"]
        if event.kind == events.CALL_WAITING:
            # The screen-pop goes to those who can take the call and said they are here.
            told["pop"] = self.user.can(Perm.CONTACT_CREATE) and self.user.pk not in facts.away
        if event.kind == events.THREAD_CLAIMED:
            told["mine"] = payload.get("claimed_by") == self.user.pk
        return told


@dataclass
class ChatReader:
    thread_id: int

    def sees(self, event: events.Event) -> dict[str, Any] | None:
        if event.payload.get("thread_id") != self.thread_id:
            return None
        kind = {
            events.THREAD_MESSAGE: "message",
            events.THREAD_CLAIMED: "joined",
            events.CONTACT_CLOSED: "ended",
        }.get(event.kind)
        if kind is None:
            return None
        if kind == "joined" and event.payload.get("claimed_by") is None:
            kind = "waiting"
        return {"kind": kind}


# --- Letting a stream in ----------------------------------------------------------------


class _Gate(BaseHandler):
    """Django's middleware stack around one function instead of a URL's view: a stream
    is admitted exactly as a page would be (session, idle timeout, MFA)."""

    def __init__(self, view: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__()
        self.view = view
        self.load_middleware(is_async=False)

    def _get_response(self, request: HttpRequest) -> HttpResponse:
        return self.view(request)


def _admit_staff_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return HttpResponse("Sign in first.", status=401, content_type="text/plain")
    if not user.can(Perm.CONTACT_VIEW):
        return HttpResponse("Not allowed.", status=403, content_type="text/plain")
    if sandbox.active():
        # A practice call's reader is a sandbox account; the stream would read real events.
        return HttpResponse("Not during a practice call.", status=403, content_type="text/plain")
    response = HttpResponse(status=200)
    response.live_reader = StaffReader(  # type: ignore[attr-defined]
        user=user, seconds_left=SessionActivityMiddleware.seconds_left(request.session)
    )
    return response


_staff_gate: _Gate | None = None

# The streams' short database work (letting a reader in, filtering an event for each
# reader) runs in a few threads of their own. Like the page threads, each keeps its
# connection from one piece of work to the next (PUENTE_DB_CONN_MAX_AGE), so a call
# ringing on a full floor costs no connection per advocate; the streams themselves hold
# none while they wait, and a burst of events queues here instead of taking the threads
# that serve pages.
_stream_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="puente-live")


def _with_connections(func: Callable[..., Any], *args: Any) -> Any:
    close_old_connections()
    try:
        return func(*args)
    finally:
        close_old_connections()


async def in_stream_thread(func: Callable[..., Any], *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _stream_threads, functools.partial(_with_connections, func, *args)
    )


def _admit_staff(scope: Scope) -> tuple[HttpResponseBase, StaffReader | None]:
    global _staff_gate
    if _staff_gate is None:
        _staff_gate = _Gate(_admit_staff_view)
    set_script_prefix(scope.get("root_path", "") or "/")
    request = ASGIRequest(scope, io.BytesIO())
    response = _staff_gate.get_response(request)
    reader = getattr(response, "live_reader", None)
    return response, reader


def _admit_chat(scope: Scope) -> int | None:
    """The open chat whose cookie the browser sent, or None."""
    token = _cookie(scope, CHAT_COOKIE)
    if not token:
        return None
    return (
        Conversation.objects.filter(
            channel=c.Channel.CHAT, address=chat_key(token), state=ThreadState.OPEN
        )
        .values_list("pk", flat=True)
        .first()
    )


def _cookie(scope: Scope, name: str) -> str:
    for header, value in scope.get("headers", []):
        if header == b"cookie":
            for part in value.decode("latin1").split(";"):
                key, _sep, val = part.strip().partition("=")
                if key == name:
                    return val
    return ""


# --- The stream itself --------------------------------------------------------------------


def frame(data: dict[str, Any], *, event_id: str = "") -> bytes:
    lines = [f"id: {event_id}"] if event_id else []
    lines.append(f"data: {json.dumps(data, separators=(',', ':'))}")
    return ("\n".join(lines) + "\n\n").encode()


async def _send_plain(send: Send, response: HttpResponseBase) -> None:
    headers = [(k.encode("latin1"), str(v).encode("latin1")) for k, v in response.items()]
    for cookie in response.cookies.values():
        headers.append((b"set-cookie", cookie.output(header="").strip().encode("latin1")))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": getattr(response, "content", b"")})


async def _until_disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    # Proxies (nginx) must pass each event on at once, not buffer the stream.
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


async def _pump(
    send: Send,
    *,
    reader: StaffReader | ChatReader,
    seconds: float | None,
    threaded: bool,
) -> None:
    """Write what the reader may see of each event, and a comment every heartbeat, until
    `seconds` have passed (the session's end: the browser reconnects and is let in again
    only if the session was renewed meanwhile)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds is not None else None
    heartbeat = settings.PUENTE_LIVE_HEARTBEAT_SECONDS
    subscription = await events.subscribe_async()
    try:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        await send(
            {
                "type": "http.response.body",
                "body": f"retry: {RETRY_MS}\n: connected\n\n".encode(),
                "more_body": True,
            }
        )
        while True:
            wait: float = heartbeat
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    break
            event = await subscription.next(timeout=wait)
            if event is None:
                body = b": keep-alive\n\n"
            else:
                if threaded:
                    told = await in_stream_thread(reader.sees, event)
                else:
                    told = reader.sees(event)
                if told is None:
                    continue
                body = frame(told, event_id=event.id)
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        subscription.close()


async def _run(receive: Receive, pump: Awaitable[None]) -> None:
    streaming = asyncio.ensure_future(pump)
    watching = asyncio.ensure_future(_until_disconnected(receive))
    try:
        await asyncio.wait({streaming, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (streaming, watching):
            task.cancel()
        for task in (streaming, watching):
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass


async def staff_stream(scope: Scope, receive: Receive, send: Send) -> None:
    """GET /channels/live/events/ for signed-in staff who may read contacts."""
    response, reader = await in_stream_thread(_admit_staff, scope)
    if reader is None or scope.get("method") != "GET":
        await _send_plain(send, response if reader is None else HttpResponse(status=405))
        return
    await _run(receive, _pump(send, reader=reader, seconds=reader.seconds_left + 1, threaded=True))


async def chat_stream(scope: Scope, receive: Receive, send: Send) -> None:
    """GET /channels/chat/events/ for a web chat visitor: only their own chat's news."""
    thread_id = await in_stream_thread(_admit_chat, scope)
    if thread_id is None:
        await _send_plain(send, HttpResponse("No chat.", status=404, content_type="text/plain"))
        return
    await _run(
        receive, _pump(send, reader=ChatReader(thread_id=thread_id), seconds=None, threaded=False)
    )


STREAMS: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {
    STAFF_STREAM_PATH: staff_stream,
    CHAT_STREAM_PATH: chat_stream,
}
