"""The dashboards' filter: dates, place and type, in the query string so a filtered view
can be bookmarked and sent to a colleague."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core import choices as c
from puente.core.forms import FastSelects
from puente.core.geography import (
    canonical_subdivision,
    country_choices,
    country_name,
    is_subdivision_of,
    subdivision_choices,
)
from puente.insights.queries import InsightFilter

# The states of the two hotlines' countries: those the maps draw.
STATE_COUNTRIES = ("US", "MX")
# Far enough back for fifteen years of a hotline's records and the odd typo caught.
EARLIEST = date(1990, 1, 1)


def default_start(today: date) -> date:
    """The last twelve months, today included: the dashboards' view when nothing is chosen."""
    try:
        return today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28) + timedelta(days=1)


def _state_choices() -> list:
    return [("", _("Any state"))] + [
        (country_name(country), subdivision_choices(country)) for country in STATE_COUNTRIES
    ]


class DashboardFilterForm(FastSelects, forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    all_years = forms.BooleanField(label=_("All years"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    state = forms.ChoiceField(label=pgettext_lazy("place", "State"), required=False)
    exploitation_type = forms.ChoiceField(
        label=_("Type of trafficking"),
        required=False,
        choices=[("", _("Any type")), *c.ExploitationType.choices],
    )
    form_of_exploitation = forms.ChoiceField(
        label=_("Form of exploitation (HTCDS)"),
        required=False,
        choices=[("", _("Any form")), *c.TypeOfExploitation.choices],
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # Built per request: the names are in the reader's language.
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Any country")),
            *country_choices(),
        ]
        cast(forms.ChoiceField, self.fields["state"]).choices = _state_choices()
        self.fields["start"].widget.attrs["placeholder"] = default_start(today).isoformat()

    def clean_state(self) -> str:
        return canonical_subdivision(self.cleaned_data.get("state"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= self.today + timedelta(days=366):
                self.add_error(name, _("Choose a date between 1990 and next year."))
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        country, state = data.get("country"), data.get("state")
        if state and country and not is_subdivision_of(state, country):
            self.add_error("state", _("This state is not in the country chosen."))
        return data

    def insight_filter(self) -> InsightFilter:
        """The filter the figures are counted with (call after is_valid())."""
        data = self.cleaned_data
        state = data.get("state") or ""
        if data.get("all_years"):
            start = end = None
        else:
            start = data.get("start")
            end = data.get("end")
            if start is None and end is None:
                start, end = default_start(self.today), self.today
        return InsightFilter(
            start=start,
            end=end,
            country=data.get("country") or (state[:2] if state else ""),
            subdivision=state,
            exploitation_type=data.get("exploitation_type") or "",
            form_of_exploitation=data.get("form_of_exploitation") or "",
        )


def filter_query(f: InsightFilter) -> str:
    """The filter as the audit trail records it ("start=2025-01-01&country=US"): the
    fields that narrow, in a fixed order."""
    parts = [
        ("start", f.start.isoformat() if f.start else ""),
        ("end", f.end.isoformat() if f.end else ""),
        ("country", f.country),
        ("state", f.subdivision),
        ("exploitation_type", f.exploitation_type),
        ("form_of_exploitation", f.form_of_exploitation),
    ]
    shown = [f"{name}={value}" for name, value in parts if value]
    return "&".join(shown) if shown else "all_years=on"
