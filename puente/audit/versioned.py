"""Versioned writes: change a record only if nobody saved it since the caller read it.

Every record with a `version` column (cases, persons, listings, referrals, reports,
contacts) is changed through `write_if_unchanged`, and a stale read is refused with
`puente.core.concurrency.StaleWriteError`. It lives beside the audit trail because the
refusal names who saved last, and only the trail names people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from puente.audit.domain import record_event
from puente.audit.models import AuditEntry
from puente.core.concurrency import StaleWriteError

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class LastChange:
    by: str
    at: datetime | None


def last_change(*, obj: models.Model) -> LastChange:
    """Who last wrote `obj`, and when, from the audit trail."""
    entry = (
        AuditEntry.objects.filter(
            object_type=obj._meta.model_name, object_id=str(obj.pk), action__in=["create", "change"]
        )
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if entry is None:
        return LastChange(by=gettext("someone"), at=getattr(obj, "updated_at", None))
    name = entry.actor.display_name if entry.actor else (entry.actor_name or gettext("the system"))
    return LastChange(by=name, at=entry.at)


def stale_write(*, obj: models.Model) -> StaleWriteError:
    """The refusal for a save that came too late: the record as stored now, and who
    saved it last."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    who = last_change(obj=fresh)
    return StaleWriteError(record=fresh, changed_by=who.by, changed_at=who.at)


def require_version(*, obj: models.Model, expected_version: int) -> None:
    """Refuse early, before checking the new values, when the caller read an older
    version than `obj` (just read) has. `write_if_unchanged` checks again as it writes."""
    if _version(obj) != expected_version:
        raise stale_write(obj=obj)


def write_if_unchanged(
    *,
    obj: M,
    expected_version: int,
    values: dict[str, Any],
    changes: Iterable[dict[str, Any]],
    by: AbstractBaseUser | AnonymousUser | None,
    request: HttpRequest | None = None,
    object_ref: str = "",
    via: str = "",
) -> M:
    """Write `values` (column -> value) onto `obj`'s row only if it is still at
    `expected_version`, as one UPDATE … WHERE version = n so that no other save can come
    between the check and the write; then bump the version, refresh `obj` and audit
    `changes` (as from `field_changes`). If another save came first, nothing is written
    and StaleWriteError names who and when. Run it inside the caller's transaction."""
    model = type(obj)
    stamp = {"updated_at": timezone.now()} if _has_field(model, "updated_at") else {}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, **stamp, version=F("version") + 1
    )
    if updated == 0:
        raise stale_write(obj=obj)
    obj.refresh_from_db()
    record_event(
        action="change",
        actor=by,
        obj=obj,
        object_ref=object_ref,
        request=request,
        changes=changes,
        via=via,
    )
    return obj


class _Versioned(Protocol):
    version: int


def _version(obj: models.Model) -> int:
    # Every versioned model has this column; models.Model itself does not declare it.
    return cast(_Versioned, obj).version


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)
