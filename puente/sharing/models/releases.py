"""Privacy-protected releases: aggregate tables that leave the hotline (to a partner
hotline or for publication), the log of what left, and the differential-privacy budget
each recipient has been spent.

A release stores its protected table exactly as it left (`cells`, `margins`: codes and
counts, never a name), so the log shows what was released and a download gives back the
same numbers. The unprotected counts are never stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.federation.models import PartnerHotline

__all__ = ["BudgetSpend", "Release", "ReleaseMethod", "ReleaseStatus"]


class ReleaseMethod(models.TextChoices):
    SUPPRESSION = "suppression", _("Small-cell suppression")
    DP = "dp", _("Differential privacy and small-cell suppression")


class ReleaseStatus(models.TextChoices):
    # Built and protected, shown to the analyst; nothing has left and no budget is spent.
    DRAFT = "draft", pgettext_lazy("release status", "Draft")
    RELEASED = "released", pgettext_lazy("release status", "Released")


class Release(models.Model):
    # A UUID: the identifier travels to the partner inside the release document.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    table = models.CharField(_("table"), max_length=40)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    recipient = models.ForeignKey(
        PartnerHotline,
        verbose_name=_("partner hotline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
    )
    # For a release to the public (no recipient): where it is published.
    publication_name = models.CharField(_("publication"), max_length=200, blank=True)
    method = models.CharField(_("protection"), max_length=12, choices=ReleaseMethod.choices)
    k = models.PositiveSmallIntegerField(_("smallest count published (k)"))
    epsilon = models.FloatField(_("epsilon (ε)"), null=True, blank=True)
    delta = models.FloatField(_("delta (δ)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    # The protected table as it leaves: dimension codes, then one dict per cell
    # ({dimension: value code, "count": int >= k or None, "suppressed": bool}) and per
    # published total. See releases.release_document.
    dimensions = models.JSONField(default=list)
    cells = models.JSONField(default=list)
    margins = models.JSONField(default=list)
    cell_count = models.PositiveIntegerField(_("cells"), default=0)
    suppressed_count = models.PositiveIntegerField(_("cells suppressed"), default=0)
    folded = models.JSONField(default=dict, blank=True)  # dimension -> codes put in "other"
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        indexes = [models.Index(fields=["status", "-released_at"], name="release_log_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(publication_name=""),
                name="release_has_an_audience",
            ),
            models.CheckConstraint(
                condition=Q(method="suppression", epsilon__isnull=True)
                | Q(method="dp", epsilon__gt=0),
                name="release_dp_has_epsilon",
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_at__isnull=False),
                name="release_released_has_date",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="release_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.period_start}–{self.period_end}"

    @property
    def audience(self) -> str:
        return str(self.recipient) if self.recipient_id else self.publication_name


class BudgetSpend(models.Model):
    """One line of the privacy-budget ledger: a differentially private release spent
    `epsilon` of its audience's budget for the year it left. A release to the public
    spends the public account, which every partner also reads (see
    releases.check_budget)."""

    # "partner:<id>" or "public": one text key so one row can be locked per account
    # (a NULL recipient would not be unique).
    account = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    release = models.OneToOneField(Release, on_delete=models.PROTECT, related_name="budget_spend")
    epsilon = models.FloatField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "year"], name="budget_spend_account_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(epsilon__gt=0), name="budget_spend_positive")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.year}: ε {self.epsilon}"
