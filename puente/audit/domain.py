"""Writing, proving and purging the audit trail.

`record_event` is the only way anything enters the trail. Entries form a keyed hash
chain: hash = HMAC-SHA-256(audit key, previous hash + canonical JSON of this entry's
description), where the description holds a keyed digest of the content (`changes`,
`reason`) instead of the content itself, so `forget_content` can purge the content and
the chain still verifies. The key lives in the environment (`puente.audit.keys`): whoever
can write to the database but lacks the key cannot recompute a link after an edit.
Writers are serialised (on PostgreSQL by the lock on the chain head row, `ChainHead`;
SQLite allows one writer anyway) so two requests can never both chain onto the same
predecessor.

Entries written before the key existed (legacy, `key_id` "") keep their plain SHA-256
over the full content; the first keyed entry chains onto the last of them, so rewriting
the legacy part still shows. Anchors (`anchor`, `verify_anchors`) kept off the machine
catch what a stolen key would allow: rewriting the trail and signing it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from puente.audit.keys import AuditKey, known_keys, signing_key
from puente.audit.models import AuditAction, AuditEntry, ChainHead
from puente.core.http import client_address

GENESIS = "0" * 64


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _description(entry: AuditEntry) -> dict[str, Any]:
    """Everything about an entry but its content and its links."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_ref": entry.object_ref,
        "ip": entry.ip,
        "via": entry.via,
    }


def _canonical_legacy(entry: AuditEntry) -> str:
    """What a legacy (pre-key) entry's plain SHA-256 covers: the content verbatim."""
    return _json({**_description(entry), "changes": entry.changes, "reason": entry.reason})


def _canonical(entry: AuditEntry) -> str:
    """What a keyed entry's HMAC covers: the content only through its digest."""
    return _json({**_description(entry), "content": entry.content_digest, "key": entry.key_id})


def content_digest(*, changes: Any, reason: str, key: AuditKey) -> str:
    # Keyed, so the digest left behind by a purge cannot confirm a guess at what it held.
    return key.mac("content:" + _json({"changes": changes, "reason": reason}))


def _head_mac(head_hash: str, key: AuditKey) -> str:
    return key.mac("head:" + head_hash)


def _seal_message(entry: AuditEntry) -> str:
    return "seal:" + entry.prev_hash + ":" + entry.hash + ":" + _json(_description(entry))


def compute_hash(entry: AuditEntry, prev_hash: str, *, key: AuditKey | None = None) -> str:
    """The link `entry` should carry after `prev_hash`: HMAC under its key (`key`, or the
    configured key with the entry's `key_id`), or plain SHA-256 for a legacy entry."""
    if not entry.key_id:
        return hashlib.sha256((prev_hash + _canonical_legacy(entry)).encode()).hexdigest()
    if key is None:
        key = known_keys()[entry.key_id]
    return key.mac(prev_hash + _canonical(entry))


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
    return client_address(request)


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
    key = signing_key()
    changes = _jsonable(list(changes))
    entry = AuditEntry(
        at=timezone.now(),
        # Anonymous visitors were made None just above (getattr hides that from mypy).
        actor=actor,  # type: ignore[misc]
        actor_name=actor_name or (actor.get_username() if actor else ""),
        action=AuditAction(action).value,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_ref=object_ref[:60],
        changes=changes,
        reason=reason,
        ip=client_ip(request),
        via=via or "system",
        content_digest=content_digest(changes=changes, reason=reason, key=key),
        key_id=key.id,
    )
    if connection.vendor == "postgresql":
        _append_in_one_statement(entry, key)
    else:
        _append(entry, key)
    return entry


def _newest_hash() -> str:
    return AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def _append(entry: AuditEntry, key: AuditKey) -> None:
    """SQLite: one writer at a time (transactions begin IMMEDIATE), so the head cannot
    move between reading and writing it."""
    with transaction.atomic():
        head = ChainHead.objects.filter(pk=1).first() or ChainHead.objects.create(
            pk=1, previous="", hash=_newest_hash()
        )
        entry.prev_hash = head.hash
        entry.hash = compute_hash(entry, head.hash, key=key)
        entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(
            previous=entry.prev_hash,
            hash=entry.hash,
            mac=_head_mac(entry.hash, key),
            key_id=key.id,
        )


# Content columns: everything but the id and the two links, which the database fills.
_CONTENT_FIELDS = [
    f for f in AuditEntry._meta.concrete_fields if f.attname not in ("id", "prev_hash", "hash")
]
# A concrete field always has a column (the stubs allow None for others).
_CONTENT_COLUMNS: list[str] = [f.column for f in _CONTENT_FIELDS]  # type: ignore[misc]
_HEAD = ChainHead._meta.db_table
_ENTRIES = AuditEntry._meta.db_table


