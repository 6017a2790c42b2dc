"""The outbox: every message reaches its partner once, in order, however long the
partner is away.

A message is written to the outbox in the same transaction as the action that caused it
(a referral sent, a status changed), so there is never an action without its message or
a message without its action. After commit a delivery task is queued (Django's tasks
API, database-backed: `puente worker` runs it). The task takes the partner's delivery
lease, so one worker at a time sends to a partner, oldest message first; it stops at the
first message that cannot be delivered and schedules itself again after an exponential
backoff. The receiver keys its inbox by message id, so a message sent twice (a worker
killed after the partner stored it but before we marked it delivered) is acknowledged
and not applied again. The worker's sweep re-queues deliveries a killed worker left.

A message is delivered only on an acknowledgement signed by one of the partner's
registered keys (`signing.verify_acknowledgement`). An answer that does not verify —
unsigned, signed by another key, stale, or for another message id — proves nothing
either way: the try counts as failed, the reason is kept, and the message is tried
again after the backoff, never marked delivered nor failed for good on its word.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from puente.federation import choices as fc
from puente.federation import keys
from puente.federation.models import CrossBorderReferral, OutboxMessage, PartnerHotline
from puente.federation.partners import insecure_url_reason
from puente.federation.schema import Envelope
from puente.federation.signing import NotAcknowledged, sign_request, verify_acknowledgement

logger = logging.getLogger("puente.federation")

# Statuses worth trying again: the partner is down, overloaded or restarting. Any other
# refusal means the message itself is wrong; it waits for a person to look.
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}

# Sends one signed request and returns the partner's answer (tests pass an in-process inbox).
Transport = Callable[[requests.PreparedRequest], requests.Response]


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after `attempts` failures: base × 2^(n-1), capped, with
    ±10% jitter so a fleet of messages does not retry in lock-step."""
    base = settings.PUENTE_EXCHANGE_BACKOFF_MS / 1000
    cap = settings.PUENTE_EXCHANGE_BACKOFF_MAX_MS / 1000
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    jitter = (rng or random).uniform(0.9, 1.1)
    return timedelta(seconds=delay * jitter)


def encode(envelope: Envelope) -> str:
    return json.dumps(envelope.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def queue_message(
    *, partner: PartnerHotline, envelope: Envelope, referral: CrossBorderReferral | None = None
) -> OutboxMessage:
    """Write a message to the outbox; call inside the action's transaction."""
    message = OutboxMessage.objects.create(
        message_id=envelope.message_id,
        partner=partner,
        referral=referral,
        message_type=envelope.message_type,
        body=encode(envelope),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: schedule_delivery(partner.pk))
    return message


@task(queue_name="exchange")
def deliver_to_partner(partner_id: int) -> str:
    """The background task `puente worker` runs (Django's tasks API through django-tasks,
    with the database backend: the queue is a table, so no broker is needed)."""
    return deliver_pending(partner_id)


def schedule_delivery(partner_id: int, *, at: datetime | None = None) -> None:
    task = deliver_to_partner.using(run_after=at) if at else deliver_to_partner
    task.enqueue(partner_id)


@dataclass
class Attempt:
    delivered: bool
    permanent: bool = False
    error: str = ""
    retry_after: timedelta | None = None  # the partner's Retry-After, when it sent one


def _retry_after(response: requests.Response) -> timedelta | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - datetime.now(UTC))


def _send(message: OutboxMessage, private_key: Ed25519PrivateKey, transport: Transport) -> Attempt:
    prepared = sign_request(
        url=message.partner.inbox_url,
        body=message.body.encode(),
        message_id=str(message.message_id),
        private_key=private_key,
    )
    try:
        response = transport(prepared)
    except requests.RequestException as exc:
        return Attempt(False, error=f"{type(exc).__name__}: {exc}"[:2000])
    try:
        verify_acknowledgement(
            response, partner=message.partner, message_id=str(message.message_id)
        )
    except NotAcknowledged as exc:
        return Attempt(
            False,
            error=f"Not acknowledged: {exc}"[:2000],
            retry_after=_retry_after(response),
        )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    if 200 <= response.status_code < 300:
        if str(answer.get("message_id")) != str(message.message_id) or answer.get("status") not in (
            "accepted",
            "duplicate",
        ):
            return Attempt(
                False, error=f"HTTP {response.status_code} signed, but without an acknowledgement"
            )
        return Attempt(True)
    error = f"HTTP {response.status_code} {answer.get('error', '')}: {answer.get('detail', '')}"
    return Attempt(
        False,
        permanent=response.status_code not in TRANSIENT_STATUSES,
        error=error[:2000],
        retry_after=_retry_after(response),
    )


