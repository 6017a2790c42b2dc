from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.core.choices import IndicatorLevel, LegalFrame
from puente.screening import indicators as ind
from puente.screening.models import Protocol


class ScreeningForm(forms.Form):
    """Parses the checklist; the rules (override needs a reason…) live in the domain."""

    def __init__(self, *args, persons=(), mexican_frame: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not mexican_frame:
            # Mexico's legal frame belongs to Mexican deployments and to cases that
            # involve Mexico (`puente.cases.queries.shows_mexican_frame`).
            cast(forms.ChoiceField, self.fields["legal_frame"]).choices = [
                (code, label) for code, label in LegalFrame.choices if code != LegalFrame.MX_LGT
            ]
        self.persons = {p.pk: p for p in persons}
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", _("Not said"))] + [
            (p.pk, p.display_name) for p in persons
        ]

    indicators = forms.MultipleChoiceField(
        label=_("Indicators present"),
        required=False,
        choices=[(i.code, i.label) for i in ind.INDICATORS],
        widget=forms.CheckboxSelectMultiple,
    )
    legal_frame = forms.ChoiceField(label=_("Legal frame"), choices=LegalFrame.choices)
    # The potential victims of the case, set by the view; empty for a contact not in one.
    person = forms.TypedChoiceField(
        label=_("Person screened"), required=False, coerce=int, empty_value=None, choices=[]
    )
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


class FindingsForm(forms.Form):
    """What screenings put in a case, as the advocate corrects it, and why."""

    def __init__(self, *args, mexican_frame: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not mexican_frame:
            del self.fields["mx_forms_of_exploitation"]

    FIELDS = (
        "level_of_indicators",
        "exploitation_type",
        "forms_of_exploitation",
        "mx_forms_of_exploitation",
        "methods_of_control",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    level_of_indicators = forms.ChoiceField(
        label=_("Level of indicators"),
        required=False,
        choices=[("", "—")] + list(IndicatorLevel.choices),
    )
    exploitation_type = forms.ChoiceField(
        label=_("Type of trafficking"), choices=c.ExploitationType.choices
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation (HTCDS)"),
        required=False,
        choices=c.TypeOfExploitation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    mx_forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation (Ley General, art. 10)"),
        required=False,
        choices=c.MexicoExploitationForm.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    methods_of_control = forms.MultipleChoiceField(
        label=_("Methods of control"),
        required=False,
        choices=c.MethodOfControl.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why you correct the findings"), widget=forms.Textarea(attrs={"rows": 3})
    )
