"""Deleting records for good (retention), and knowing exactly what went.

A record's audit entries keep what it said (the fields of a create, the old and new
values of a change). When the record is purged, its content must leave the trail too, so
whoever deletes needs the id of every row that went — the record and everything that
cascaded with it (a case's people, identifiers, notes, tasks, screenings, referrals…).
Django's own deletion collector finds them, so a model added later with a cascading key
is covered without anyone listing it here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.deletion import Collector

# model name (the audit trail's object_type) -> ids of the rows deleted, as text (the
# trail's object_id is text).
Deleted = dict[str, list[str]]


def delete_with_dependents(*, queryset: QuerySet[Any]) -> Deleted:
    """Delete the rows of `queryset` and everything that cascades from them; return the
    ids of every row deleted, by model name. Raises ProtectedError, deleting nothing, if
    another record protects one of them."""
    with transaction.atomic(using=queryset.db):
        collector = Collector(using=queryset.db, origin=queryset)
        collector.collect(queryset)
        gone: dict[str, set[str]] = defaultdict(set)
        for model, instances in collector.data.items():
            gone[model._meta.model_name or ""].update(str(obj.pk) for obj in instances)
        # Rows Django deletes with one statement, without loading them: list them first.
        for fast in collector.fast_deletes:
            gone[fast.model._meta.model_name or ""].update(
                str(pk) for pk in fast.values_list("pk", flat=True)
            )
        collector.delete()
    return {name: sorted(ids) for name, ids in gone.items() if ids}