def _default_transport(prepared: requests.PreparedRequest) -> requests.Response:
    with requests.Session() as session:
        return session.send(prepared, timeout=settings.PUENTE_EXCHANGE_TIMEOUT_SECONDS)


def _take_lease(partner_id: int) -> bool:
    now = timezone.now()
    return bool(
        PartnerHotline.objects.filter(pk=partner_id)
        .filter(Q(delivery_lease_until__isnull=True) | Q(delivery_lease_until__lt=now))
        .update(
            delivery_lease_until=now + timedelta(seconds=settings.PUENTE_EXCHANGE_LEASE_SECONDS)
        )
    )


def _renew_lease(partner_id: int) -> None:
    PartnerHotline.objects.filter(pk=partner_id).update(
        delivery_lease_until=timezone.now()
        + timedelta(seconds=settings.PUENTE_EXCHANGE_LEASE_SECONDS)
    )


def deliver_pending(partner_id: int, *, transport: Transport | None = None) -> str:
    """Send this partner's queued messages, oldest first. Returns what happened, for the
    worker's log."""
    private_key = keys.signing_key()
    if private_key is None:
        logger.error("No signing key (PUENTE_SIGNING_KEY_FILE): nothing can be sent.")
        return "no signing key"
    if not _take_lease(partner_id):
        return "another worker is delivering to this partner"
    transport = transport or _default_transport
    sent = 0
    try:
        while True:
            message = (
                OutboxMessage.objects.select_related("partner")
                .filter(partner_id=partner_id, state=fc.DeliveryState.QUEUED)
                .order_by("id")
                .first()
            )
            if message is None:
                return f"delivered {sent}; nothing left"
            if not message.partner.active:
                return "partner switched off; messages wait"
            refused_url = insecure_url_reason(message.partner.base_url)
            if refused_url:
                logger.error("Not sending to %s: %s", message.partner.name, refused_url)
                return f"partner address refused; messages wait: {refused_url}"
            now = timezone.now()
            if message.next_attempt_at > now:
                # Earlier messages go first: wait for this one's turn.
                schedule_delivery(partner_id, at=message.next_attempt_at)
                return f"delivered {sent}; next try at {message.next_attempt_at:%H:%M:%S}"
            attempt = _send(message, private_key, transport)
            message.attempts += 1
            message.last_attempt_at = timezone.now()
            if attempt.delivered:
                message.state = fc.DeliveryState.DELIVERED
                message.delivered_at = message.last_attempt_at
                message.last_error = ""
                sent += 1
            else:
                message.last_error = attempt.error
                logger.warning("Delivery of %s failed: %s", message.message_id, attempt.error)
                if attempt.permanent or message.attempts >= settings.PUENTE_EXCHANGE_MAX_ATTEMPTS:
                    message.state = fc.DeliveryState.FAILED
                else:
                    # A partner that asks for a longer pause (429 Retry-After) gets it.
                    wait = max(backoff(message.attempts), attempt.retry_after or timedelta(0))
                    cap = timedelta(milliseconds=settings.PUENTE_EXCHANGE_BACKOFF_MAX_MS)
                    message.next_attempt_at = message.last_attempt_at + min(wait, cap)
            message.save(
                update_fields=[
                    "state",
                    "attempts",
                    "last_attempt_at",
                    "delivered_at",
                    "last_error",
                    "next_attempt_at",
                ]
            )
            _renew_lease(partner_id)
    finally:
        PartnerHotline.objects.filter(pk=partner_id).update(delivery_lease_until=None)


def retry(message: OutboxMessage) -> OutboxMessage:
    """An administrator sends a failed message again, from a fresh count. A message whose
    body retention removed cannot be sent again: there is nothing left to send."""
    if message.purged_at is not None:
        raise ValueError("This message's body was removed by retention; it cannot be resent.")
    message.state = fc.DeliveryState.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: schedule_delivery(message.partner_id))
    return message


def sweep(*, overdue_after: timedelta | None = None) -> list[int]:
    """Queue a delivery for every partner with a message whose time has come and gone —
    what a worker killed mid-delivery leaves behind. Cheap when there is nothing to do."""
    overdue_after = overdue_after or timedelta(seconds=settings.PUENTE_WORKER_SWEEP_SECONDS)
    cutoff = timezone.now() - overdue_after
    partners = list(
        OutboxMessage.objects.filter(state=fc.DeliveryState.QUEUED, next_attempt_at__lte=cutoff)
        .values_list("partner_id", flat=True)
        .distinct()
    )
    for partner_id in partners:
        schedule_delivery(partner_id)
    return partners
