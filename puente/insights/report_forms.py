from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from puente.insights.reports import periods
from puente.insights.reports.choices import FileFormat, ReportKind


class ReportForm(forms.Form):
    """What to generate: the kind of report, its days, its language and its files. The
    domain (`check_request`) holds the rules; this only reads the fields."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    period_start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Both days included. A whole month, half-year or fiscal year is named as such."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)
    formats = forms.MultipleChoiceField(
        label=_("Files"),
        choices=FileFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(FileFormat.values),
    )

    def __init__(self, *args, start_month: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_month = start_month

    def clean(self):
        data = super().clean()
        kind, start, end = data.get("kind"), data.get("period_start"), data.get("period_end")
        if kind and start and end:
            try:
                data["period"] = periods.period_for_dates(
                    kind, start, end, start_month=self.start_month
                )
            except periods.PeriodError as exc:
                self.add_error("period_end", str(exc))
        return data
