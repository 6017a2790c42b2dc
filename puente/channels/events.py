"""Live events for the advocates' pages: a call waiting (the screen-pop), a new thread or
e-mail waiting, a message in a thread, a thread claimed, a contact closed.

`publish(kind, payload)` announces one once the transaction that caused it commits (an
event about a rolled-back call would pop a screen for nothing); `subscribe()` hands a
page's server-sent-events stream everything published from then on. Two backends, chosen
by PUENTE_EVENTS_BACKEND:

- "memory": an in-process broadcaster, for one server process (and the tests). No
  broker, nothing to run.
- "database": a table (`channels.LiveEvent`) every server process polls a few times a
  second, for several server processes on one SQLite file (SQLite has no
  LISTEN/NOTIFY). Publishing is one INSERT; each process keeps one polling thread and fans
  what it reads out to its own subscribers; rows are deleted after a few minutes.
- "postgres": PostgreSQL's LISTEN/NOTIFY on the channel `puente_events`, for several
  server processes or machines sharing the database. Each process keeps one listening
  connection (a thread) and fans what it hears out to its own subscribers; publishing is
  a `pg_notify` on the ordinary connection. Still no broker.

Events carry ids and the least a screen needs (a caller's formatted number, how many
earlier contacts the number has, the ids of cases it is tied to). What a given advocate
may see of those cases is decided by the consumer, per reader, never put in the event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from puente.channels.models import LiveEvent
from puente.core import sandbox

logger = logging.getLogger("puente.channels")

CALL_WAITING = "call_waiting"
# A new text thread or e-mail in the queue (a call has its own kind: it rings).
CONTACT_WAITING = "contact_waiting"
THREAD_MESSAGE = "thread_message"
THREAD_CLAIMED = "thread_claimed"
CONTACT_CLOSED = "contact_closed"
KINDS = frozenset({CALL_WAITING, CONTACT_WAITING, THREAD_MESSAGE, THREAD_CLAIMED, CONTACT_CLOSED})

PG_CHANNEL = "puente_events"
# NOTIFY refuses payloads of 8000 bytes or more; ours are a few hundred.
MAX_PAYLOAD_BYTES = 7900


@dataclass(frozen=True)
class Event:
    kind: str
    payload: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def encode(self) -> str:
        return json.dumps(
            {"id": self.id, "kind": self.kind, "payload": self.payload},
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def decode(cls, text: str) -> Event:
        data = json.loads(text)
        return cls(kind=data["kind"], payload=data["payload"], id=data["id"])


class Subscription:
    """What one page listens to. Iterate with `get(timeout)`; close when the page goes
    (or use it as a context manager). A subscriber that stops reading loses its oldest
    events rather than hold the server's memory."""

    def __init__(self, hub: _Hub, *, maxsize: int = 1000) -> None:
        self._hub = hub
        self._queue: queue.Queue[Event] = queue.Queue(maxsize=maxsize)

    def _put(self, event: Event) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put_nowait(event)

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None after `timeout` seconds without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self.get()
            if event is not None:
                yield event

    def close(self) -> None:
        self._hub.remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Hub:
    """This process's subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []

    def add(self) -> Subscription:
        subscription = Subscription(self)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)
        self.on_empty()

    def deliver(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            subscription._put(event)

    def count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def on_empty(self) -> None:
        pass


class MemoryBus(_Hub):
    def send(self, event: Event) -> None:
        self.deliver(event)

    def subscribe(self) -> Subscription:
        return self.add()


class PostgresBus(_Hub):
    """LISTEN on a connection of its own (never a request's), in a daemon thread started
    by the first subscriber and stopped when the last one leaves."""

    def __init__(self) -> None:
        super().__init__()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._start_lock = threading.Lock()

    def send(self, event: Event) -> None:
        text = event.encode()
        if len(text.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"event {event.kind} too large for NOTIFY ({len(text)} bytes)")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [PG_CHANNEL, text])

    def subscribe(self) -> Subscription:
        subscription = self.add()
        self.ensure_listening()
        return subscription

    def ensure_listening(self) -> None:
        """Start the listening thread if it is not running, and wait until it listens."""
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._listening.clear()
                self._thread = threading.Thread(
                    target=self._listen, name="puente-events", daemon=True
                )
                self._thread.start()
        # Events published after subscribe() returns must reach this subscriber.
        self._listening.wait(timeout=10)

    def on_empty(self) -> None:
        if self.count() == 0:
            with self._start_lock:
                self._stop.set()

    def _listen(self) -> None:
        while not self._stop.is_set():
            wrapper = connections.create_connection("default")
            try:
                wrapper.ensure_connection()
                raw = wrapper.connection
                raw.autocommit = True
                raw.execute(f"LISTEN {PG_CHANNEL}")
                self._listening.set()
                while not self._stop.is_set():
                    for notice in raw.notifies(timeout=0.5):
                        try:
                            self.deliver(Event.decode(notice.payload))
                        except (ValueError, KeyError):
                            logger.warning("Ignored a malformed event on %s", PG_CHANNEL)
            except Exception:  # the listener must outlive a database restart
                logger.exception("Event listener lost its connection; reconnecting")
                self._stop.wait(1)
            finally:
                try:
                    wrapper.close()
                except Exception:
                    pass
        self._listening.clear()


class DatabaseBus(_Hub):
    """Events through the `LiveEvent` table: each process's polling thread (started by its
    first subscriber, stopped with its last) reads the rows written since the last it saw.
    An event reaches another process's advocates within one poll (PUENTE_EVENTS_POLL_MS)."""

    # Rows older than this are deleted: every poller has read them long before.
    KEEP = timedelta(minutes=5)
    PRUNE_EVERY = 100

    def __init__(self) -> None:
        super().__init__()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._polling = threading.Event()
        self._start_lock = threading.Lock()

    def send(self, event: Event) -> None:
        row = LiveEvent.objects.create(published_at=timezone.now(), body=event.encode())
        if row.pk % self.PRUNE_EVERY == 0:
            LiveEvent.objects.filter(published_at__lt=timezone.now() - self.KEEP).delete()

    def subscribe(self) -> Subscription:
        subscription = self.add()
        self.ensure_polling()
        return subscription

    def ensure_polling(self) -> None:
        """Start the polling thread if it is not running, and wait until it has read where
        the table stands (events published after subscribe() returns must arrive)."""
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._polling.clear()
                self._thread = threading.Thread(
                    target=self._poll, name="puente-events", daemon=True
                )
                self._thread.start()
        self._polling.wait(timeout=10)

    def on_empty(self) -> None:
        if self.count() == 0:
            with self._start_lock:
                self._stop.set()

    def _poll(self) -> None:
        interval = settings.PUENTE_EVENTS_POLL_MS / 1000
        last: int | None = None
        try:
            # Stops with the last subscriber (on_empty), or finds none left at its next
            # poll (a server that stopped without closing its streams).
            while not self._stop.is_set() and self.count():
                try:
                    if last is None:
                        last = (
                            LiveEvent.objects.order_by("-id").values_list("id", flat=True).first()
                            or 0
                        )
                        self._polling.set()
                    rows = list(
                        LiveEvent.objects.filter(id__gt=last)
                        .order_by("id")
                        .values_list("id", "body")[:500]
                    )
                    for row_id, body in rows:
                        last = row_id
                        try:
                            self.deliver(Event.decode(body))
                        except (ValueError, KeyError):
                            logger.warning("Ignored a malformed live event %s", row_id)
                    if len(rows) == 500:
                        continue  # a backlog: read on without waiting
                except Exception:  # the poller must outlive a locked or restarted database
                    logger.exception("Live-event poller could not read; retrying")
                    connections["default"].close()
                self._stop.wait(interval)
        finally:
            connections["default"].close()
            self._polling.clear()


