"""Trends across the border: the releases that travel between partner hotlines.

`SentRelease` records that one of our releases (`Release`, with a partner as recipient)
was put on the exchange to that partner, and by which message, so the page can say
whether the partner has it yet. `PartnerRelease` is a release a partner hotline sent us:
its protected table exactly as it arrived — codes and counts, each count at least the
partner's k and ours, never a name — with the protection the partner applied.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.federation.models import PartnerHotline
from puente.sharing.models.releases import Release, ReleaseMethod

__all__ = ["PartnerRelease", "SentRelease"]


class SentRelease(models.Model):
    """One of our releases on its way to (or with) the partner hotline it was made for."""

    release = models.OneToOneField(
        Release, on_delete=models.PROTECT, related_name="sent", verbose_name=_("release")
    )
    partner = models.ForeignKey(
        PartnerHotline,
        on_delete=models.PROTECT,
        related_name="sent_releases",
        verbose_name=_("partner hotline"),
    )
    # Copied from the release so the monthly schedule can be held to one release per
    # partner, table and month by the database, whichever worker runs it.
    table = models.CharField(_("table"), max_length=40)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # The exchange message that carries it (federation's outbox, by message id): its
    # delivery state is the partner's acknowledgement.
    message_id = models.UUIDField(unique=True, editable=False)
    monthly = models.BooleanField(_("sent by the monthly schedule"), default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("release sent to a partner")
        verbose_name_plural = _("releases sent to partners")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "table", "period_start", "period_end"],
                condition=Q(monthly=True),
                name="one_monthly_release_per_partner_table_period",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "table", "-period_end"], name="sent_release_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.period_start}–{self.period_end} → {self.partner}"


class PartnerRelease(models.Model):
    """A release a partner hotline sent us over the exchange, stored once (the inbox is
    keyed by message id, and this table by the partner's release id)."""

    partner = models.ForeignKey(
        PartnerHotline,
        on_delete=models.PROTECT,
        related_name="received_releases",
        verbose_name=_("partner hotline"),
    )
    release_id = models.UUIDField(_("the partner's release id"), default=uuid.uuid4)
    message_id = models.UUIDField(unique=True)
    # The name the partner gave itself in the message (its own words, not ours).
    sender_name = models.CharField(_("sent as"), max_length=200, blank=True)
    table = models.CharField(_("table"), max_length=40)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    method = models.CharField(_("protection"), max_length=12, choices=ReleaseMethod.choices)
    k = models.PositiveSmallIntegerField(_("smallest count published (k)"))
    epsilon = models.FloatField(_("epsilon (ε)"), null=True, blank=True)
    delta = models.FloatField(_("delta (δ)"), null=True, blank=True)
    dimensions = models.JSONField(default=list)
    cells = models.JSONField(default=list)
    margins = models.JSONField(default=list)
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-received_at"]
        verbose_name = _("release received from a partner")
        verbose_name_plural = _("releases received from partners")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "release_id"], name="one_partner_release_per_id"
            ),
            models.CheckConstraint(condition=Q(k__gte=1), name="partner_release_k_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="partner_release_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(method="suppression", epsilon__isnull=True)
                | Q(method="dp", epsilon__gt=0),
                name="partner_release_dp_has_epsilon",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "table", "-period_end"], name="partner_release_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.period_start}–{self.period_end} ← {self.partner}"
