"""Referral and report forms. They only parse and show input; the rules (consent, the
status workflow, the legal duty behind a report without consent) are in
`puente.referrals.domain`, which names every problem beside its field."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.cases.models import Person
from puente.core import choices as c
from puente.core.forms import FastSelects
from puente.directory import choices as dc
from puente.directory.models import Provider
from puente.referrals import choices as rc
from puente.referrals import domain, queries

# Lazy labels, translated when a form is shown.
STATUS_LABELS = dict(rc.ReferralStatus.choices)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        roles = ", ".join(c.label_for(c.PersonRole, role) for role in obj.roles or [])
        return f"{obj.display_name} ({roles})" if roles else obj.display_name


class _AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.country})"


class _ConsentFields(FastSelects, forms.Form):
    consent_given = forms.BooleanField(label=_("Consent given"), required=False)
    consent_method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=_blank(c.ConsentMethod.choices),
        required=False,
        help_text=_("Without consent, choose “Not required: emergency” only if it could not wait."),
    )
    consent_note = forms.CharField(
        label=_("About consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Who consented. Required for a guardian's consent when a family member is "
            "recorded as the person's exploiter or recruiter."
        ),
    )


class _ReferralOutcomeFields(FastSelects, forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("referral outcome", "Outcome"),
        choices=_blank(rc.ReferralOutcome.choices),
        required=False,
    )
    outcome_on = _date(_("Outcome on"), required=False, help_text=_("Today, if left empty."))
    outcome_note = forms.CharField(label=_("Outcome note"), widget=forms.Textarea, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea,
        required=False,
        help_text=_("What was shared with the provider and what was arranged."),
    )


class ReferralForm(_ConsentFields):
    # Chosen in the directory search (its "Refer" link); a provider that is not in the
    # directory is named in provider_name instead.
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.all(), widget=forms.HiddenInput, required=False
    )
    provider_name = forms.CharField(
        label=_("Provider not in the directory"),
        max_length=200,
        required=False,
        help_text=_("Only when the provider is not listed: its name and town."),
    )
    service = forms.ChoiceField(label=_("Service"), choices=dc.Service.choices)
    person = _PersonChoice(
        label=_("Person referred"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("The case as a whole / not recorded"),
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("referral status", "Status"),
        choices=[(code, STATUS_LABELS[code]) for code in domain.INITIAL_STATUSES],
        initial=rc.ReferralStatus.MADE,
        help_text=_(
            "“Suggested to the person”: they were given the provider's details. "
            "“Referral made”: the hotline contacted the provider for them."
        ),
    )
    referred_on = _date(_("Referred on"), initial=timezone.localdate)
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea,
        required=False,
        help_text=_("What was shared with the provider and what was arranged."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = queries.persons_to_refer(case=case)
        self.order_fields(domain.REFERRAL_FIELDS)


class ReferralEditForm(_ConsentFields, _ReferralOutcomeFields):
    # Any status parses; whether this referral may go there is the domain's rule. That
    # way a stale form reaches the version check and keeps what was typed.
    status = forms.ChoiceField(
        label=pgettext_lazy("referral status", "Status"), choices=rc.ReferralStatus.choices
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    FIELDS = domain.REFERRAL_EDITABLE

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered: where it may go from where it is now; staying put is always allowed
        # (to record an outcome or a note without moving it).
        codes = [status, *domain.allowed_referral_transitions(status=status)]
        self.fields["status"].widget.choices = [(code, STATUS_LABELS[code]) for code in codes]
        self.order_fields([*self.FIELDS, "version"])


class _ReportFields(FastSelects, forms.Form):
    agency_type = forms.ChoiceField(label=_("Type of agency"), choices=rc.AgencyType.choices)
    reported_on = _date(_("Reported on"), initial=timezone.localdate)
    method = forms.ChoiceField(label=_("How it was reported"), choices=rc.ReportMethod.choices)
    consent_given = forms.BooleanField(
        label=_("The person consented to this report"), required=False
    )
    mandatory_duty = forms.ChoiceField(
        label=_("Legal duty to report"),
        choices=_blank(rc.MandatoryDuty.choices),
        required=False,
        help_text=_("Required when the person did not consent."),
    )
    duty_note = forms.CharField(
        label=_("About the legal duty"), widget=forms.Textarea, required=False
    )
    reference_number = forms.CharField(
        label=_("Agency's reference number"), max_length=100, required=False
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("report outcome", "Outcome"),
        choices=rc.ReportOutcome.choices,
        initial=rc.ReportOutcome.PENDING,
    )
    outcome_note = forms.CharField(label=_("Outcome note"), widget=forms.Textarea, required=False)

    FIELDS: tuple[str, ...] = domain.REPORT_EDITABLE


class ReportForm(_ReportFields):
    agency = _AgencyChoice(
        label=_("Agency in the directory"),
        queryset=queries.agencies(),
        required=False,
        empty_label=_("Not in the directory"),
    )
    agency_name = forms.CharField(
        label=_("Agency not in the directory"),
        max_length=200,
        required=False,
        help_text=_("Only when the agency is not listed: its name and place."),
    )

    FIELDS = domain.REPORT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.FIELDS)


class ReportEditForm(_ReportFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """A supervisor's answer to a request for approval (reports here, cross-border
    referrals in puente.federation)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to decline; the person who asked sees it."),
    )
