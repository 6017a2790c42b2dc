"""Who may open which case. Every view of case data — pages, search, phone lookup,
API — asks here, so the restricted-case rule is enforced once.

A restricted case is open to its owner and the staff named on it. Anyone else with
case access sees that it exists (reference and status, never its content) and may
"break the glass" by giving a reason; that grant lasts until the end of the shift.

Pages and API endpoints ask `case_for` (by reference) or `check_case_access` (a case
they already hold, e.g. a contact's): one rule, one audited refusal, one 403 (a page
shows the restricted-case notice with break-glass, the API `{"detail": …}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.audit.models import AuditEntry
from puente.audit.visibility import ContentReader
from puente.cases.models import BreakGlass, Case, CaseAccess
from puente.core.permissions import Perm, Refused


def restricted_cases_opened_by(user: User) -> list[int]:
    """The few restricted cases `user` is named on or holds a break-glass grant for.

    Read once (one small indexed query) and written into each filter as a plain list:
    with correlated subqueries instead, every list of cases or contacts paid for
    compiling and running them on every row."""
    named = CaseAccess.objects.filter(user=user).values_list("case_id", flat=True)
    glass = BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values_list(
        "case_id", flat=True
    )
    return list(named.union(glass))


def may_open_q(user: User, field: str = "", opened: list[int] | None = None) -> Q:
    """Q on a case (field="") or on a relation to one (field="case"): `user` may open it.
    `opened`: `restricted_cases_opened_by(user)`, when the caller already has it."""
    prefix = f"{field}__" if field else ""
    if opened is None:
        opened = restricted_cases_opened_by(user)
    return (
        Q(**{f"{prefix}restricted": False})
        | Q(**{f"{prefix}owner": user})
        | Q(**{f"{prefix}pk__in": opened})
    )


def openable_cases(user: User, opened: list[int] | None = None) -> QuerySet[Case]:
    """Cases whose content `user` may read right now."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.CASE_VIEW):
        return Case.objects.none()
    return Case.objects.filter(may_open_q(user, opened=opened))


def can_open_case(user: User, case: Case) -> bool:
    return OpenableCases(user).may_open(case.pk, restricted=case.restricted, owner_id=case.owner_id)


class OpenableCases:
    """`can_open_case` for many rows that were read with their case's `restricted` flag
    and owner: the grants are read only if a restricted case someone else owns turns up,
    and then once. The phone lookup, where a restricted case is rare, saves a query."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.may_view = bool(getattr(user, "is_authenticated", False)) and user.can(Perm.CASE_VIEW)
        self._granted: set[int] | None = None

    def may_open(self, case_id: int, *, restricted: bool, owner_id: int | None) -> bool:
        if not self.may_view:
            return False
        if not restricted or owner_id == self.user.pk:
            return True
        if self._granted is None:
            self._granted = set(restricted_cases_opened_by(self.user))
        return case_id in self._granted


def can_edit_case(user: User, case: Case) -> bool:
    return user.can(Perm.CASE_EDIT) and can_open_case(user, case)


def visible_through_case_q(user: User, field: str = "case", opened: list[int] | None = None) -> Q:
    """For rows that may belong to a case (contacts, tasks, search entries): visible when
    they belong to no case or to a case `user` may open. Checked on the row's own case
    (a primary-key join), never as `case IN (every openable case)`."""
    return Q(**{f"{field}__isnull": True}) | may_open_q(user, field, opened)


class CaseRefused(Refused):
    """`user` may not open (or change) `case`. Already in the audit trail when raised.

    `break_glass_reference`: the case's reference when the reader could open it by
    breaking the glass (a restricted case, and they hold that permission), so whatever
    page shows the refusal — the restricted-case notice, or core's 403 page, which knows
    nothing of cases — can offer the way in; None otherwise."""

    def __init__(
        self, *, case: Case, reason: str, message: Any, break_glass_reference: str | None = None
    ) -> None:
        super().__init__(message)
        self.case = case
        self.audit_reason = reason
        self.break_glass_reference = break_glass_reference


def check_case_access(
    *,
    user: User,
    case: Case,
    edit: bool = False,
    obj: Model | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Refuse (CaseRefused, audited against `obj` — the case itself unless a record of it,
    such as a contact, is what was asked for) unless `user` may open `case` and, with
    `edit`, change it."""
    break_glass_reference = None
    if not can_open_case(user, case):
        reason, message = (
            "restricted case: not named",
            _("This case is restricted: you are not named on it."),
        )
        if case.restricted and user.can(Perm.CASE_VIEW) and user.can(Perm.CASE_BREAK_GLASS):
            break_glass_reference = case.reference
    elif edit and not can_edit_case(user, case):
        reason, message = "needs case.edit", _("You may read this case but not change it.")
    else:
        return
    record_event(
        action="access_denied",
        actor=user,
        obj=obj if obj is not None else case,
        object_ref=case.reference,
        reason=reason,
        request=request,
    )
    raise CaseRefused(
        case=case, reason=reason, message=message, break_glass_reference=break_glass_reference
    )


