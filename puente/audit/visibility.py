"""Who may read an audit entry's content (its `changes` and `reason`).

Reviewing the trail is not a way around the rules on the records it describes: an
administrator (who has no case access) or a supervisor not named on a restricted case
sees who did what kind of thing to which reference, and when — not the note text, the
summaries or the names in the diffs. Each app that owns a kind of record says who may
read entries about it, from its `AppConfig.ready()`:

    add_content_reader(object_types=["case"], may_read=case_entries_readable)

`may_read(viewer, entries)` gets the viewer and every entry of those types on the page
and returns the ids of those the viewer may read right now, in a fixed number of
queries however many entries there are. An object type nobody registered shows no
content: a new kind of record is private until its app says otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from puente.audit.models import AuditEntry
from puente.core.permissions import Perm

ContentReader = Callable[[Any, Sequence[AuditEntry]], Iterable[int]]

_readers: dict[str, ContentReader] = {}


def add_content_reader(*, object_types: Iterable[str], may_read: ContentReader) -> None:
    """Let `may_read` decide for entries about `object_types`. One reader per type: a
    second app claiming a type is a mistake, not a wider rule."""
    for object_type in object_types:
        existing = _readers.get(object_type)
        if existing is not None and existing is not may_read:
            raise ValueError(f"audit entries about {object_type!r} already have a reader")
        _readers[object_type] = may_read


def readable_entry_ids(*, viewer: Any, entries: Sequence[AuditEntry]) -> set[int]:
    """The ids among `entries` whose content `viewer` may read now."""
    by_type: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in entries:
        if entry.content_removed_at is None:
            by_type[entry.object_type].append(entry)
    readable: set[int] = set()
    for object_type, group in by_type.items():
        reader = _readers.get(object_type)
        if reader is None:
            continue
        offered = {entry.id for entry in group}
        # A reader answers only for what it was asked about.
        readable |= offered & set(reader(viewer, group))
    return readable


def readable_by_auditors(viewer: Any, entries: Sequence[AuditEntry]) -> set[int]:
    """For entries whose content names no person: which page was refused for lack of
    which permission, which filters a reviewer used, which queues a home page showed."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.can(Perm.AUDIT_VIEW):
        return set()
    return {entry.id for entry in entries}


def readable_with(perm: str) -> ContentReader:
    """A reader for entries whose content anyone holding `perm` may read (account changes
    to those who manage accounts, say)."""

    def may_read(viewer: Any, entries: Sequence[AuditEntry]) -> set[int]:
        if not getattr(viewer, "is_authenticated", False) or not viewer.can(perm):
            return set()
        return {entry.id for entry in entries}

    return may_read
