"""Writing and proving the audit trail.

`record_event` is the only way anything enters the trail. Entries form a hash chain:
hash = SHA-256(previous hash + canonical JSON of this entry's content). Writers are
serialised (on PostgreSQL by the lock on the chain head row, `ChainHead`; SQLite allows one
writer anyway) so two requests can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from puente.audit.models import AuditAction, AuditEntry, ChainHead

GENESIS = "0" * 64


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


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    action: str,
    # Any staff account (Django's user base class: accounts is above audit).
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_name: str = "",
    obj: Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_ref: str = "",
    changes: Iterable[dict[str, Any]] = (),
    reason: str = "",
    request: HttpRequest | None = None,
    via: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or obj.pk
        object_ref = object_ref or str(getattr(obj, "reference", "") or "")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is not None and not via:
        via = getattr(request, "puente_via", "web")
    entry = AuditEntry(
        at=timezone.now(),
        # Anonymous visitors were made None just above (getattr hides that from mypy).
        actor=actor,  # type: ignore[misc]
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
    if connection.vendor == "postgresql":
        _append_in_one_statement(entry)
    else:
        _append(entry)
    return entry


def _newest_hash() -> str:
    return AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def _append(entry: AuditEntry) -> None:
    """SQLite: one writer at a time (transactions begin IMMEDIATE), so the head cannot
    move between reading and writing it."""
    with transaction.atomic():
        head = ChainHead.objects.filter(pk=1).first() or ChainHead.objects.create(
            pk=1, previous="", hash=_newest_hash()
        )
        entry.prev_hash = head.hash
        entry.hash = compute_hash(entry, head.hash)
        entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(previous=entry.prev_hash, hash=entry.hash)


# Content columns: everything but the id and the two links, which the database fills.
_CONTENT_FIELDS = [
    f for f in AuditEntry._meta.concrete_fields if f.attname not in ("id", "prev_hash", "hash")
]
# A concrete field always has a column (the stubs allow None for others).
_CONTENT_COLUMNS: list[str] = [f.column for f in _CONTENT_FIELDS]  # type: ignore[misc]
_HEAD = ChainHead._meta.db_table
_ENTRIES = AuditEntry._meta.db_table

# One round trip, where a lock, a read, an insert and a commit took five. The head row's
# lock serialises writers; SHA-256(previous hash + canonical content) as compute_hash.
_APPEND_SQL = f"""
WITH link AS (
    UPDATE {_HEAD}
    SET previous = hash, hash = encode(sha256(convert_to(hash || %s, 'UTF8')), 'hex')
    WHERE id = 1
    RETURNING previous, hash
)
INSERT INTO {_ENTRIES} ({", ".join(_CONTENT_COLUMNS)}, prev_hash, hash)
SELECT {", ".join("%s" for _ in _CONTENT_FIELDS)}, link.previous, link.hash FROM link
RETURNING id, prev_hash, hash
"""

# The head is made on first use, from the newest entry: a new database, one restored
# from a dump, or a test database just emptied.
_SEED_HEAD_SQL = f"""
INSERT INTO {_HEAD} (id, previous, hash)
SELECT 1, '', COALESCE((SELECT hash FROM {_ENTRIES} ORDER BY id DESC LIMIT 1), %s)
ON CONFLICT (id) DO NOTHING
"""


def _append_in_one_statement(entry: AuditEntry) -> None:
    params = [_canonical(entry)] + [
        f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _CONTENT_FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        row = cursor.fetchone()
        if row is None:
            cursor.execute(_SEED_HEAD_SQL, [GENESIS])
            cursor.execute(_APPEND_SQL, params)
            row = cursor.fetchone()
    entry.pk, entry.prev_hash, entry.hash = row
    entry._state.adding = False
    entry._state.db = connection.alias


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole trail in id order and recompute every link, then check that the
    entry the chain's head names is there: removing the newest entries leaves every
    remaining link intact, and only the head tells."""
    # Read before the walk: entries appended while it runs come after this one.
    head = ChainHead.objects.filter(pk=1).values_list("hash", flat=True).first() or GENESIS
    head_seen = head == GENESIS
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            if not head_seen:
                return VerifyResult(
                    False,
                    checked,
                    last_id or None,
                    "the entries after it were removed (the chain's head names a later one)"
                    if last_id
                    else "every entry was removed (the chain's head names one)",
                )
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
            head_seen = head_seen or entry.hash == head
            checked += 1
            last_id = entry.id