def case_for(
    *, user: User, reference: str, edit: bool = False, request: HttpRequest | None = None
) -> Case:
    """The case a page or API call names by reference (as typed: any letter case, spaces
    around it), if `user` may open it — and, with `edit`, change it. Http404 when there is
    no such case; CaseRefused, audited, when there is one they may not have."""
    case = (
        Case.objects.select_related("owner")
        .filter(reference=(reference or "").strip().upper())
        .first()
    )
    if case is None:
        raise Http404
    check_case_access(user=user, case=case, edit=edit, request=request)
    return case


def audit_content_reader(
    *,
    model: type[Model],
    case_paths: Sequence[str] = ("case",),
    perm: str = Perm.CASE_VIEW,
    caseless_readable: bool = False,
) -> ContentReader:
    """Who may read the content of audit entries about `model` rows
    (`puente.audit.visibility`): whoever may open the row's case right now — restricted
    cases only for the owner, the staff named on them and a live break-glass grant —
    and holds `perm`. The case is the first of `case_paths` that is set (a screening's
    own case, else its contact's); a row with none is readable with `perm` alone if
    `caseless_readable` (a contact not filed in a case), else never. A row since deleted
    is placed by the case reference its entries carry. A fixed number of queries for any
    number of entries."""

    def may_read(viewer: Any, entries: Sequence[AuditEntry]) -> set[int]:
        if not getattr(viewer, "is_authenticated", False) or not viewer.can(perm):
            return set()
        ids = {entry.object_id for entry in entries if entry.object_id.isdigit()}
        rows: list[tuple[Any, int | None]]
        if model is Case:
            # A case that no longer exists is not openable below either.
            rows = [(int(object_id), int(object_id)) for object_id in ids]
        else:
            path = (
                Coalesce(*(F(p) for p in case_paths)) if len(case_paths) > 1 else F(case_paths[0])
            )
            rows = list(
                model._default_manager.filter(pk__in=ids)
                .annotate(audit_case=path)
                .values_list("pk", "audit_case")
            )
        case_of: dict[str, int | None] = {str(pk): case_id for pk, case_id in rows}
        lost = {e.object_ref for e in entries if e.object_id not in case_of and e.object_ref}
        by_reference = (
            dict(Case.objects.filter(reference__in=lost).values_list("reference", "pk"))
            if lost
            else {}
        )
        wanted = {case_id for case_id in case_of.values() if case_id is not None}
        wanted |= set(by_reference.values())
        openable = (
            set(openable_cases(viewer).filter(pk__in=wanted).values_list("pk", flat=True))
            if wanted
            else set()
        )
        readable: set[int] = set()
        for entry in entries:
            if entry.object_id in case_of:
                case_id = case_of[entry.object_id]
                if case_id is None:
                    if caseless_readable:
                        readable.add(entry.id)
                    continue
            else:
                case_id = by_reference.get(entry.object_ref)
            if case_id is not None and case_id in openable:
                readable.add(entry.id)
        return readable

    return may_read
