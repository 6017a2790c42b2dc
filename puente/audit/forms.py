from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from puente.audit.models import AuditAction

# Whole days in the hotline's time zone are turned into instants, and "to" into the start
# of the next day: the far ends of the calendar would overflow. No trail is that old or new.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
_DATE_RANGE = _("Choose a date between 1900-01-01 and 9998-12-31.")
_DATE_VALIDATORS = [
    MinValueValidator(FIRST_DAY, message=_DATE_RANGE),
    MaxValueValidator(LAST_DAY, message=_DATE_RANGE),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action"))] + list(AuditAction.choices),
    )
    obj = forms.CharField(label=_("Record (reference or id)"), required=False, max_length=60)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_VALIDATORS,
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=_DATE_VALIDATORS,
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“From” must be on or before “To”."))
        return data
