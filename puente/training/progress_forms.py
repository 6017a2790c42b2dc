"""Forms of the progress pages: requiring scenarios of one person, or of several at once.
The rules (who may be required what, the audit) are in puente.training.progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.training import scenarios


def _scenario_choices() -> list[tuple[str, str]]:
    language = (get_language() or "en")[:2]
    return [(s.slug, str(s.title(language))) for s in scenarios.all_scenarios()]


class RequireForm(forms.Form):
    """Scenarios to require of one person (the person is the page's)."""

    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios to pass before live calls"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scenario.")},
    )

    def __init__(self, *args: Any, exclude: set[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What is required already is listed above the form, with its own "drop" button.
        self.fields["scenarios"].choices = [  # type: ignore[attr-defined]
            (slug, title) for slug, title in _scenario_choices() if slug not in (exclude or set())
        ]


class BulkRequireForm(forms.Form):
    """The same scenarios required of several people at once (a new group of trainees)."""

    people = forms.MultipleChoiceField(
        label=_("People"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )
    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios to pass before live calls"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scenario.")},
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people_by_id = {str(p.pk): p for p in people}
        self.fields["people"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), p.display_name) for p in people
        ]
        self.fields["scenarios"].choices = _scenario_choices()  # type: ignore[attr-defined]

    def chosen_people(self) -> list[User]:
        return [self.people_by_id[pk] for pk in self.cleaned_data["people"]]
