"""Case rules: opening, numbering, changing, the status workflow, the people and
identifiers in a case, tasks, notes, restriction and break-glass access.

`open_case` and `next_reference` are the contract other apps rely on. Every write here
is audited and, once committed, re-indexes the case for search.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.accounts.roles import Perm
from puente.audit.domain import field_changes, record_event
from puente.cases.access import can_edit_case, can_open_case
from puente.cases.models import (
    BreakGlass,
    Case,
    CaseAccess,
    CaseCounter,
    CaseLocation,
    CaseNote,
    Identifier,
    Person,
    Task,
)
from puente.core import choices as c
from puente.core.geography import canonical_subdivision, is_country, is_subdivision_of
from puente.core.phones import normalise_phone

S = c.CaseStatus

# The status workflow, in one table: (from, to) -> the permission that edge needs.
# Reopening a closed case is a supervisor's decision (it undoes a closure someone
# reported on), so it needs CASE_REOPEN, which supervisors hold.
REOPEN_PERM = Perm.CASE_REOPEN
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NEW, S.ACTIVE): Perm.CASE_EDIT,
    (S.NEW, S.REFERRED): Perm.CASE_EDIT,
    (S.NEW, S.CLOSED): Perm.CASE_EDIT,
    (S.ACTIVE, S.REFERRED): Perm.CASE_EDIT,
    (S.ACTIVE, S.MONITORING): Perm.CASE_EDIT,
    (S.ACTIVE, S.CLOSED): Perm.CASE_EDIT,
    (S.REFERRED, S.ACTIVE): Perm.CASE_EDIT,
    (S.REFERRED, S.MONITORING): Perm.CASE_EDIT,
    (S.REFERRED, S.CLOSED): Perm.CASE_EDIT,
    (S.MONITORING, S.ACTIVE): Perm.CASE_EDIT,
    (S.MONITORING, S.CLOSED): Perm.CASE_EDIT,
    (S.CLOSED, S.ACTIVE): REOPEN_PERM,
}

# Multiselect fields hold lists of codes; each is checked against its picklist here
# because a JSONField cannot do it itself.
CASE_MULTISELECTS: dict[str, type] = {
    "forms_of_exploitation": c.TypeOfExploitation,
    "mx_forms_of_exploitation": c.MexicoExploitationForm,
    "venues": c.Venue,
    "methods_of_control": c.MethodOfControl,
    "methods_of_recruitment": c.MethodOfRecruitment,
}
PERSON_MULTISELECTS: dict[str, type] = {"roles_in_process": c.RoleInProcess}

# What update_case may change. Status goes through the transition table; restriction
# has its own functions (it needs CASE_RESTRICT).
CASE_EDITABLE = {
    "title",
    "summary",
    "exploitation_type",
    "level_of_indicators",
    "imminent_danger",
    "owner",
    "status",
    "closing_reason",
    "closing_note",
    *CASE_MULTISELECTS,
}
PERSON_FIELDS = (
    "role",
    "is_business",
    "first_name",
    "last_name",
    "alias",
    "age",
    "age_band",
    "gender",
    "citizenship",
    "nationality",
    "primary_language",
    "trafficking_status",
    "relationship_to_trafficker",
    "roles_in_process",
    "notes",
)
PERSON_EDITABLE = set(PERSON_FIELDS)

BREAK_GLASS_HOURS = 12
BREAK_GLASS_MIN_REASON = 10


class StaleCaseError(ValidationError):
    """Someone saved the record after the caller read it. Nothing was written: the
    caller must look at the current values and decide again."""

    def __init__(self, *, record, changed_by: str, changed_at: datetime | None):
        self.record = record
        self.current_version = record.version
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = date_format(timezone.localtime(changed_at), "DATETIME_FORMAT") if changed_at else "?"
        # Two whole sentences rather than one with a noun slot: Spanish needs the
        # noun's gender ("este caso", "esta persona").
        if isinstance(record, Case):
            message = _(
                "This case was changed by %(name)s at %(when)s, after you opened it. "
                "Your changes were not saved: compare them with the current values and save again."
            )
        else:
            message = _(
                "This person was changed by %(name)s at %(when)s, after you opened it. "
                "Your changes were not saved: compare them with the current values and save again."
            )
        super().__init__(message, code="stale", params={"name": changed_by, "when": when})


@dataclass(frozen=True)
class LastChange:
    by: str
    at: datetime | None


def last_change(*, obj) -> LastChange:
    """Who last wrote `obj`, from the audit trail (the one record that names people)."""
    from puente.audit.models import AuditEntry

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


def _reindex_on_commit(case_id: int) -> None:
    def run():
        from puente.search.indexing import reindex_case

        reindex_case(case_id)

    transaction.on_commit(run)


def _touch(case_id: int) -> None:
    # Work on a case's people, tasks or notes moves it up the queues, without
    # counting as an edit of the case record (no version bump).
    Case.objects.filter(pk=case_id).update(updated_at=timezone.now())


def write_if_unchanged(
    *, obj, candidate, diff: list[dict], expected_version: int, by, stale_error, request=None
) -> None:
    """Write the fields in `diff` from `candidate` onto `obj`'s row only if nobody saved it
    since `expected_version` (one UPDATE … WHERE version = n, so the check and the write
    cannot be split by another save), then audit the change and mark its case as changed.
    If another save came first, nothing is written and `stale_error` names who and when.
    For records that hang off a case (persons, referrals, reports)."""
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
        **{d["field"]: getattr(candidate, d["field"]) for d in diff},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated == 0:
        fresh = model.objects.get(pk=obj.pk)
        who = last_change(obj=fresh)
        raise stale_error(record=fresh, changed_by=who.by, changed_at=who.at)
    obj.refresh_from_db()
    record_event(
        action="change",
        actor=by,
        obj=obj,
        object_ref=obj.case.reference,
        request=request,
        changes=diff,
    )
    _touch(obj.case_id)


def _require(user, perm: str) -> None:
    if user is None or not user.can(perm):
        raise PermissionDenied(f"needs {perm}")


def _require_edit(user, case: Case) -> None:
    if not can_edit_case(user, case):
        raise PermissionDenied("may not edit this case")


def clean_codes(*, field: str, values, choices: type) -> list[str]:
    """A multiselect's codes, de-duplicated in order; unknown codes refused by name."""
    if values in (None, ""):
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationError({field: _("Expected a list of codes.")}, code="invalid")
    valid = set(choices.values)
    bad = [str(v) for v in values if v not in valid]
    if bad:
        raise ValidationError(
            {field: _("Not a valid choice: %(codes)s.") % {"codes": ", ".join(bad)}},
            code="invalid_choice",
        )
    return list(dict.fromkeys(values))


