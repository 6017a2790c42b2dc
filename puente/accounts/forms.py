from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.accounts.roles import ROLE_PERMISSIONS


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member picked by name, the one picker every form uses (case owner, task
    assignee, access to a restricted case…).

    Only active staff whose role may hold the duty (`duty`, a permission: a case owner
    must be able to edit cases) are offered, sorted by name as colleagues know one
    another; usernames and emails never show. Instead of Django's "---------" the empty
    choice says what it means: "Nobody yet" where empty is allowed, "Choose a person"
    where someone must be picked.
    """

    def __init__(
        self,
        *,
        duty: str,
        label: Any,
        required: bool = True,
        empty_label: Any = None,
        **kwargs: Any,
    ) -> None:
        if empty_label is None:
            empty_label = _("Choose a person") if required else _("Nobody yet")
        super().__init__(
            queryset=staff_for_duty(duty),
            label=label,
            required=required,
            empty_label=empty_label,
            **kwargs,
        )

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def staff_for_duty(duty: str) -> QuerySet[User]:
    """Active staff whose role holds permission `duty`, by first then last name."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if duty in perms]
    return User.objects.filter(is_active=True, role__in=roles).order_by(
        Lower("first_name"), Lower("last_name"), Lower("username")
    )
