"""Partner hotlines and what travels between them.

Each hotline runs its own Puente and owns its own data. A *partner* is another
deployment we trust, by its public keys. What crosses the border is a *message*: written
to the outbox in the same transaction as the action that caused it, delivered by the
worker, received exactly once (the inbox is keyed by message id). A cross-border
referral exists on both sides under one shared `exchange_id`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.federation import choices as fc
from puente.referrals.approval import ApprovalFields, approval_constraints


class PartnerHotline(models.Model):
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    base_url = models.URLField(
        _("base URL"),
        help_text=_("Where the partner's Puente answers, e.g. https://puente.example.mx"),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive partner is sent nothing and its messages are refused."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Only one worker delivers to a partner at a time, so messages arrive in order; the
    # lease expires on its own if that worker dies mid-delivery.
    delivery_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner hotline")
        verbose_name_plural = _("partner hotlines")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def inbox_url(self) -> str:
        return self.base_url.rstrip("/") + "/exchange/inbox/"


class PartnerKey(models.Model):
    """A public key a partner signs with. Rotation: the partner creates a new key, we
    register it beside the old one, the partner switches, we revoke the old one."""

    partner = models.ForeignKey(PartnerHotline, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(_("key id"), max_length=100, unique=True)
    public_key = models.TextField(_("public key (PEM or base64)"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["partner", "added_at"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self) -> str:
        return self.key_id


class OutboxMessage(models.Model):
    """One message to one partner, in the order the actions happened."""

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(PartnerHotline, on_delete=models.PROTECT, related_name="outbox")
    referral = models.ForeignKey(
        "CrossBorderReferral",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # The exchange's own types (fc.MessageType) and those apps above add
    # (schema.add_message_type), so an open set: shown with schema.message_type_label.
    message_type = models.CharField(_("type"), max_length=30)
    # The exact bytes sent on every attempt, so the content digest never changes.
    body = models.TextField()
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=fc.DeliveryState.choices,
        default=fc.DeliveryState.QUEUED,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # Set when retention removed `body`: the id, state and times stay, so the history
    # still shows what was sent when, and a purged message is never sent again.
    purged_at = models.DateTimeField(_("body removed"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["partner", "state", "id"], name="outbox_partner_due")]

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id}"


class InboxMessage(models.Model):
    """Every message a partner delivered to us, once. A redelivery finds its row and is
    acknowledged again without being applied twice."""

    message_id = models.UUIDField(unique=True)
    partner = models.ForeignKey(PartnerHotline, on_delete=models.PROTECT, related_name="inbox")
    message_type = models.CharField(max_length=30)  # an open set, as on OutboxMessage
    schema_version = models.PositiveSmallIntegerField()
    body_digest = models.CharField(max_length=64)
    payload = models.JSONField()
    key_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    # Set when retention emptied `payload`. The message id and body digest stay, so a
    # redelivery is still recognised and acknowledged, never applied twice.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")

    def __str__(self) -> str:
        return f"{self.message_type} {self.message_id}"


class SeenSignature(models.Model):
    """Nonces of signatures already accepted, kept for the freshness window: the same
    signed request sent again is a replay and is refused."""

    nonce = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.nonce


class CrossBorderReferral(ApprovalFields):
    """A survivor's referral to (outgoing) or from (incoming) the partner hotline.

    Outgoing: `case` is the case it was sent from. Incoming: `case` is the local case a
    liaison opened from it, if any. `shared` holds exactly the HTCDS-named fields that
    crossed the border, as codes; `summary` is the sender's free text, shown as written.
    """

    exchange_id = models.UUIDField(default=uuid.uuid4, editable=False)
    direction = models.CharField(max_length=8, choices=fc.Direction.choices)
    partner = models.ForeignKey(PartnerHotline, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cross_border_referrals",
    )
    sender_reference = models.CharField(_("sender's case reference"), max_length=30, blank=True)
    shared = models.JSONField(_("shared fields"), default=dict)
    summary = models.TextField(_("summary"), blank=True)
    summary_language = models.CharField(max_length=5, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=fc.Urgency.choices, default=fc.Urgency.ROUTINE
    )
    consent_method = models.CharField(
        _("how consent was given"), max_length=20, choices=fc.CONSENT_METHODS
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"))
    consent_note = models.TextField(_("consent note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=fc.ReferralStatus.choices,
        default=fc.ReferralStatus.SENT,
    )
    # The highest status sequence number applied: updates that arrive late never move
    # the referral backwards.
    status_seq = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("referral", "sent"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange_id", "direction"], name="one_referral_per_exchange_and_side"
            ),
            # An outgoing referral waits for a supervisor before it is written to the
            # outbox (`approval`; puente.referrals.approval holds the rules).
            *approval_constraints("crossborder"),
        ]
        verbose_name = _("cross-border referral")
        verbose_name_plural = _("cross-border referrals")

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.exchange_id}"


class ReferralUpdate(models.Model):
    """One step of a cross-border referral: accepted, declined, in contact, services
    connected, closed. Numbered by the side that handles the referral, so both sides
    show the same history in the same order."""

    referral = models.ForeignKey(
        CrossBorderReferral, on_delete=models.CASCADE, related_name="updates"
    )
    seq = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=20, choices=fc.ReferralStatus.choices)
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"))
    by_name = models.CharField(_("by"), max_length=200, blank=True)
    partner_case_reference = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["referral", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "seq"], name="one_update_per_seq")
        ]

    def __str__(self) -> str:
        return f"{self.seq}: {self.status}"


class InboxRefusalSummary(models.Model):
    """Requests the inbox refused before anyone was proven to have sent them — unsigned,
    forged, stale, replayed, over the rate limit — counted per source address and minute.

    One row per source and minute, whatever the flood: the audit trail (chained, never
    deleted) records what verified partners did; a stranger's 5,000 requests are one
    counted line here, kept until `purge_refusal_summaries`. A forged request that names
    a partner's key id is counted under `claimed_key_ids`, never as that partner."""

    source = models.CharField(_("source address"), max_length=45)
    minute = models.DateTimeField(_("minute"))
    refused = models.PositiveIntegerField(_("refused"), default=0)
    rate_limited = models.PositiveIntegerField(_("rate limited"), default=0)
    last_code = models.CharField(_("last refusal"), max_length=40, blank=True)
    last_detail = models.CharField(_("detail"), max_length=300, blank=True)
    # Key ids the requests claimed, space-separated, the first few only: a claim, not a fact.
    claimed_key_ids = models.CharField(_("claimed key ids"), max_length=500, blank=True)

    class Meta:
        ordering = ["-minute", "source"]
        verbose_name = _("refused requests (summary)")
        verbose_name_plural = _("refused requests (summaries)")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "minute"], name="one_summary_per_source_minute"
            )
        ]
        indexes = [models.Index(fields=["minute"], name="refusal_summary_minute")]

    def __str__(self) -> str:
        return f"{self.source} {self.minute:%Y-%m-%d %H:%M}: {self.refused + self.rate_limited}"


class InboxRateCounter(models.Model):
    """Requests counted per bucket (`source:<address>` or `key:<key id>`) and one-minute
    window, shared by every server process through the database. Rows older than the
    current window are deleted as new windows open."""

    bucket = models.CharField(max_length=140)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window"], name="one_counter_per_window")
        ]
        indexes = [models.Index(fields=["window"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.bucket} {self.window:%H:%M}: {self.count}"
