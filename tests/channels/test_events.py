"""The live-event bus: published in one thread (on its own database connection), heard in
another; only once the publishing transaction commits. In memory for one process; through
a polled table (any database) or PostgreSQL's LISTEN/NOTIFY for several."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from puente.channels import events
from puente.channels.models import LiveEvent


def _publish_from_another_thread(kind: str, payload: dict, *, rollback: bool = False) -> None:
    def run():
        try:
            with transaction.atomic():
                events.publish(kind, payload)
                if rollback:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)


@pytest.fixture(params=["memory", "database", "postgres"])
def backend(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (DATABASE_URL=postgres://…)")
    settings.PUENTE_EVENTS_BACKEND = request.param
    return request.param


@pytest.mark.django_db(transaction=True)
def test_an_event_published_in_one_thread_is_heard_in_another(backend):
    with events.subscribe() as first, events.subscribe() as second:
        _publish_from_another_thread(events.CALL_WAITING, {"contact_id": 7, "number": "+1 713"})
        for subscription in (first, second):
            heard = subscription.get(timeout=5)
            assert heard is not None
            assert heard.kind == "call_waiting" and heard.payload == {
                "contact_id": 7,
                "number": "+1 713",
            }


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_is_never_heard(backend):
    with events.subscribe() as subscription:
        _publish_from_another_thread(events.CALL_WAITING, {"contact_id": 1}, rollback=True)
        _publish_from_another_thread(events.CONTACT_CLOSED, {"contact_id": 2})
        heard = subscription.get(timeout=5)
        assert heard.kind == "contact_closed" and heard.payload == {"contact_id": 2}
        assert subscription.get(timeout=0.3) is None


@pytest.mark.django_db(transaction=True)
def test_after_closing_nothing_more_arrives(backend):
    subscription = events.subscribe()
    subscription.close()
    _publish_from_another_thread(events.THREAD_CLAIMED, {"thread_id": 1, "claimed_by": 2})
    assert subscription.get(timeout=0.3) is None


@pytest.mark.threads_share_the_database
@pytest.mark.django_db(transaction=True)
def test_through_the_table_an_event_reaches_every_process_once(settings):
    # Two buses stand for two server processes on one database: each has its own poller.
    settings.PUENTE_EVENTS_BACKEND = "database"
    settings.PUENTE_EVENTS_POLL_MS = 20
    here, there = events.DatabaseBus(), events.DatabaseBus()
    with here.subscribe() as mine, there.subscribe() as theirs:
        here.send(events.Event(events.CALL_WAITING, {"contact_id": 3}))
        there.send(events.Event(events.CONTACT_CLOSED, {"contact_id": 3}))
        for subscription in (mine, theirs):
            heard = [subscription.get(timeout=5), subscription.get(timeout=5)]
            assert [e.kind for e in heard] == ["call_waiting", "contact_closed"]
            assert subscription.get(timeout=0.2) is None


@pytest.mark.django_db(transaction=True)
def test_the_table_keeps_only_recent_events(settings):
    bus = events.DatabaseBus()
    bus.PRUNE_EVERY = 1
    old = LiveEvent.objects.create(published_at=timezone.now() - timedelta(minutes=6), body="{}")
    bus.send(events.Event(events.CALL_WAITING, {"contact_id": 1}))
    assert not LiveEvent.objects.filter(pk=old.pk).exists()
    assert LiveEvent.objects.count() == 1


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        events.publish("anything", {})


def test_a_subscriber_that_stops_reading_keeps_only_the_newest():
    hub = events.MemoryBus()
    subscription = hub.subscribe()
    subscription._queue.maxsize = 3
    for n in range(5):
        hub.send(events.Event(kind=events.THREAD_MESSAGE, payload={"n": n}))
    assert [subscription.get(timeout=0).payload["n"] for _ in range(3)] == [2, 3, 4]
