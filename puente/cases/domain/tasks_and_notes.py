"""Work on a case that is not an edit of the case record: its locations, tasks and
notes. Each moves the case up the queues without bumping its version.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.cases.domain.common import _reindex_on_commit, _require_edit, _touch
from puente.cases.models import Case, CaseLocation, CaseNote, Task
from puente.core.geography import canonical_subdivision, is_country, is_subdivision_of

# --- locations, tasks, notes -----------------------------------------------------


def add_location(
    *,
    case: Case,
    kind: str,
    country: str,
    by: User,
    subdivision: str = "",
    city: str = "",
    description: str = "",
    request: HttpRequest | None = None,
) -> CaseLocation:
    _require_edit(by, case, request)
    country = (country or "").strip().upper()
    subdivision = canonical_subdivision(subdivision)
    errors: dict[str, list] = {}
    if not is_country(country):
        errors["country"] = [gettext("Not a country code.")]
    elif subdivision and not is_subdivision_of(subdivision, country):
        errors["subdivision"] = [gettext("That state or federal entity is not in this country.")]
    if errors:
        raise ValidationError(errors)
    location = CaseLocation(
        case=case,
        kind=kind,
        country=country,
        subdivision=subdivision,
        city=(city or "").strip(),
        description=(description or "").strip(),
    )
    location.full_clean(exclude=["case"])
    with transaction.atomic():
        location.save()
        record_event(
            action="create",
            actor=by,
            obj=location,
            object_ref=case.reference,
            request=request,
            changes=field_changes(
                {},
                {
                    "kind": kind,
                    "country": country,
                    "subdivision": subdivision,
                    "city": location.city,
                },
            ),
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return location


def add_task(
    *,
    case: Case,
    title: str,
    by: User,
    assignee: User | None = None,
    due_date: date | None = None,
    request: HttpRequest | None = None,
) -> Task:
    _require_edit(by, case, request)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what needs doing.")})
    with transaction.atomic():
        task = Task.objects.create(
            case=case, title=title, assignee=assignee, due_date=due_date, created_by=by
        )
        record_event(
            action="create",
            actor=by,
            obj=task,
            object_ref=case.reference,
            request=request,
            changes=field_changes({}, {"title": title, "assignee": assignee, "due_date": due_date}),
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return task


def complete_task(*, task: Task, by: User, request: HttpRequest | None = None) -> Task:
    case = task.case
    _require_edit(by, case, request)
    with transaction.atomic():
        # Conditional so two people ticking the same task record one completion.
        now = timezone.now()
        if Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now):
            task.done_at = now
            record_event(
                action="change",
                actor=by,
                obj=task,
                object_ref=case.reference,
                request=request,
                changes=[{"field": "done_at", "old": None, "new": now}],
            )
            _touch(case.pk)
            _reindex_on_commit(case.pk)
        else:
            task.refresh_from_db()
    return task


def add_note(*, case: Case, body: str, by: User, request: HttpRequest | None = None) -> CaseNote:
    _require_edit(by, case, request)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, body=body, author=by)
        record_event(
            action="create",
            actor=by,
            obj=note,
            object_ref=case.reference,
            request=request,
            changes=[{"field": "body", "old": None, "new": body}],
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return note
