"""The outbox: delivered once, in order; retried with backoff while the partner is away;
failed (and retryable by an administrator) when the partner refuses or never returns."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from puente.federation import delivery, schema
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.federation.signing import MESSAGE_ID_HEADER


class FakePartner:
    """A partner's inbox on the far side of the network: it can be down, refuse, or
    acknowledge; it records what reached it."""

    def __init__(self):
        self.down = False
        self.refuse_with = None
        self.received: list[dict] = []

    def __call__(self, prepared):
        if self.down:
            raise requests.ConnectionError("connection refused")
        message_id = prepared.headers[MESSAGE_ID_HEADER]
        response = requests.Response()
        if self.refuse_with:
            response.status_code = self.refuse_with
            response._content = json.dumps({"error": "invalid_message", "detail": "no"}).encode()
            return response
        assert "Signature" in prepared.headers and "Content-Digest" in prepared.headers
        self.received.append(json.loads(prepared.body))
        response.status_code = 202
        response._content = json.dumps({"message_id": message_id, "status": "accepted"}).encode()
        return response


def _queue(partner_hotline, n: int = 1) -> list[OutboxMessage]:
    queued = []
    for i in range(n):
        envelope = schema.Envelope(
            schema_version=1,
            message_type="referral.status",
            message_id=str(__import__("uuid").uuid4()),
            exchange_id="5b0f9c7e-1111-4222-8333-944445555666",
            sent_at=timezone.now(),
            sender={"hotline": "US", "country": "US"},
            body={"seq": i + 1},
        )
        queued.append(delivery.queue_message(partner=partner_hotline, envelope=envelope))
    return queued


def _due_now():
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def mx(partner):
    return partner.hotline


def test_messages_are_delivered_once_in_the_order_they_were_written(mx, own_key):
    _queue(mx, 3)
    inbox = FakePartner()
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert [m["body"]["seq"] for m in inbox.received] == [1, 2, 3]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert len(inbox.received) == 3


def test_a_partner_that_is_down_gets_everything_when_it_returns(mx, own_key, settings):
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 1000
    _queue(mx, 2)
    inbox = FakePartner()
    inbox.down = True
    for _ in range(5):
        delivery.deliver_pending(mx.pk, transport=inbox)
        _due_now()
    first, second = OutboxMessage.objects.order_by("id")
    assert (first.state, first.attempts) == ("queued", 5)
    assert "connection refused" in first.last_error
    # The second waits behind the first: order is kept.
    assert second.attempts == 0
    inbox.down = False
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert [m["body"]["seq"] for m in inbox.received] == [1, 2]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}


def test_retries_back_off_exponentially_with_a_cap(settings):
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 30_000
    settings.PUENTE_EXCHANGE_BACKOFF_MAX_MS = 3_600_000
    rng = random.Random(1)
    delays = [delivery.backoff(n, rng=rng).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert 27 <= delays[0] <= 33
    assert 54 <= delays[1] <= 66
    assert 108 <= delays[2] <= 132
    assert 216 <= delays[3] <= 264
    assert 3240 <= delays[4] <= 3960


def test_a_failed_try_schedules_the_next_after_the_backoff(mx, own_key, settings):
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 60_000
    (message,) = _queue(mx)
    inbox = FakePartner()
    inbox.down = True
    before = timezone.now()
    delivery.deliver_pending(mx.pk, transport=inbox)
    message.refresh_from_db()
    assert before + timedelta(seconds=50) < message.next_attempt_at < before + timedelta(seconds=70)
    # Not yet due: a second run sends nothing.
    inbox.down = False
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert inbox.received == []


def test_a_partner_refusal_fails_the_message_at_once_and_later_ones_still_go(mx, own_key):
    _queue(mx, 2)
    inbox = FakePartner()
    inbox.refuse_with = 422
    delivery.deliver_pending(mx.pk, transport=inbox)
    first, second = OutboxMessage.objects.order_by("id")
    assert first.state == "failed" and "422 invalid_message" in first.last_error
    assert second.state == "failed"


def test_after_the_last_attempt_a_message_is_failed_and_an_administrator_can_retry(
    mx, own_key, settings
):
    settings.PUENTE_EXCHANGE_MAX_ATTEMPTS = 3
    (message,) = _queue(mx)
    inbox = FakePartner()
    inbox.down = True
    for _ in range(3):
        delivery.deliver_pending(mx.pk, transport=inbox)
        _due_now()
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 3)
    inbox.down = False
    delivery.retry(message)
    delivery.deliver_pending(mx.pk, transport=inbox)
    message.refresh_from_db()
    assert message.state == "delivered"
    assert len(inbox.received) == 1


def test_one_worker_at_a_time_delivers_to_a_partner(mx, own_key):
    _queue(mx)
    PartnerHotline.objects.filter(pk=mx.pk).update(
        delivery_lease_until=timezone.now() + timedelta(seconds=30)
    )
    inbox = FakePartner()
    assert "another worker" in delivery.deliver_pending(mx.pk, transport=inbox)
    assert inbox.received == []
    # A lease left by a dead worker runs out on its own.
    PartnerHotline.objects.filter(pk=mx.pk).update(
        delivery_lease_until=timezone.now() - timedelta(seconds=1)
    )
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert len(inbox.received) == 1


def test_without_a_signing_key_nothing_is_sent_and_nothing_is_lost(mx, settings):
    settings.PUENTE_SIGNING_KEY = ""
    _queue(mx)
    inbox = FakePartner()
    assert delivery.deliver_pending(mx.pk, transport=inbox) == "no signing key"
    assert OutboxMessage.objects.get().state == "queued"


def test_the_sweep_requeues_deliveries_left_behind(mx, own_key, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    _queue(mx)
    DBTaskResult.objects.all().delete()
    _due_now()
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert delivery.sweep() == [mx.pk]
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [mx.pk]


def test_writing_a_message_queues_its_delivery_when_the_transaction_commits(
    mx, own_key, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        _queue(mx)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
