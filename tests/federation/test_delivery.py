"""The outbox: delivered once, in order; retried with backoff while the partner is away;
failed (and retryable by an administrator) when the partner refuses or never returns."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from puente.federation import delivery, keys, partners, schema
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.federation.signing import MESSAGE_ID_HEADER
from tests.federation.conftest import answer, make_partner


class _FakePartner:
    """A partner's inbox on the far side of the network: it can be down, refuse, or
    acknowledge — signing its answers with `private_key`, as a version-2 partner does;
    it records what reached it."""

    def __init__(self, private_key=None):
        self.private_key = private_key
        self.down = False
        self.refuse_with = None
        self.headers: dict = {}
        self.received: list[dict] = []

    def __call__(self, prepared):
        if self.down:
            raise requests.ConnectionError("connection refused")
        message_id = prepared.headers[MESSAGE_ID_HEADER]
        if self.refuse_with:
            return answer(
                {"error": "invalid_message", "detail": "no"},
                status=self.refuse_with,
                private_key=self.private_key,
                message_id=message_id,
                headers=self.headers,
            )
        assert "Signature" in prepared.headers and "Content-Digest" in prepared.headers
        self.received.append(json.loads(prepared.body))
        return answer(
            {"message_id": message_id, "status": "accepted"}, private_key=self.private_key
        )


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


@pytest.fixture
def FakePartner(partner):  # noqa: N802 - reads as the class it stands for
    """The partner's inbox, signing with the partner's registered key."""
    return lambda: _FakePartner(partner.private_key)


def test_messages_are_delivered_once_in_the_order_they_were_written(mx, own_key, FakePartner):
    _queue(mx, 3)
    inbox = FakePartner()
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert [m["body"]["seq"] for m in inbox.received] == [1, 2, 3]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}
    delivery.deliver_pending(mx.pk, transport=inbox)
    assert len(inbox.received) == 3


def test_a_partner_that_is_down_gets_everything_when_it_returns(mx, own_key, settings, FakePartner):
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


def test_a_failed_try_schedules_the_next_after_the_backoff(mx, own_key, settings, FakePartner):
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


def test_a_partner_refusal_fails_the_message_at_once_and_later_ones_still_go(
    mx, own_key, FakePartner
):
    _queue(mx, 2)
    inbox = FakePartner()
    inbox.refuse_with = 422
    delivery.deliver_pending(mx.pk, transport=inbox)
    first, second = OutboxMessage.objects.order_by("id")
    assert first.state == "failed" and "422 invalid_message" in first.last_error
    assert second.state == "failed"


def test_after_the_last_attempt_a_message_is_failed_and_an_administrator_can_retry(
    mx, own_key, settings, FakePartner
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


def test_one_worker_at_a_time_delivers_to_a_partner(mx, own_key, FakePartner):
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


def test_without_a_signing_key_nothing_is_sent_and_nothing_is_lost(mx, settings, FakePartner):
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


# --- acknowledgements: only a signed one from the partner's own key delivers --------------


def _one_try(mx, transport):
    (message,) = _queue(mx)
    delivery.deliver_pending(mx.pk, transport=transport)
    message.refresh_from_db()
    return message


def _echo(*, private_key=None, message_id=None, now=None, status=202):
    """A stub at the partner's address: echoes the message id (or another) with 202."""

    def transport(prepared):
        echoed = message_id or prepared.headers[MESSAGE_ID_HEADER]
        return answer(
            {"message_id": echoed, "status": "accepted"},
            status=status,
            private_key=private_key,
            message_id=echoed,
            now=now,
        )

    return transport


def test_an_unsigned_echo_of_the_message_id_is_not_a_delivery(mx, own_key, settings):
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 60_000
    message = _one_try(mx, _echo())
    assert (message.state, message.attempts, message.delivered_at) == ("queued", 1, None)
    assert "not signed" in message.last_error
    # Retried with backoff, like a partner that is down.
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_an_acknowledgement_signed_by_a_key_not_registered_for_the_partner_is_refused(mx, own_key):
    stranger = Ed25519PrivateKey.generate()
    message = _one_try(mx, _echo(private_key=stranger))
    assert message.state == "queued"
    stranger_id = keys.public_info(stranger).key_id
    assert f"signed by key {stranger_id}, which is not a registered key of" in message.last_error


def test_an_acknowledgement_signed_by_another_partners_key_is_refused(mx, own_key):
    other = make_partner(name="Another hotline", country="GT", url="https://gt.example")
    message = _one_try(mx, _echo(private_key=other.private_key))
    assert message.state == "queued"
    assert "not a registered key of Línea Nacional" in message.last_error


def test_an_acknowledgement_by_a_revoked_key_is_refused(partner, own_key):
    partners.revoke_key(key=partner.key_record)
    message = _one_try(partner.hotline, _echo(private_key=partner.private_key))
    assert message.state == "queued"
    assert "not a registered key" in message.last_error


def test_a_signed_acknowledgement_of_another_message_is_refused(partner, own_key):
    other_id = "7d0e3b7c-2222-4333-8444-955556666777"
    message = _one_try(partner.hotline, _echo(private_key=partner.private_key, message_id=other_id))
    assert message.state == "queued"
    assert f"is for message {other_id}" in message.last_error


def test_a_stale_acknowledgement_is_refused(partner, own_key):
    old = datetime.now(UTC) - timedelta(hours=1)
    message = _one_try(partner.hotline, _echo(private_key=partner.private_key, now=old))
    assert message.state == "queued"
    assert "Puente-Date" in message.last_error


def test_a_changed_acknowledgement_status_is_refused(partner, own_key):
    """The signature covers @status: a 422 refusal turned into a 202 does not verify."""

    def transport(prepared):
        signed_refusal = answer(
            {"message_id": prepared.headers[MESSAGE_ID_HEADER], "status": "accepted"},
            status=422,
            private_key=partner.private_key,
        )
        signed_refusal.status_code = 202
        return signed_refusal

    message = _one_try(partner.hotline, transport)
    assert message.state == "queued"
    assert "does not verify" in message.last_error


def test_an_unsigned_refusal_does_not_fail_the_message_for_good(mx, own_key):
    """A stub cannot make a message fail permanently either: it is retried."""
    inbox = _FakePartner(private_key=None)
    inbox.refuse_with = 422
    message = _one_try(mx, inbox)
    assert (message.state, message.attempts) == ("queued", 1)
    assert "not signed" in message.last_error


def test_a_rate_limited_try_waits_at_least_as_long_as_the_partner_asks(partner, own_key, settings):
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 1000
    inbox = _FakePartner(partner.private_key)
    inbox.refuse_with = 429
    inbox.headers = {"Retry-After": "120"}
    message = _one_try(partner.hotline, inbox)
    assert message.state == "queued"
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=110)


def test_nothing_is_sent_to_a_plain_http_partner_outside_the_demo(mx, own_key, FakePartner):
    # Registered before the rule, or in a demo database later served for real.
    PartnerHotline.objects.filter(pk=mx.pk).update(base_url="http://mx.example")
    (message,) = _queue(mx)
    inbox = FakePartner()
    assert "address refused" in delivery.deliver_pending(mx.pk, transport=inbox)
    assert inbox.received == []
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("queued", 0)


def test_a_purged_message_cannot_be_retried(mx, own_key):
    (message,) = _queue(mx)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="failed", body="", purged_at=timezone.now()
    )
    message.refresh_from_db()
    with pytest.raises(ValueError, match="retention"):
        delivery.retry(message)