def clean_countries(*, field: str, values) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationError({field: _("Expected a list of country codes.")}, code="invalid")
    codes = [str(v).upper() for v in values]
    bad = [v for v in codes if not is_country(v)]
    if bad:
        raise ValidationError(
            {field: _("Not a country code: %(codes)s.") % {"codes": ", ".join(bad)}},
            code="invalid_choice",
        )
    return list(dict.fromkeys(codes))


def _collect(errors: dict[str, list], fn, **kwargs):
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


# --- status workflow -------------------------------------------------------------


def allowed_transitions(*, status: str, user) -> list[str]:
    """The statuses `user` may move a case to from `status`, in workflow order."""
    order = list(S.values)
    return sorted(
        (new for (old, new), perm in TRANSITIONS.items() if old == status and user.can(perm)),
        key=order.index,
    )


def check_transition(*, old: str, new: str, user) -> None:
    if old == new:
        return
    perm = TRANSITIONS.get((old, new))
    if perm is None:
        raise ValidationError(
            {
                "status": _("A case cannot go from “%(old)s” to “%(new)s”.")
                % {"old": c.label_for(S, old), "new": c.label_for(S, new)}
            },
            code="transition",
        )
    if not user.can(perm):
        raise ValidationError(
            {
                "status": _("Only a supervisor can reopen a closed case.")
                if (old, new) == (S.CLOSED, S.ACTIVE)
                else _("You may not move this case to “%(new)s”.") % {"new": c.label_for(S, new)}
            },
            code="transition_permission",
        )


# --- cases -----------------------------------------------------------------------


def next_reference(*, when=None) -> str:
    """US-2026-000123: the hotline's country, the year, a gap-free counter per year.
    Must run inside the transaction that creates the case (the counter row is locked)."""
    year = timezone.localtime(when or timezone.now()).year
    prefix = settings.PUENTE_COUNTRY
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:06d}"