# HMAC-SHA-256(key, message) = sha256(opad key || sha256(ipad key || message)) (RFC 2104),
# from PostgreSQL's core sha256(); the padded keys come in as bytea parameters.
def _hmac_sql(message: str) -> str:
    return f"encode(sha256(%s::bytea || sha256(%s::bytea || convert_to({message}, 'UTF8'))), 'hex')"


_NEW_HASH = _hmac_sql("hash || %s")
# One round trip, where a lock, a read, an insert and a commit took five. The head row's
# lock serialises writers; HMAC(previous hash + canonical description) as compute_hash.
# In SET every `hash` is the old value, so the head's MAC recomputes the new hash.
_APPEND_SQL = f"""
WITH link AS (
    UPDATE {_HEAD}
    SET previous = hash,
        hash = {_NEW_HASH},
        mac = {_hmac_sql("'head:' || " + _NEW_HASH)},
        key_id = %s
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
INSERT INTO {_HEAD} (id, previous, hash, mac, key_id)
SELECT 1, '', COALESCE((SELECT hash FROM {_ENTRIES} ORDER BY id DESC LIMIT 1), %s), '', ''
ON CONFLICT (id) DO NOTHING
"""


def _append_in_one_statement(entry: AuditEntry, key: AuditKey) -> None:
    opad, ipad = key.pads()
    canonical = _canonical(entry)
    link = [opad, ipad, canonical]
    params = [*link, opad, ipad, *link, key.id] + [
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
    # Entries from before the key (plain SHA-256): proven only as well as the first keyed
    # entry after them, and anchors, prove them.
    legacy: int = 0


_EDITED = "its content does not match its hash (it was edited)"


def _unknown_key(key_id: str) -> str:
    return (
        f"is signed with audit key {key_id!r}, which is not configured "
        "(set PUENTE_AUDIT_KEY, or add the retired key to PUENTE_AUDIT_OLD_KEYS)"
    )


def _entry_problem(
    entry: AuditEntry, prev: str, keys: dict[str, AuditKey], keyed_seen: bool
) -> str:
    """Why `entry`, following `prev`, does not prove itself ("" when it does)."""
    if not entry.key_id:
        if keyed_seen:
            # Downgrading a rewritten tail to plain SHA-256 would need no key.
            return "is unkeyed (legacy) but follows keyed entries (the trail was rewritten)"
        if entry.content_removed_at is None:
            return "" if compute_hash(entry, prev) == entry.hash else _EDITED
        if entry.seal == _SEAL_BROKEN:
            return "its content did not match its hash when the content was purged (it was edited)"
        seal_key_id, _, mac = entry.seal.partition(":")
        seal_key = keys.get(seal_key_id)
        if seal_key is None:
            return _unknown_key(seal_key_id)
        return "" if hmac.compare_digest(seal_key.mac(_seal_message(entry)), mac) else _EDITED
    key = keys.get(entry.key_id)
    if key is None:
        return _unknown_key(entry.key_id)
    if entry.content_removed_at is None and not hmac.compare_digest(
        content_digest(changes=entry.changes, reason=entry.reason, key=key), entry.content_digest
    ):
        return _EDITED
    return "" if hmac.compare_digest(compute_hash(entry, prev, key=key), entry.hash) else _EDITED


def _head_problem(head: tuple[str, str, str] | None, keys: dict[str, AuditKey]) -> str:
    """The head of a keyed chain must carry its MAC: without the key nobody can point it
    back at an older entry after removing the newest ones."""
    if head is None:
        return "the chain's head is missing (entries after this one may have been removed)"
    head_hash, mac, key_id = head
    key = keys.get(key_id)
    if not mac or key is None or not hmac.compare_digest(_head_mac(head_hash, key), mac):
        return (
            "the chain's head does not carry a valid signature: it was rewritten, and the "
            "entries after this one may have been removed"
        )
    return ""


def verify_chain(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole trail in id order and recompute every link, then check that the
    entry the chain's head names is there and that the head is signed: removing the
    newest entries leaves every remaining link intact, and only the head tells."""
    keys = known_keys()
    # Read before the walk: entries appended while it runs come after this one.
    head = ChainHead.objects.filter(pk=1).values_list("hash", "mac", "key_id").first()
    head_hash = head[0] if head else GENESIS
    head_seen = head_hash == GENESIS
    prev = GENESIS
    checked = legacy = 0
    last_id = 0
    keyed_seen = False
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
                    legacy,
                )
            problem = _head_problem(head, keys) if keyed_seen else ""
            if problem:
                return VerifyResult(False, checked, last_id, problem, legacy)
            return VerifyResult(ok=True, checked=checked, legacy=legacy)
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(
                    False,
                    checked,
                    entry.id,
                    "does not follow the entry before it (an entry was removed or reordered)",
                    legacy,
                )
            problem = _entry_problem(entry, prev, keys, keyed_seen)
            if problem:
                return VerifyResult(False, checked, entry.id, problem, legacy)
            keyed_seen = keyed_seen or bool(entry.key_id)
            legacy += not entry.key_id
            prev = entry.hash
            head_seen = head_seen or entry.hash == head_hash
            checked += 1
            last_id = entry.id


# --- Anchors: the head, written down off the machine --------------------------------------


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    at: str = ""


def anchor() -> Anchor | None:
    """The chain's head as it is now (None for an empty trail). Kept off the machine, it
    proves later that the trail up to it was neither cut short nor rewritten, even by
    someone who holds the audit key."""
    head = ChainHead.objects.filter(pk=1).values_list("hash", flat=True).first()
    entries = AuditEntry.objects.order_by("-id")
    newest = (entries.filter(hash=head) if head else entries).values_list("id", "hash", "at")
    row = newest.first() or entries.values_list("id", "hash", "at").first()
    if row is None:
        return None
    return Anchor(id=row[0], hash=row[1], at=row[2].isoformat())


def anchor_line(value: Anchor) -> str:
    return _json({"id": value.id, "hash": value.hash, "at": value.at})


def parse_anchor_line(line: str) -> Anchor:
    """One anchor as `anchor_line` wrote it; ValueError when it is not one."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    entry_id, entry_hash = data.get("id"), data.get("hash")
    if not isinstance(entry_id, int) or not isinstance(entry_hash, str) or len(entry_hash) != 64:
        raise ValueError("needs an integer id and a 64-character hash")
    return Anchor(id=entry_id, hash=entry_hash, at=str(data.get("at", "")))


def verify_anchors(*, anchors: Iterable[Anchor], batch_size: int = 1000) -> VerifyResult:
    """Every anchored entry must still be there with the hash it had: a rewrite of the
    trail up to an anchor (even one signed again with a stolen key) changes that hash,
    and cutting the trail short removes the entry."""
    ordered = sorted(set(anchors), key=lambda a: a.id)
    checked = 0
    for start in range(0, len(ordered), batch_size):
        chunk = ordered[start : start + batch_size]
        stored = dict(
            AuditEntry.objects.filter(id__in=[a.id for a in chunk]).values_list("id", "hash")
        )
        for item in chunk:
            if item.id not in stored:
                return VerifyResult(
                    False, checked, item.id, "is anchored but missing (entries were removed)"
                )
            if stored[item.id] != item.hash:
                return VerifyResult(
                    False,
                    checked,
                    item.id,
                    "its hash differs from its anchor (the trail up to it was rewritten)",
                )
            checked += 1
    return VerifyResult(ok=True, checked=checked)


# --- Retention: content goes, the proof stays ----------------------------------------------

# The seal of a legacy entry whose content already failed its hash when it was purged.
_SEAL_BROKEN = "!"
_PURGE_BATCH = 500


def forget_content(*, object_type: str, object_ids: Iterable[str | int]) -> int:
    """Remove the content (changes and reason) of every audit entry about these objects,
    for the retention rules. Who did what to which record, and when, stays; the chain
    still verifies (it covers a digest of the content). Returns how many entries lost
    content; entries already purged or that held none are not counted."""
    ids = sorted({str(object_id) for object_id in object_ids})
    removed = 0
    with transaction.atomic():
        for start in range(0, len(ids), _PURGE_BATCH):
            removed += _forget(
                AuditEntry.objects.filter(
                    object_type=object_type, object_id__in=ids[start : start + _PURGE_BATCH]
                )
            )
    return removed


def forget_content_before(*, before: datetime, object_types: Iterable[str] | None = None) -> int:
    """`forget_content` for every entry older than `before` (of `object_types`, if given)."""
    entries = AuditEntry.objects.filter(at__lt=before)
    if object_types is not None:
        entries = entries.filter(object_type__in=list(object_types))
    with transaction.atomic():
        return _forget(entries)


def _forget(entries: QuerySet[AuditEntry]) -> int:
    holding = entries.filter(content_removed_at__isnull=True).exclude(Q(changes=[]) & Q(reason=""))
    now = timezone.now()
    # Keyed entries: their links cover only the digest, so one UPDATE does it.
    removed = holding.exclude(key_id="").update(changes=None, reason="", content_removed_at=now)
    # Legacy entries: their hash covers the content itself, so the rest is sealed with
    # the key first — unless it already fails its hash, which must stay visible.
    legacy = list(holding.filter(key_id="").order_by("id"))
    if legacy:
        key = signing_key()
        for entry in legacy:
            intact = compute_hash(entry, entry.prev_hash) == entry.hash
            entry.seal = f"{key.id}:{key.mac(_seal_message(entry))}" if intact else _SEAL_BROKEN
            entry.changes, entry.reason, entry.content_removed_at = None, "", now
        AuditEntry.objects.bulk_update(
            legacy, ["changes", "reason", "content_removed_at", "seal"], batch_size=_PURGE_BATCH
        )
    return removed + len(legacy)
