"""The psi pages' forms. They only read fields; the rules (what the policy allows, the
limits) are in puente.networks.psi and come back as its errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.federation.models import PartnerHotline
from puente.networks.models.psi import MatchPolicy


class StartMatchForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner hotline"),
        queryset=PartnerHotline.objects.none(),
        empty_label=None,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of identifier"),
        choices=c.IdentifierKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only potential exploiters' identifiers are asked, never a victim's."),
    )

    def __init__(self, *args, partners, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["kinds"].choices = [(k, v) for k, v in c.IdentifierKind.choices if k in kinds]


class MatchPolicyForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of identifier that may be matched"),
        choices=c.IdentifierKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Potential exploiters' identifiers of these kinds, both ways. Victims' and "
            "signalers' identifiers are never matched."
        ),
    )

    class Meta:
        model = MatchPolicy
        fields = [
            "enabled",
            "kinds",
            "include_unattached",
            "runs_per_day",
            "identifiers_per_run",
            "identifiers_per_year",
        ]
        help_texts = {
            "runs_per_day": _("How many requests the partner may make of us in a day."),
            "identifiers_per_run": _("At most 20,000: one request fits in one message."),
            "identifiers_per_year": _(
                "What the partner may ask of us in a calendar year, all requests together: "
                "so it cannot try number after number."
            ),
        }