_buses: dict[str, _Hub] = {}
_buses_lock = threading.Lock()
_BACKENDS: dict[str, type[MemoryBus] | type[DatabaseBus] | type[PostgresBus]] = {
    "memory": MemoryBus,
    "database": DatabaseBus,
    "postgres": PostgresBus,
}


def bus() -> MemoryBus | DatabaseBus | PostgresBus:
    name = settings.PUENTE_EVENTS_BACKEND
    with _buses_lock:
        if name not in _buses:
            _buses[name] = _BACKENDS[name]()
        return _buses[name]  # type: ignore[return-value]


def publish(kind: str, payload: dict[str, Any]) -> Event:
    """Announce `kind` with `payload` (ids and small facts, JSON-serialisable) once the
    current transaction commits (at once outside a transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event = Event(kind=kind, payload=payload)
    if sandbox.active():
        # A practice call's events would name sandbox rows on real advocates' screens.
        return event
    target = bus()

    def send() -> None:
        try:
            target.send(event)
        except Exception:  # a lost screen-pop must never fail the call it is about
            logger.exception("Could not publish %s", kind)

    transaction.on_commit(send)
    return event


def subscribe() -> Subscription:
    """Everything published from now on, until the subscription is closed."""
    return bus().subscribe()


# --- Async subscribers: the live pages' server-sent-events streams (puente/channels/live.py)
# A stream waits in the server's event loop, holding neither a thread nor a database
# connection while nothing happens. Publishing happens in whatever thread committed, so an
# event crosses into the loop with call_soon_threadsafe.


class AsyncSubscription(Subscription):
    def __init__(self, hub: _Hub, *, loop: asyncio.AbstractEventLoop, maxsize: int = 1000):
        super().__init__(hub, maxsize=maxsize)
        self._loop = loop
        self._events: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)

    def _put(self, event: Event) -> None:
        try:
            self._loop.call_soon_threadsafe(self._offer, event)
        except RuntimeError:  # the loop has closed: the stream is gone
            pass

    def _offer(self, event: Event) -> None:
        if self._events.full():
            # A reader that stopped reading loses its oldest events, never the server.
            self._events.get_nowait()
        self._events.put_nowait(event)

    async def next(self, timeout: float) -> Event | None:
        """The next event, or None after `timeout` seconds without one."""
        try:
            return await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return None


async def subscribe_async() -> AsyncSubscription:
    """Like `subscribe()`, for a coroutine: events arrive in the running event loop."""
    target = bus()
    subscription = AsyncSubscription(target, loop=asyncio.get_running_loop())
    with target._lock:
        target._subscribers.append(subscription)
    if isinstance(target, PostgresBus):
        # Starting the listener waits for its LISTEN: off the event loop.
        await asyncio.to_thread(target.ensure_listening)
    elif isinstance(target, DatabaseBus):
        await asyncio.to_thread(target.ensure_polling)
    return subscription
