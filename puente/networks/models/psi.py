"""The networks app's psi models: matching exploiters' identifiers with a partner hotline
by private set intersection (puente/networks/psi.py holds the rules).

- `MatchPolicy`: per partner, what may be matched with it and how often it may ask us.
- `MatchRun`: a run we asked (requester side), with the PSI client's secret, sealed,
  until the partner's answer arrives.
- `ServedMatch`: a request a partner asked of us (responder side), answered or refused;
  the rate limit and the yearly budget count these.
- `IdentifierMatch`: an identifier of ours the partner also holds, found by a run.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "DEFAULT_MATCH_KINDS",
    "MAX_IDENTIFIERS_PER_RUN",
    "IdentifierMatch",
    "MatchPolicy",
    "MatchRun",
    "PreparedAnswer",
    "RunStatus",
    "ServedMatch",
    "ServedOutcome",
]

# Never more than this in one run, whatever a policy says: a request of this many fits in
# one exchange message under the default body limit (1 MiB; 35 bytes an identifier,
# base64).
MAX_IDENTIFIERS_PER_RUN = 20_000
DEFAULT_MATCH_KINDS = ["phone", "email", "social", "online_ad"]


def _default_kinds() -> list[str]:
    return list(DEFAULT_MATCH_KINDS)


class MatchPolicy(models.Model):
    """What this hotline matches with one partner. The kinds bind both ways (we ask only
    these, and answer only these); the limits bind what the partner may ask of us. No
    policy, or a disabled one, matches nothing. Victims' and signalers' identifiers are
    never matched: there is no setting for them."""

    partner = models.OneToOneField(
        "federation.PartnerHotline",
        on_delete=models.CASCADE,
        related_name="match_policy",
        verbose_name=_("partner hotline"),
    )
    enabled = models.BooleanField(_("matching allowed"), default=False)
    kinds = models.JSONField(_("identifier kinds"), default=_default_kinds)
    include_unattached = models.BooleanField(
        _("include identifiers on no person"),
        default=False,
        help_text=_(
            "Identifiers recorded on a case but on no person may be anyone's, a victim's "
            "among them: off unless you are sure."
        ),
    )
    runs_per_day = models.PositiveIntegerField(
        _("requests per day"), default=3, validators=[MinValueValidator(1)]
    )
    identifiers_per_run = models.PositiveIntegerField(
        _("identifiers per request"),
        default=10_000,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_IDENTIFIERS_PER_RUN)],
    )
    identifiers_per_year = models.PositiveIntegerField(
        _("identifiers per calendar year"), default=50_000, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("identifier match policy")
        verbose_name_plural = _("identifier match policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(identifiers_per_run__lte=MAX_IDENTIFIERS_PER_RUN),
                name="match_policy_run_cap",
            )
        ]

    def __str__(self) -> str:
        return str(self.partner)


class RunStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("match run", "Waiting for the partner")
    ANSWERED = "answered", pgettext_lazy("match run", "Answered")
    REFUSED = "refused", pgettext_lazy("match run", "Refused by the partner")
    FAILED = "failed", pgettext_lazy("match run", "Failed")
    EXPIRED = "expired", pgettext_lazy("match run", "Expired")


class MatchRun(models.Model):
    """One request of ours to a partner. `sealed` holds the PSI client's secret key and
    the identifiers asked, in order, encrypted with a key derived from SECRET_KEY; it is
    emptied when the answer is read, refused, or the run expires."""

    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "federation.PartnerHotline", on_delete=models.PROTECT, related_name="match_runs"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kinds = models.JSONField(_("identifier kinds"), default=list)
    asked = models.PositiveIntegerField(_("identifiers asked"), default=0)
    left_out = models.PositiveIntegerField(_("identifiers left out"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.SENT
    )
    matched = models.PositiveIntegerField(_("identifiers shared"), null=True, blank=True)
    refusal = models.CharField(_("refusal"), max_length=40, blank=True)
    message_id = models.UUIDField(_("message"), null=True, blank=True)
    sealed = models.BinaryField(null=True, blank=True, editable=False)
    # The answer's parts as they arrive (a large answer comes in several messages).
    answer_parts = models.PositiveIntegerField(default=0)
    answer_bytes = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identifier match run")
        verbose_name_plural = _("identifier match runs")
        indexes = [models.Index(fields=["status", "created_at"], name="match_run_status")]

    def __str__(self) -> str:
        return f"{self.partner} {self.run_id}"


class ServedOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("served match", "Being answered")
    ANSWERED = "answered", pgettext_lazy("served match", "Answered")
    REFUSED = "refused", pgettext_lazy("served match", "Refused")


class ServedMatch(models.Model):
    """A partner's request we received: how many identifiers it asked, and whether we
    answered. The partner's identifiers never reach us in the clear, so nothing else is
    kept. Answered requests count against the policy's daily and yearly limits."""

    partner = models.ForeignKey(
        "federation.PartnerHotline", on_delete=models.PROTECT, related_name="served_matches"
    )
    run_id = models.UUIDField(_("partner's run"))
    kinds = models.JSONField(_("identifier kinds"), default=list)
    asked = models.PositiveIntegerField(_("identifiers asked"))
    held = models.PositiveIntegerField(_("identifiers we compared"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ServedOutcome.choices)
    refusal = models.CharField(_("refusal"), max_length=40, blank=True)
    # The partner's blinded points while the answer is computed; emptied once it is sent.
    request = models.BinaryField(null=True, blank=True, editable=False)
    max_part_bytes = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("identifier match answered")
        verbose_name_plural = _("identifier matches answered")
        constraints = [
            models.UniqueConstraint(fields=["partner", "run_id"], name="one_served_match_per_run")
        ]
        indexes = [
            models.Index(fields=["partner", "outcome", "received_at"], name="served_match_budget")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.run_id}"


class PreparedAnswer(models.Model):
    """Our set, blinded ahead of a partner's next request with a key drawn for it alone
    (the slow half of an answer: one elliptic-curve multiplication per identifier we
    hold). Used by one request at most, then deleted; never used once older than
    PUENTE_PSI_PREPARED_MINUTES or when an identifier in it is no longer an exploiter's
    here. `sealed` holds the key and the items, encrypted like a run's secret."""

    partner = models.ForeignKey(
        "federation.PartnerHotline", on_delete=models.CASCADE, related_name="+"
    )
    kinds = models.JSONField(default=list)
    include_unattached = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField()  # the request size the set was sized for
    sealed = models.BinaryField()
    setup = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "created_at"], name="prepared_answer_partner")]

    def __str__(self) -> str:
        return f"{self.partner} {self.created_at:%Y-%m-%d %H:%M}"


class IdentifierMatch(models.Model):
    """An identifier of ours the partner also holds as an exploiter's. `cases` are the
    local cases that held it when the answer was read."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(_("kind"), max_length=12)
    normalised = models.CharField(_("identifier"), max_length=300)
    cases = models.ManyToManyField("cases.Case", related_name="cross_border_matches")

    class Meta:
        ordering = ["kind", "normalised"]
        verbose_name = _("identifier shared with a partner")
        verbose_name_plural = _("identifiers shared with a partner")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "normalised"], name="one_match_per_run_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.normalised}"
