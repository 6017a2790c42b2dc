from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.retention.rules import Unit


class RuleForm(forms.Form):
    """One category's rule; the domain (`check_rule`) holds the floor and the ceiling."""

    keep_for = forms.IntegerField(label=_("Keep for"), min_value=1, max_value=99_999)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    enabled = forms.BooleanField(label=_("Purge when due"), required=False)
