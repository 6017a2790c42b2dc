"""The network view's filters (a GET form: the address can be bookmarked and shared)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c


class GraphFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Identifier kind"),
        required=False,
        choices=[("", _("Every kind"))] + list(c.IdentifierKind.choices),
    )
    min_cases = forms.IntegerField(
        label=_("At least this many cases"), required=False, min_value=2, max_value=1000
    )
    since = forms.DateField(
        label=_("Cases opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Find an identifier or a case reference"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
