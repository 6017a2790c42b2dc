"""A case's timeline: everything that happened on it, newest first, in one list.

The case page shows contacts, screenings, referrals, reports and cross-border updates
beside the case's own notes, tasks and changes, but those records belong to apps above
this one. So this module keeps a registry: each app adds a source from its
`AppConfig.ready()` (`add_timeline_source`), and the page asks them all
(`case_timeline`).

A source is a plain function `source(*, case, user, limit) -> list[TimelineEntry]`. It
must run a fixed number of bounded, indexed queries (newest `limit` rows by case), so a
case that ran for years costs the page what a new one does; and it must show `user`
only what they may see (a link only where they may follow it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.models import AuditEntry
from puente.cases.models import Case, CaseNote, Task
from puente.core import choices as c

# How many entries the case page shows: enough for months of work at a glance; the
# sections below the timeline hold every record.
TIMELINE_LENGTH = 50


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    # What kind of record: "contact", "screening", "note", "task", "status", … (the
    # page styles and tests by it; `icon` names the picture for it).
    kind: str
    icon: str
    title: str
    detail: str = ""
    url: str = ""
    who: str = ""


TimelineSource = Callable[..., Sequence[TimelineEntry]]

_sources: dict[str, TimelineSource] = {}


def add_timeline_source(source: TimelineSource) -> None:
    """Register `source(*, case, user, limit)`; registering the same function again (a
    second `ready()`) replaces it rather than doubling its entries."""
    _sources[f"{source.__module__}.{source.__qualname__}"] = source


@dataclass
class Timeline:
    entries: list[TimelineEntry] = field(default_factory=list)
    # More happened than is shown: the page says so.
    more: bool = False


def case_timeline(*, case: Case, user: User, limit: int = TIMELINE_LENGTH) -> Timeline:
    """The newest `limit` entries from every source, newest first. Each source is asked
    for one more than the page shows, so `more` is exact without counting anything."""
    entries: list[TimelineEntry] = []
    for source in _sources.values():
        entries.extend(source(case=case, user=user, limit=limit + 1))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return Timeline(entries=entries[:limit], more=len(entries) > limit)


def at_start_of(day: date) -> datetime:
    """A date-only record (a referral's day) placed on the timeline at that day's start."""
    return timezone.make_aware(datetime.combine(day, time.min))


def display_name(user: User | None) -> str:
    return user.display_name if user is not None else ""


# --- the case's own records -----------------------------------------------------------


def note_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    notes = CaseNote.objects.filter(case=case).select_related("author").order_by("-created_at")
    return [
        TimelineEntry(
            when=note.created_at,
            kind="note",
            icon="note",
            title=_("Note"),
            detail=shorten(note.body),
            url="#notes",
            who=display_name(note.author),
        )
        for note in notes[:limit]
    ]


def task_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    """A task appears when it was set and again when it was done. Two indexed reads by
    case (newest set, newest done), so a case with hundreds of tasks costs the same."""
    tasks = Task.objects.filter(case=case).select_related("assignee", "created_by")
    entries = []
    for task in tasks.order_by("-created_at", "-id")[:limit]:
        detail = []
        if task.assignee is not None:
            detail.append(_("for %(name)s") % {"name": task.assignee.display_name})
        if task.due_date:
            detail.append(_("due %(date)s") % {"date": short_date(task.due_date)})
        entries.append(
            TimelineEntry(
                when=task.created_at,
                kind="task",
                icon="task",
                title=_("Task set: %(task)s") % {"task": task.title},
                detail=" · ".join(detail),
                url="#tasks",
                who=display_name(task.created_by),
            )
        )
    for task in tasks.filter(done_at__isnull=False).order_by("-done_at", "-id")[:limit]:
        assert task.done_at is not None  # filtered above; for the type checker
        entries.append(
            TimelineEntry(
                when=task.done_at,
                kind="task-done",
                icon="check",
                title=_("Task done: %(task)s") % {"task": task.title},
                url="#tasks",
                who=display_name(task.assignee),
            )
        )
    return entries


# The case's own changes are read back from the audit trail, which records every one
# with who made it and the old and new values (there is no separate history table).
_CHANGE_ACTIONS = ("create", "change")


def change_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    """The case opened, its status changes, restriction, and other edits, from the
    audit trail's index on the case (object type, id, newest first). Reads are left out
    by the action filter; an entry whose content a retention purge removed is shown
    without its values."""
    audit = (
        AuditEntry.objects.filter(
            object_type="case", object_id=str(case.pk), action__in=_CHANGE_ACTIONS
        )
        .select_related("actor")
        .order_by("-id")
    )
    entries = []
    for entry in audit[:limit]:
        who = display_name(entry.actor) or entry.actor_name  # type: ignore[arg-type]
        entries.extend(_entries_for_change(entry, who, case=case))
    return entries


def _entries_for_change(entry: AuditEntry, who: str, *, case: Case) -> list[TimelineEntry]:
    if entry.action == "create":
        # The case's own opening time, as its summary shows it: a case imported or
        # re-created from an earlier system keeps the date it was first opened.
        return [
            TimelineEntry(
                when=case.created_at, kind="opened", icon="case", title=_("Case opened"), who=who
            )
        ]
    changes = [item for item in entry.changes or [] if isinstance(item, dict)]
    found: list[TimelineEntry] = []
    edited: list[str] = []
    for item in changes:
        name = item.get("field")
        if name == "status":
            detail = ""
            if item.get("old"):
                detail = _("from %(old)s") % {"old": c.label_for(c.CaseStatus, item["old"])}
            found.append(
                TimelineEntry(
                    when=entry.at,
                    kind="status",
                    icon="info",
                    title=_("Status changed to %(status)s")
                    % {"status": c.label_for(c.CaseStatus, item.get("new"))},
                    detail=detail,
                    who=who,
                )
            )
        elif name == "restricted":
            found.append(
                TimelineEntry(
                    when=entry.at,
                    kind="restriction",
                    icon="restricted",
                    title=_("Case restricted") if item.get("new") else _("Restriction lifted"),
                    who=who,
                )
            )
        elif name == "access_list":
            # Who was named on a restricted case is itself confidential: say that the
            # list changed, not who is on it.
            found.append(
                TimelineEntry(
                    when=entry.at,
                    kind="access",
                    icon="restricted",
                    title=_("Staff named on the case changed"),
                    who=who,
                )
            )
        elif name in _FIELD_NAMES:
            edited.append(str(_field_label(name)))
    if edited or (entry.action == "change" and not found and entry.content_removed):
        found.append(
            TimelineEntry(
                when=entry.at,
                kind="edit",
                icon="edit",
                title=_("Case details changed"),
                detail=", ".join(edited),
                who=who,
            )
        )
    return found


_FIELD_NAMES = {f.name for f in Case._meta.get_fields() if hasattr(f, "verbose_name")}


def _field_label(name: str) -> str:
    label = str(Case._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    return label[:1].upper() + label[1:]


def shorten(text: str, limit: int = 160) -> str:
    """One line of a long text (a contact's narrative, a note) for the timeline."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_date(day: date) -> str:
    """A date in the reader's short format, as the rest of the page shows dates."""
    return date_format(day, "SHORT_DATE_FORMAT")
