"""Who may open which case. Every view of case data — pages, search, phone lookup,
API — asks here, so the restricted-case rule is enforced once.

A restricted case is open to its owner and the staff named on it. Anyone else with
case access sees that it exists (reference and status, never its content) and may
"break the glass" by giving a reason; that grant lasts until the end of the shift.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from puente.accounts.roles import Perm
from puente.cases.models import BreakGlass, Case, CaseAccess


def _open_for_user_q(user) -> Q:
    named = CaseAccess.objects.filter(case=OuterRef("pk"), user=user)
    glass = BreakGlass.objects.filter(case=OuterRef("pk"), user=user, expires_at__gt=timezone.now())
    return Q(restricted=False) | Q(owner=user) | Q(Exists(named)) | Q(Exists(glass))


def openable_cases(user) -> QuerySet[Case]:
    """Cases whose content `user` may read right now."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.CASE_VIEW):
        return Case.objects.none()
    return Case.objects.filter(_open_for_user_q(user))


def can_open_case(user, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.CASE_VIEW):
        return False
    if not case.restricted or case.owner_id == user.pk:
        return True
    if CaseAccess.objects.filter(case=case, user=user).exists():
        return True
    return BreakGlass.objects.filter(case=case, user=user, expires_at__gt=timezone.now()).exists()


def can_edit_case(user, case: Case) -> bool:
    return user.can(Perm.CASE_EDIT) and can_open_case(user, case)


def visible_through_case_q(user, field: str = "case") -> Q:
    """For rows that may belong to a case (contacts, tasks, search entries): visible when
    they belong to no case or to a case `user` may open.

    Checked row by row against the row's own case (a primary-key join and two indexed
    EXISTS), never as `case IN (every openable case)`: with hundreds of thousands of
    cases that set is what the database would otherwise build for every page."""
    named = CaseAccess.objects.filter(case=OuterRef(field), user=user)
    glass = BreakGlass.objects.filter(
        case=OuterRef(field), user=user, expires_at__gt=timezone.now()
    )
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__restricted": False})
        | Q(**{f"{field}__owner": user})
        | Q(Exists(named))
        | Q(Exists(glass))
    )