def open_case(*, by, request=None, **fields) -> Case:
    errors: dict[str, list] = {}
    for field, choices in CASE_MULTISELECTS.items():
        if field in fields:
            fields[field] = _collect(
                errors, clean_codes, field=field, values=fields[field], choices=choices
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case(created_by=by, owner=fields.pop("owner", by), **fields)
        case.reference = next_reference()
        case.full_clean(exclude=["reference"])
        case.save()
        record_event(
            action="create",
            actor=by,
            obj=case,
            request=request,
            changes=[{"field": "status", "old": None, "new": case.status}],
        )
        _reindex_on_commit(case.pk)
    return case


def _case_values(case: Case) -> dict[str, Any]:
    values = {field: getattr(case, field) for field in CASE_EDITABLE if field != "owner"}
    values["owner"] = case.owner_id
    return values


def update_case(
    *, case_id: int, expected_version: int, changes: dict[str, Any], by, request=None
) -> Case:
    """Change a case the caller read at `expected_version`. If anyone saved it since,
    nothing is written and StaleCaseError names who and when: two advocates on the same
    case must never silently overwrite each other."""
    unknown = set(changes) - CASE_EDITABLE
    if unknown:
        raise ValidationError(
            {field: _("This field cannot be changed here.") for field in sorted(unknown)}
        )
    with transaction.atomic():
        case = Case.objects.select_related("owner").get(pk=case_id)
        _require_edit(by, case)
        if case.version != expected_version:
            who = last_change(obj=case)
            raise StaleCaseError(record=case, changed_by=who.by, changed_at=who.at)

        before = _case_values(case)
        candidate = copy.copy(case)
        errors: dict[str, list] = {}
        values = dict(changes)
        if "owner" in values:
            owner = values.pop("owner")
            values["owner_id"] = getattr(owner, "pk", owner)
        for field, choices in CASE_MULTISELECTS.items():
            if field in values:
                values[field] = _collect(
                    errors, clean_codes, field=field, values=values[field], choices=choices
                )
        for field, value in values.items():
            if value is None and field in {
                "title",
                "summary",
                "closing_note",
                "closing_reason",
                "level_of_indicators",
            }:
                value = ""
            setattr(candidate, field, value)

        new_status = candidate.status
        _collect(errors, check_transition, old=case.status, new=new_status, user=by)
        if new_status == S.CLOSED and not candidate.closing_reason:
            errors.setdefault("closing_reason", []).append(
                gettext("Give a reason for closing the case.")
            )
        if new_status != S.CLOSED and case.status == S.CLOSED:
            # Reopened: the old closure stays in the audit trail, not on the live record.
            candidate.closing_reason = ""
            candidate.closed_at = None
        elif new_status == S.CLOSED and case.status != S.CLOSED:
            candidate.closed_at = timezone.now()
        if new_status != S.CLOSED and case.status != S.CLOSED and candidate.closing_reason:
            errors.setdefault("closing_reason", []).append(
                gettext("Only a closed case has a closing reason.")
            )
        if not errors:
            try:
                candidate.full_clean(exclude=["reference"], validate_unique=False)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

        after = _case_values(candidate)
        diff = field_changes(before, after)
        if not diff:
            return case
        update = {
            ("owner_id" if d["field"] == "owner" else d["field"]): getattr(
                candidate, "owner_id" if d["field"] == "owner" else d["field"]
            )
            for d in diff
        }
        update["closed_at"] = candidate.closed_at
        now = timezone.now()
        updated = Case.objects.filter(pk=case_id, version=expected_version).update(
            **update, version=F("version") + 1, updated_at=now
        )
        if updated == 0:
            # Another save won the race between our read and our write.
            fresh = Case.objects.get(pk=case_id)
            who = last_change(obj=fresh)
            raise StaleCaseError(record=fresh, changed_by=who.by, changed_at=who.at)
        case.refresh_from_db()
        record_event(action="change", actor=by, obj=case, request=request, changes=diff)
        _reindex_on_commit(case.pk)
    return case


def change_status(
    *,
    case_id: int,
    expected_version: int,
    status: str,
    by,
    closing_reason: str = "",
    closing_note: str = "",
    request=None,
) -> Case:
    changes: dict[str, Any] = {"status": status}
    if status == S.CLOSED:
        changes["closing_reason"] = closing_reason
        changes["closing_note"] = closing_note
    return update_case(
        case_id=case_id, expected_version=expected_version, changes=changes, by=by, request=request
    )


# --- persons and identifiers -----------------------------------------------------


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list] = {}
    values = dict(fields)
    for field, choices in PERSON_MULTISELECTS.items():
        if field in values:
            values[field] = _collect(
                errors, clean_codes, field=field, values=values[field], choices=choices
            )
    if "citizenship" in values:
        values["citizenship"] = _collect(
            errors, clean_countries, field="citizenship", values=values["citizenship"]
        )
    if values.get("nationality"):
        values["nationality"] = str(values["nationality"]).upper()
        if not is_country(values["nationality"]):
            errors.setdefault("nationality", []).append(gettext("Not a country code."))
    for field in ("first_name", "last_name", "alias", "notes"):
        if field in values:
            values[field] = (values[field] or "").strip()
    for field in (
        "age_band",
        "gender",
        "nationality",
        "primary_language",
        "trafficking_status",
        "relationship_to_trafficker",
    ):
        if field in values and values[field] is None:
            values[field] = ""
    if errors:
        raise ValidationError(errors)
    return values


