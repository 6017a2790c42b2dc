"""Exchange reads for the home page: referrals waiting for a supervisor before they
cross the border."""

from __future__ import annotations

from puente.accounts.models import User
from puente.cases.access import restricted_cases_opened_by, visible_through_case_q
from puente.core.permissions import Perm
from puente.federation import choices as fc
from puente.federation.models import CrossBorderReferral
from puente.referrals.approval import Approval

HOME_QUEUE_LENGTH = 20


def home_referrals_to_approve(*, user: User) -> list[CrossBorderReferral] | None:
    """Outgoing referrals waiting for a supervisor's approval, oldest first, or None."""
    if not user.can(Perm.EXCHANGE_APPROVE):
        return None
    opened = restricted_cases_opened_by(user)
    waiting = list(
        CrossBorderReferral.objects.filter(
            visible_through_case_q(user, opened=opened),
            direction=fc.Direction.OUTGOING,
            approval=Approval.PENDING,
        )
        .select_related("case", "partner", "created_by")
        .order_by("created_at", "id")[:HOME_QUEUE_LENGTH]
    )
    return waiting or None
