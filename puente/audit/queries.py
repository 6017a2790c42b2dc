"""Reading the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from puente.audit.models import AuditEntry


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    obj: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first, narrowed by the filters a reviewer uses. `obj` matches a
    human reference (a case number) or a database id. Dates are whole days in the
    hotline's time zone, both ends included."""
    entries = AuditEntry.objects.order_by("-id")
    if actor:
        entries = entries.filter(actor_name__iexact=actor.strip())
    if action:
        entries = entries.filter(action=action)
    if obj:
        obj = obj.strip()
        entries = entries.filter(Q(object_ref__iexact=obj) | Q(object_id=obj))
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return entries
