"""Forms of the staff administration pages (`staff_views.py`). They parse input; the
rules (no own-access changes, never the last administrator) are in `domain.py`."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from puente.accounts.roles import Role
from puente.core.forms import FastSelects

LANGUAGES = [("en", "English"), ("es", "Español")]


class StaffFilterForm(FastSelects, forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Any role")), *Role.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("yes", _("Active")), ("no", _("Deactivated")), ("", _("Active or not"))],
        required=False,
    )


class StaffCreateForm(FastSelects, forms.Form):
    first_name = forms.CharField(label=_("First name(s)"), max_length=150)
    last_name = forms.CharField(label=_("Last name(s)"), max_length=150, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What they type to sign in: letters, digits and @ . + - _ only."),
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=LANGUAGES,
        help_text=_("Puente opens in this language when they sign in."),
    )


class StaffRoleForm(FastSelects, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
