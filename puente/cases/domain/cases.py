"""Opening, numbering and changing a case, and its status workflow (one table,
`TRANSITIONS`). `open_case` and `next_reference` are the contract other apps rely on.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.audit.versioned import require_version, write_if_unchanged
from puente.cases.categories import recruitment_categories
from puente.cases.domain.common import _collect, _reindex_on_commit, _require_edit, clean_codes
from puente.cases.models import Case, CaseCounter
from puente.core import choices as c
from puente.core.permissions import Perm

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
    "types_of_sex_exploitation": c.TypeOfSexExploitation,
    "forced_labour_industries": c.ForcedLabourIndustry,
    "recruitment_websites_and_apps": c.WebsiteOrApp,
    "exploitation_websites_and_apps": c.WebsiteOrApp,
}

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
    "hotline_recruitment_methods",
    *CASE_MULTISELECTS,
}


def _apply_hotline_recruitment(
    values: dict[str, Any], errors: dict[str, list], *, current: list[str]
) -> None:
    """The hotline's own recruitment categories are checked against this hotline's list,
    and each adds the HTCDS code it maps to, so an HTCDS reader loses nothing."""
    if "hotline_recruitment_methods" not in values:
        return
    categories = recruitment_categories()
    chosen = values["hotline_recruitment_methods"] or []
    if isinstance(chosen, str) or not isinstance(chosen, (list, tuple)):
        errors.setdefault("hotline_recruitment_methods", []).append(
            gettext("Expected a list of codes.")
        )
        return
    bad = [str(code) for code in chosen if code not in categories.values]
    if bad:
        errors.setdefault("hotline_recruitment_methods", []).append(
            gettext("Not a valid choice: %(codes)s.") % {"codes": ", ".join(bad)}
        )
        return
    values["hotline_recruitment_methods"] = list(dict.fromkeys(chosen))
    base = values.get("methods_of_recruitment")
    htcds = list(current if base is None else base)
    values["methods_of_recruitment"] = list(
        dict.fromkeys([*htcds, *categories.maps_to(values["hotline_recruitment_methods"])])
    )


# --- status workflow -------------------------------------------------------------


def allowed_transitions(*, status: str, user: User) -> list[str]:
    """The statuses `user` may move a case to from `status`, in workflow order."""
    order = list(S.values)
    return sorted(
        (new for (old, new), perm in TRANSITIONS.items() if old == status and user.can(perm)),
        key=order.index,
    )


def check_transition(*, old: str, new: str, user: User) -> None:
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


def next_reference(*, when: datetime | None = None) -> str:
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


def open_case(
    *,
    by: User,
    request: HttpRequest | None = None,
    opened_at: datetime | None = None,
    **fields: Any,
) -> Case:
    """Open a case. `opened_at` is for a case the hotline opened earlier than it is
    recorded here (written up after the fact, imported, the demo's story): the case is
    numbered in that year and dated then; its audit entry still says when it was recorded."""
    errors: dict[str, list] = {}
    for field, choices in CASE_MULTISELECTS.items():
        if field in fields:
            fields[field] = _collect(
                errors, clean_codes, field=field, values=fields[field], choices=choices
            )
    _apply_hotline_recruitment(fields, errors, current=[])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case(created_by=by, owner=fields.pop("owner", by), **fields)
        case.reference = next_reference(when=opened_at)
        case.full_clean(exclude=["reference"])
        case.save()
        if opened_at is not None:
            Case.objects.filter(pk=case.pk).update(created_at=opened_at, updated_at=opened_at)
            case.created_at = case.updated_at = opened_at
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
    *,
    case_id: int,
    expected_version: int,
    changes: dict[str, Any],
    by: User,
    request: HttpRequest | None = None,
) -> Case:
    """Change a case the caller read at `expected_version`. If anyone saved it since,
    nothing is written and StaleWriteError names who and when: two advocates on the same
    case must never silently overwrite each other."""
    unknown = set(changes) - CASE_EDITABLE
    if unknown:
        raise ValidationError(
            {field: _("This field cannot be changed here.") for field in sorted(unknown)}
        )
    # Access is checked before the transaction, so a refusal's audit entry is not rolled
    # back with it; the write below is versioned, so nothing changes unnoticed meanwhile.
    case = Case.objects.select_related("owner").get(pk=case_id)
    _require_edit(by, case, request)
    with transaction.atomic():
        require_version(obj=case, expected_version=expected_version)

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
        _apply_hotline_recruitment(values, errors, current=case.methods_of_recruitment)
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
        write_if_unchanged(
            obj=case,
            expected_version=expected_version,
            values=update,
            changes=diff,
            by=by,
            request=request,
        )
        _reindex_on_commit(case.pk)
    return case


def change_status(
    *,
    case_id: int,
    expected_version: int,
    status: str,
    by: User,
    closing_reason: str = "",
    closing_note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    changes: dict[str, Any] = {"status": status}
    if status == S.CLOSED:
        changes["closing_reason"] = closing_reason
        changes["closing_note"] = closing_note
    return update_case(
        case_id=case_id, expected_version=expected_version, changes=changes, by=by, request=request
    )
