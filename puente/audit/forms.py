from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action"))] + list(AuditAction.choices),
    )
    obj = forms.CharField(label=_("Record (reference or id)"), required=False, max_length=60)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“From” must be on or before “To”."))
        return data
