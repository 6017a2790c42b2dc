"""Writing and proving the audit trail.

`record_event` is the only way anything enters the trail. Entries form a hash chain:
hash = SHA-256(previous hash + canonical JSON of this entry's content). Writers are
serialised (a PostgreSQL advisory lock; SQLite allows one writer anyway) so two
requests can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from puente.audit.models import AuditAction, AuditEntry

GENESIS = "0" * 64
_ADVISORY_LOCK_ID = 7_420_011  # arbitrary, constant: "the audit chain"


def _canonical(entry: AuditEntry) -> str:
    content = {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_ref": entry.object_ref,
        "changes": entry.changes,
        "reason": entry.reason,
        "ip": entry.ip,
        "via": entry.via,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def compute_hash(entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """[{field, old, new}] for every key whose value differs: what the audit stores for a
    change, so a reviewer sees exactly what was overwritten."""
    return [
        {"field": key, "old": _jsonable(before.get(key)), "new": _jsonable(after.get(key))}
        for key in after
        if before.get(key) != after.get(key)
    ]


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    action: str,
    actor=None,
    actor_name: str = "",
    obj=None,
    object_type: str = "",
    object_id: Any = "",
    object_ref: str = "",
    changes: Iterable[dict[str, Any]] = (),
    reason: str = "",
    request=None,
    via: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        object_ref = object_ref or str(getattr(obj, "reference", "") or "")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is not None and not via:
        via = getattr(request, "puente_via", "web")
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        action=AuditAction(action).value,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_ref=object_ref[:60],
        changes=_jsonable(list(changes)),
        reason=reason,
        ip=client_ip(request),
        via=via or "system",
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.prev_hash = last or GENESIS
        entry.hash = compute_hash(entry, entry.prev_hash)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole trail in id order and recompute every link."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(ok=True, checked=checked)
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(
                    False,
                    checked,
                    entry.id,
                    "does not follow the entry before it (an entry was removed or reordered)",
                )
            if compute_hash(entry, prev) != entry.hash:
                return VerifyResult(
                    False, checked, entry.id, "its content does not match its hash (it was edited)"
                )
            prev = entry.hash
            checked += 1
            last_id = entry.id
