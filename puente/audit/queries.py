"""Reading the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from puente.audit.keys import pseudonyms
from puente.audit.models import AuditEntry
from puente.core.phones import try_normalise_phone


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
    human reference (a case number), a database id, or a phone number in any format (the
    trail refers to a looked-up number by its pseudonym). Dates are whole days in the
    hotline's time zone, both ends included."""
    entries = AuditEntry.objects.order_by("-id")
    if actor:
        entries = entries.filter(actor_name__iexact=actor.strip())
    if action:
        entries = entries.filter(action=action)
    if obj:
        obj = obj.strip()
        match = Q(object_ref__iexact=obj) | Q(object_id=obj)
        number = try_normalise_phone(obj, default_region=settings.PUENTE_COUNTRY)
        if number:
            match |= Q(object_ref__in=pseudonyms("phone", number))
        entries = entries.filter(match)
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return entries
