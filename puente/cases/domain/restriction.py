"""Restricted cases: who is named on one, and break-glass access for one shift, on
the record and reviewed by supervisors.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases.access import check_case_access
from puente.cases.domain.common import _reindex_on_commit, _require
from puente.cases.models import BreakGlass, Case, CaseAccess
from puente.core.permissions import Perm

BREAK_GLASS_HOURS = 12
BREAK_GLASS_MIN_REASON = 10


# --- restriction and break glass -------------------------------------------------


def _set_restricted(
    *, case: Case, restricted: bool, by: User, request: HttpRequest | None, reason: str
) -> Case:
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


def restrict_case(
    *, case: Case, by: User, request: HttpRequest | None = None, reason: str = ""
) -> Case:
    """Only the owner, named staff and break-glass holders will open it. Whoever
    restricts it is named on it, so a supervisor never locks themself out."""
    _require(by, Perm.CASE_RESTRICT)
    return _set_restricted(case=case, restricted=True, by=by, request=request, reason=reason)


def unrestrict_case(
    *, case: Case, by: User, request: HttpRequest | None = None, reason: str = ""
) -> Case:
    _require(by, Perm.CASE_RESTRICT)
    check_case_access(user=by, case=case, request=request)
    return _set_restricted(case=case, restricted=False, by=by, request=request, reason=reason)


def grant_access(
    *, case: Case, user: User, by: User, request: HttpRequest | None = None
) -> CaseAccess:
    _require(by, Perm.CASE_RESTRICT)
    check_case_access(user=by, case=case, request=request)
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


def revoke_access(*, case: Case, user: User, by: User, request: HttpRequest | None = None) -> None:
    _require(by, Perm.CASE_RESTRICT)
    check_case_access(user=by, case=case, request=request)
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


def break_glass(
    *, case: Case, user: User, reason: str, request: HttpRequest | None = None
) -> BreakGlass:
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


def review_break_glass(
    *, event: BreakGlass, by: User, request: HttpRequest | None = None
) -> BreakGlass:
    _require(by, Perm.CASE_RESTRICT)
    if event.user_id == by.pk:
        raise ValidationError(
            _("You opened this case yourself: another supervisor must review it."),
            code="own_break_glass",
        )
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
