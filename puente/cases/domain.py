"""Case rules: opening, numbering, changing, the status workflow.

(The cases helper extends this module; `open_case` and `next_reference` are the
contract other apps rely on.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from puente.audit.domain import record_event
from puente.cases.models import Case, CaseCounter


def next_reference(*, when=None) -> str:
    """US-2026-000123: the hotline's country, the year, a gap-free counter per year.
    Must run inside the transaction that creates the case (the counter row is locked)."""
    year = timezone.localtime(when or timezone.now()).year
    prefix = settings.PUENTE_COUNTRY
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:06d}"


def open_case(*, by, request=None, **fields) -> Case:
    with transaction.atomic():
        case = Case(created_by=by, owner=fields.pop("owner", by), **fields)
        case.reference = next_reference()
        case.full_clean(exclude=["reference"])
        case.save()
        record_event(action="create", actor=by, obj=case, request=request,
                     changes=[{"field": "status", "old": None, "new": case.status}])
        from puente.search.indexing import reindex_case

        transaction.on_commit(lambda: reindex_case(case.pk))
    return case
