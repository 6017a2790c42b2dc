"""Referrals from a case to a service provider, and reports from a case to law
enforcement or child welfare, each recorded with consent and outcome.

Both point at a directory listing when there is one, and always keep the name they
were made to: a listing can be renamed, merged or removed, and the record of where a
survivor was sent must not change with it. The rules are in `puente.referrals.domain`;
the constraints here are the ones the database can hold on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.cases.models import Case, Person
from puente.core import choices as c
from puente.directory import choices as dc
from puente.directory.models import Provider
from puente.referrals import choices as rc
from puente.referrals.approval import LEFT, ApprovalFields, approval_constraints


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person referred"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider in the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    provider_name = models.CharField(_("provider"), max_length=200)
    service = models.CharField(_("service"), max_length=32, choices=dc.Service.choices)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_method = models.CharField(
        _("how consent was given"), max_length=12, choices=c.ConsentMethod.choices, blank=True
    )
    # Why a guardian's consent stands when a family member is recorded as the person's
    # exploiter or recruiter (the domain requires it then).
    consent_note = models.TextField(_("about consent"), blank=True)
    status = models.CharField(
        pgettext_lazy("referral status", "status"),
        max_length=12,
        choices=rc.ReferralStatus.choices,
        default=rc.ReferralStatus.MADE,
    )
    outcome = models.CharField(
        pgettext_lazy("referral outcome", "outcome"),
        max_length=20,
        choices=rc.ReferralOutcome.choices,
        blank=True,
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    referred_on = models.DateField(_("referred on"))
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Optimistic concurrency, as for cases: every save names the version it was read at.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # Follow-up: referrals still waiting for an outcome, oldest first.
            models.Index(
                fields=["status", "referred_on"],
                name="referral_followup_idx",
                condition=~Q(status="closed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_name__gt=""), name="referral_names_provider"
            ),
            models.CheckConstraint(
                condition=Q(consent_given=True, consent_method__in=sorted(c.CONSENT_GIVEN))
                | Q(consent_given=False, consent_method__in=["", c.ConsentMethod.EMERGENCY]),
                name="referral_consent_method_fits",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", outcome__gt="") | ~Q(status="closed"),
                name="closed_referral_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("referred_on")),
                name="referral_outcome_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.provider_name} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status != rc.ReferralStatus.CLOSED


class AuthorityReport(ApprovalFields):
    """A report of a case to law enforcement or child welfare. Made with the person's
    consent, or without it only under a legal duty, which the record names. Without
    consent it is first a request: made only once a supervisor approves it (`approval`,
    unless the hotline switched approval off)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="authority_reports")
    agency = models.ForeignKey(
        Provider,
        verbose_name=_("agency in the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authority_reports",
    )
    agency_name = models.CharField(_("agency"), max_length=200)
    agency_type = models.CharField(
        _("type of agency"), max_length=20, choices=rc.AgencyType.choices
    )
    reported_on = models.DateField(_("reported on"))
    method = models.CharField(
        _("how it was reported"), max_length=16, choices=rc.ReportMethod.choices
    )
    consent_given = models.BooleanField(_("consent given"), default=False)
    mandatory_duty = models.CharField(
        _("legal duty to report"), max_length=16, choices=rc.MandatoryDuty.choices, blank=True
    )
    duty_note = models.TextField(_("about the legal duty"), blank=True)
    reference_number = models.CharField(_("agency's reference number"), max_length=100, blank=True)
    outcome = models.CharField(
        pgettext_lazy("report outcome", "outcome"),
        max_length=24,
        choices=rc.ReportOutcome.choices,
        default=rc.ReportOutcome.PENDING,
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("report to authorities")
        verbose_name_plural = _("reports to authorities")
        constraints = [
            models.CheckConstraint(condition=Q(agency_name__gt=""), name="report_names_agency"),
            # The rule that matters most here, held by the database too: no report about
            # a person without their consent unless the law required it.
            models.CheckConstraint(
                condition=Q(consent_given=True) | ~Q(mandatory_duty=""),
                name="report_without_consent_names_duty",
            ),
            *approval_constraints("report"),
        ]
        indexes = [
            # The supervisors' queue: reports waiting for approval.
            models.Index(
                fields=["approval"],
                name="report_awaiting_approval_idx",
                condition=Q(approval="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.agency_name} ({self.reported_on})"

    @property
    def is_made(self) -> bool:
        """Has the report gone (or may it go) to the agency? Not while it waits for a
        supervisor, nor once declined."""
        return self.approval in LEFT
