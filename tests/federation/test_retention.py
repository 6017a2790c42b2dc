"""What federation gives `puente purge`: message bodies removed once they have done their
work, ids, states and times kept (exactly-once and the status history still hold), and
the inbox's counted refusals deleted by age."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from puente.federation import delivery, domain, schema
from puente.federation.models import InboxMessage, InboxRefusalSummary, OutboxMessage
from tests.federation.conftest import deliver, encode, offer_document, signed


def _outgoing(partner, state):
    envelope = schema.Envelope(
        schema_version=2,
        message_type="referral.status",
        message_id=str(__import__("uuid").uuid4()),
        exchange_id="5b0f9c7e-1111-4222-8333-944445555666",
        sent_at=timezone.now(),
        sender={"hotline": "US", "country": "US"},
        body={"seq": 1},
    )
    message = delivery.queue_message(partner=partner.hotline, envelope=envelope)
    OutboxMessage.objects.filter(pk=message.pk).update(state=state)
    return message


def _age(model, days, **filters):
    field = "received_at" if model is InboxMessage else "created_at"
    model.objects.filter(**filters).update(**{field: timezone.now() - timedelta(days=days)})


def test_finished_messages_lose_their_bodies_and_keep_their_history(partner, own_key):
    delivered = _outgoing(partner, "delivered")
    failed = _outgoing(partner, "failed")
    queued = _outgoing(partner, "queued")
    recent = _outgoing(partner, "delivered")
    _age(OutboxMessage, 100, pk__in=[delivered.pk, failed.pk, queued.pk])
    document = offer_document()
    deliver(signed(encode(document), partner.private_key, message_id=document["message_id"]))
    _age(InboxMessage, 100)

    purged = domain.purge_exchange_payloads(
        older_than=timezone.now() - timedelta(days=90), limit=100
    )

    assert purged == 3
    rows = {m.pk: m for m in OutboxMessage.objects.all()}
    assert (rows[delivered.pk].body, rows[delivered.pk].state) == ("", "delivered")
    assert rows[delivered.pk].purged_at is not None
    assert rows[failed.pk].body == ""
    assert rows[queued.pk].body != "" and rows[queued.pk].purged_at is None  # still to send
    assert rows[recent.pk].body != ""
    incoming = InboxMessage.objects.get()
    assert incoming.payload == {} and incoming.purged_at is not None
    assert str(incoming.message_id) == document["message_id"] and incoming.body_digest


def test_a_redelivery_after_the_purge_is_still_acknowledged_and_not_applied_again(partner, own_key):
    document = offer_document()
    deliver(signed(encode(document), partner.private_key, message_id=document["message_id"]))
    _age(InboxMessage, 100)
    assert domain.purge_exchange_payloads(older_than=timezone.now(), limit=10) == 1
    again = deliver(
        signed(encode(document), partner.private_key, message_id=document["message_id"])
    )
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert InboxMessage.objects.count() == 1


def test_purging_stops_at_the_limit_and_the_next_run_continues(partner, own_key):
    for _ in range(3):
        _outgoing(partner, "delivered")
    _age(OutboxMessage, 100)
    cutoff = timezone.now() - timedelta(days=1)
    assert domain.purge_exchange_payloads(older_than=cutoff, limit=2) == 2
    assert domain.purge_exchange_payloads(older_than=cutoff, limit=2) == 1
    assert domain.purge_exchange_payloads(older_than=cutoff, limit=2) == 0
    assert domain.purge_exchange_payloads(older_than=cutoff, limit=0) == 0


def test_refusal_summaries_are_deleted_by_age(db):
    now = timezone.now().replace(second=0, microsecond=0)
    for days in (1, 40, 41, 42):
        InboxRefusalSummary.objects.create(
            source="198.51.100.9", minute=now - timedelta(days=days), refused=5
        )
    cutoff = now - timedelta(days=30)
    assert domain.purge_refusal_summaries(older_than=cutoff, limit=2) == 2
    assert domain.purge_refusal_summaries(older_than=cutoff, limit=10) == 1
    assert InboxRefusalSummary.objects.count() == 1
    assert domain.purge_refusal_summaries(older_than=cutoff, limit=10) == 0
