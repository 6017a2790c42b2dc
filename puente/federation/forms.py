from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from puente.core.forms import FastSelects
from puente.core.geography import country_name
from puente.directory import choices as dc
from puente.federation import choices as fc
from puente.federation import keys, schema
from puente.federation.models import PartnerHotline


def _blank(choices) -> list:
    return [("", "—"), *choices]


class SendReferralForm(FastSelects, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner hotline"),
        queryset=PartnerHotline.objects.filter(active=True),
        empty_label=None,
    )
    person = forms.TypedChoiceField(
        label=_("Who is referred"), coerce=int, required=False, empty_value=None
    )
    consent_given = forms.BooleanField(
        label=_(
            "The survivor agreed that this referral, with the fields ticked below, is sent to the partner hotline."
        ),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), choices=_blank(fc.CONSENT_METHODS), required=False
    )
    consent_note = forms.CharField(
        label=_("Consent note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Named "fields" in the protocol and in the domain's errors. Django's form metaclass
    # moves declared fields off the class, so this never shadows BaseForm.fields.
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]  # see above
        label=_("Share only these fields"),
        choices=[(f.name, f.label) for f in schema.SUBJECT_FIELDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Names and phone numbers are off unless the survivor agreed to share them."),
    )
    phone = forms.CharField(label=_("Phone number to reach the survivor"), required=False)
    reason = forms.ChoiceField(
        label=_("Reason for the referral"),
        choices=_blank(list(schema.REASONS_FOR_REFERRAL.items())),
        required=False,
    )
    services = forms.MultipleChoiceField(
        label=_("Services needed"),
        choices=dc.Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=fc.Urgency.choices)
    summary = forms.CharField(
        label=_("Summary for the partner's liaison"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Shown to the partner as written. Share only what the survivor agreed to."),
    )

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *persons]
        self.fields["fields"].initial = [f.name for f in schema.SUBJECT_FIELDS if not f.sensitive]

    def extra(self) -> dict:
        data = self.cleaned_data
        return {
            "prs_MobilePhone": data.get("phone", ""),
            "cas_ReasonForOutgoingReferral": data.get("reason", ""),
            "ext_ServicesNeeded": data.get("services", []),
        }


class StatusForm(FastSelects, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=fc.ReferralStatus.choices)
    reason = forms.ChoiceField(
        label=_("Why declined"), choices=_blank(fc.DeclineReason.choices), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=_blank(fc.ClosingOutcome.choices), required=False
    )
    note = forms.CharField(
        label=_("Note for the partner"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, fc.ReferralStatus(s).label) for s in statuses]


class PartnerForm(FastSelects, forms.ModelForm):
    base_url = forms.URLField(
        label=_("Address of their Puente"),
        assume_scheme="https",
        help_text=_("The web address the partner hotline gave you, e.g. https://puente.example.mx"),
    )

    class Meta:
        model = PartnerHotline
        fields = ["name", "country", "base_url", "active"]
        widgets = {"country": forms.Select()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names, not codes, in the language of this request (the model stores the code).
        self.fields["country"].widget.choices = [(c, country_name(c)) for c in ("US", "MX")]


class PartnerKeyForm(FastSelects, forms.Form):
    public_key = forms.CharField(
        label=_("Public key"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The public key the partner hotline gave you: it is shown on their own Partner "
            "hotlines page. Paste it exactly as you received it."
        ),
    )
    key_id = forms.CharField(
        label=_("Key id (optional: checked if given)"), required=False, max_length=100
    )

    def clean(self):
        data = super().clean()
        if "public_key" in data:
            try:
                public = keys.parse_public_key(data["public_key"])
            except ValidationError as exc:
                raise ValidationError({"public_key": exc.messages}) from exc
            derived = keys.key_id_for(public)
            if data.get("key_id") and data["key_id"].strip() != derived:
                raise ValidationError(
                    {"key_id": _("This key's id is %(id)s, not the one given.") % {"id": derived}}
                )
            data["key_id"] = derived
        return data
