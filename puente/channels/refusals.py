"""Webhook requests nobody was proven to send (unsigned, forged signature), counted.

A forger can send thousands of requests a minute; the audit trail is chained and never
deleted, so it gets one entry per source address and hour (the first refusal of that
hour), and the count goes in `WebhookRefusal`'s row for that hour — as the partner
exchange's inbox counts its refusals and the sign-in throttle audits an address once."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from puente.audit.domain import record_event
from puente.channels.models import WebhookRefusal


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def count_refusal(
    *, source: str, endpoint: str, reason: str, now: datetime, request: HttpRequest | None
) -> None:
    hour = _hour(now)
    source = source[:45]
    changes = {
        "refused": F("refused") + 1,
        "last_endpoint": endpoint[:40],
        "last_reason": reason[:200],
    }
    row = WebhookRefusal.objects.filter(source=source, hour=hour)
    if row.update(**changes):
        return
    try:
        with transaction.atomic():
            WebhookRefusal.objects.create(
                source=source,
                hour=hour,
                refused=1,
                last_endpoint=endpoint[:40],
                last_reason=reason[:200],
            )
            record_event(
                action="access_denied",
                object_type="webhook",
                object_ref=source,
                reason=(
                    f"{endpoint}: {reason}; further refusals from this address this hour "
                    "are counted, not listed"
                ),
                request=request,
                via="webhook",
            )
    except IntegrityError:  # another process opened this hour's row first
        row.update(**changes)


def purge_refusals(*, older_than: datetime) -> int:
    deleted, _rows = WebhookRefusal.objects.filter(hour__lt=older_than).delete()
    return deleted
