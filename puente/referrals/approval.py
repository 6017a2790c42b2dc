"""A supervisor's approval before something leaves the hotline: a report to the
authorities without the person's consent (here) and a referral across the border
(`puente.federation`, which uses the same fields, rule and page).

The state lives on the record that waits (`ApprovalFields`), so "awaiting approval" is
one indexed column, never a join. The rules said once: only a holder of the approving
permission decides, never on their own request, only while it waits, a decline gives a
reason. The database holds the last three too (`approval_constraints`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.accounts.models import User


class Approval(models.TextChoices):
    NOT_NEEDED = "", pgettext_lazy("approval", "Not needed")
    PENDING = "pending", pgettext_lazy("approval", "Awaiting a supervisor's approval")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    DECLINED = "declined", pgettext_lazy("approval", "Declined by a supervisor")


# What has left (or may leave) the hotline: nothing waits, or a supervisor said yes.
LEFT = (Approval.NOT_NEEDED, Approval.APPROVED)


class ApprovalFields(models.Model):
    approval = models.CharField(
        _("supervisor's approval"),
        max_length=10,
        choices=Approval.choices,
        blank=True,
        default=Approval.NOT_NEEDED,
    )
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or declined by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approval_decided_at = models.DateTimeField(_("approved or declined"), null=True, blank=True)
    approval_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        abstract = True


def approval_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The approval rules the database can hold, named `<prefix>_…`."""
    return [
        models.CheckConstraint(
            condition=~Q(approval=Approval.DECLINED) | Q(approval_reason__gt=""),
            name=f"{prefix}_decline_has_reason",
        ),
        models.CheckConstraint(
            condition=Q(approval_decided_by__isnull=True)
            | Q(created_by__isnull=True)
            | ~Q(approval_decided_by=F("created_by")),
            name=f"{prefix}_not_self_approved",
        ),
        models.CheckConstraint(
            condition=Q(approval__in=[Approval.APPROVED, Approval.DECLINED])
            | Q(approval_decided_at__isnull=True),
            name=f"{prefix}_decided_when_decided",
        ),
    ]


DECLINE_NEEDS_REASON = _("Say why you decline, so the person who asked knows what to do next.")
OWN_REQUEST = _("Another supervisor must decide on your own request.")


def check_decision(
    *, record: ApprovalFields, by: User, perm: str, approve: bool, reason: str
) -> None:
    """May `by` approve (or decline, with `reason`) `record` now? Raises PermissionDenied
    or ValidationError naming the problem."""
    if not (getattr(by, "is_authenticated", False) and by.can(perm)):
        raise PermissionDenied(f"needs {perm}")
    if record.approval != Approval.PENDING:
        raise ValidationError(_("This is not waiting for approval any more."), code="decided")
    if getattr(record, "created_by_id", None) == by.pk:
        raise ValidationError({"reason": [OWN_REQUEST]}, code="own_request")
    if not approve and not reason.strip():
        raise ValidationError({"reason": [DECLINE_NEEDS_REASON]}, code="reason")
