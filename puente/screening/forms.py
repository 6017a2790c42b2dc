from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.choices import IndicatorLevel, LegalFrame
from puente.screening import indicators as ind
from puente.screening.models import Protocol


class ScreeningForm(forms.Form):
    """Parses the checklist; the rules (override needs a reason…) live in the domain."""

    indicators = forms.MultipleChoiceField(
        label=_("Indicators present"),
        required=False,
        choices=[(i.code, i.label) for i in ind.INDICATORS],
        widget=forms.CheckboxSelectMultiple,
    )
    legal_frame = forms.ChoiceField(label=_("Legal frame"), choices=LegalFrame.choices)
    override_level = forms.ChoiceField(
        label=_("Set a different level"),
        required=False,
        choices=[("", _("Keep the computed level"))] + list(IndicatorLevel.choices),
    )
    override_reason = forms.CharField(
        label=_("Why you set a different level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProtocolForm(forms.ModelForm):
    class Meta:
        model = Protocol
        fields = ["title_en", "title_es", "steps_en", "steps_es"]
        widgets = {
            "steps_en": forms.Textarea(attrs={"rows": 12}),
            "steps_es": forms.Textarea(attrs={"rows": 12}),
        }