def _check_person(person: Person) -> None:
    errors: dict[str, list] = {}
    if person.is_business and not person.alias:
        errors["alias"] = [gettext("Give the business name.")]
    if person.is_business and person.role != c.PersonRole.EXPLOITER:
        errors.setdefault("is_business", []).append(
            gettext("Only an exploiter can be recorded as a business.")
        )
    try:
        person.full_clean(exclude=["case"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _person_values(person: Person) -> dict[str, Any]:
    return {field: getattr(person, field) for field in sorted(PERSON_EDITABLE)}


def add_person(*, case: Case, by, request=None, **fields) -> Person:
    unknown = set(fields) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    _require_edit(by, case)
    values = _clean_person_fields(fields)
    with transaction.atomic():
        person = Person(case=case, **values)
        _check_person(person)
        person.save()
        record_event(
            action="create",
            actor=by,
            obj=person,
            object_ref=case.reference,
            request=request,
            changes=field_changes({}, _person_values(person)),
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return person


def update_person(
    *, person_id: int, expected_version: int, changes: dict[str, Any], by, request=None
) -> Person:
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    with transaction.atomic():
        person = Person.objects.select_related("case").get(pk=person_id)
        _require_edit(by, person.case)
        if person.version != expected_version:
            who = last_change(obj=person)
            raise StaleCaseError(record=person, changed_by=who.by, changed_at=who.at)
        values = _clean_person_fields(changes)
        before = _person_values(person)
        candidate = copy.copy(person)
        for field, value in values.items():
            setattr(candidate, field, value)
        _check_person(candidate)
        diff = field_changes(before, _person_values(candidate))
        if not diff:
            return person
        write_if_unchanged(
            obj=person,
            candidate=candidate,
            diff=diff,
            expected_version=expected_version,
            by=by,
            stale_error=StaleCaseError,
            request=request,
        )
        _reindex_on_commit(person.case_id)
    return person


def normalise_identifier(*, kind: str, value: str) -> str:
    """What recurring identifiers are matched on: E.164 for phones (so any written form
    of one number links), lower case for emails and handles, trimmed text otherwise."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({"value": _("Enter a value.")}, code="empty")
    if kind == c.IdentifierKind.PHONE:
        try:
            return normalise_phone(text, default_region=settings.PUENTE_COUNTRY)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}, code="phone") from exc
    if kind in (c.IdentifierKind.EMAIL, c.IdentifierKind.SOCIAL):
        return text.lower()
    return " ".join(text.split())


def add_identifier(
    *, case: Case, kind: str, value: str, by, person: Person | None = None, request=None
) -> Identifier:
    _require_edit(by, case)
    if kind not in c.IdentifierKind.values:
        raise ValidationError({"kind": _("Not a valid choice: %(codes)s.") % {"codes": kind}})
    if person is not None and person.case_id != case.pk:
        raise ValidationError({"person": _("That person is not in this case.")})
    normalised = normalise_identifier(kind=kind, value=value)
    with transaction.atomic():
        identifier = Identifier.objects.create(
            case=case, person=person, kind=kind, value=value.strip(), normalised=normalised
        )
        record_event(
            action="create",
            actor=by,
            obj=identifier,
            object_ref=case.reference,
            request=request,
            changes=[
                {"field": "kind", "old": None, "new": kind},
                {"field": "value", "old": None, "new": identifier.value},
                {"field": "person", "old": None, "new": getattr(person, "pk", None)},
            ],
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return identifier


# --- locations, tasks, notes -----------------------------------------------------


def add_location(
    *,
    case: Case,
    kind: str,
    country: str,
    by,
    subdivision: str = "",
    city: str = "",
    description: str = "",
    request=None,
) -> CaseLocation:
    _require_edit(by, case)
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
    *, case: Case, title: str, by, assignee=None, due_date: date | None = None, request=None
) -> Task:
    _require_edit(by, case)
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


def complete_task(*, task: Task, by, request=None) -> Task:
    case = task.case
    _require_edit(by, case)
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


def add_note(*, case: Case, body: str, by, request=None) -> CaseNote:
    _require_edit(by, case)
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


# --- restriction and break glass -------------------------------------------------


def _set_restricted(*, case: Case, restricted: bool, by, request, reason: str) -> Case:
    with transaction.atomic():
        if Case.objects.filter(pk=case.pk, restricted=not restricted).update(
            restricted=restricted, version=F("version") + 1, updated_at=timezone.now()
        ):
            if restricted:
                CaseAccess.objects.get_or_create(case=case, user=by, defaults={"granted_by": by})
            record_event(
                action="change",
                actor=by,
                obj=case,
                request=request,
                reason=reason,
                changes=[{"field": "restricted", "old": not restricted, "new": restricted}],
            )
            _reindex_on_commit(case.pk)
        case.refresh_from_db()
    return case


def restrict_case(*, case: Case, by, request=None, reason: str = "") -> Case:
    """Only the owner, named staff and break-glass holders will open it. Whoever
    restricts it is named on it, so a supervisor never locks themself out."""
    _require(by, Perm.CASE_RESTRICT)
    return _set_restricted(case=case, restricted=True, by=by, request=request, reason=reason)


def unrestrict_case(*, case: Case, by, request=None, reason: str = "") -> Case:
    _require(by, Perm.CASE_RESTRICT)
    if not can_open_case(by, case):
        raise PermissionDenied("may not open this case")
    return _set_restricted(case=case, restricted=False, by=by, request=request, reason=reason)


def grant_access(*, case: Case, user, by, request=None) -> CaseAccess:
    _require(by, Perm.CASE_RESTRICT)
    if not can_open_case(by, case):
        raise PermissionDenied("may not open this case")
    if not user.can(Perm.CASE_VIEW):
        raise ValidationError({"user": _("This staff member’s role has no access to cases.")})
    with transaction.atomic():
        access, created = CaseAccess.objects.get_or_create(
            case=case, user=user, defaults={"granted_by": by}
        )
        if created:
            record_event(
                action="change",
                actor=by,
                obj=case,
                request=request,
                changes=[{"field": "access_list", "old": None, "new": user.get_username()}],
            )
            _reindex_on_commit(case.pk)
    return access


def revoke_access(*, case: Case, user, by, request=None) -> None:
    _require(by, Perm.CASE_RESTRICT)
    if not can_open_case(by, case):
        raise PermissionDenied("may not open this case")
    with transaction.atomic():
        deleted, _rows = CaseAccess.objects.filter(case=case, user=user).delete()
        if deleted:
            record_event(
                action="change",
                actor=by,
                obj=case,
                request=request,
                changes=[{"field": "access_list", "old": user.get_username(), "new": None}],
            )
            _reindex_on_commit(case.pk)


def break_glass(*, case: Case, user, reason: str, request=None) -> BreakGlass:
    """Open a restricted case one is not named on, for one shift, on the record: the
    reason goes to the audit trail and to supervisors for review."""
    _require(user, Perm.CASE_BREAK_GLASS)
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {
                "reason": _("Say why you need this case (at least %(n)d characters).")
                % {"n": BREAK_GLASS_MIN_REASON}
            },
            code="reason",
        )
    if not case.restricted:
        raise ValidationError(_("This case is not restricted."), code="not_restricted")
    now = timezone.now()
    with transaction.atomic():
        event = BreakGlass.objects.create(
            case=case, user=user, reason=reason, expires_at=now + timedelta(hours=BREAK_GLASS_HOURS)
        )
        record_event(action="break_glass", actor=user, obj=case, request=request, reason=reason)
    return event


def review_break_glass(*, event: BreakGlass, by, request=None) -> BreakGlass:
    _require(by, Perm.CASE_RESTRICT)
    with transaction.atomic():
        now = timezone.now()
        if BreakGlass.objects.filter(pk=event.pk, reviewed_at__isnull=True).update(
            reviewed_by=by, reviewed_at=now
        ):
            record_event(
                action="change",
                actor=by,
                obj=event,
                object_ref=event.case.reference,
                request=request,
                reason=event.reason,
                changes=[{"field": "reviewed_at", "old": None, "new": now}],
            )
        event.refresh_from_db()
    return event
