"""Reporting periods, the fiscal year they follow, and when each report is due.

A monthly report covers a calendar month; a semi-annual report half a fiscal year; an
annual report a fiscal year. The U.S. federal fiscal year starts on 1 October and is
named by the year it ends in (FY2026: 1 October 2025 – 30 September 2026); where the
fiscal year starts in January it is the calendar year. The month it starts in comes
from the report definitions (`fiscal_year_start_month`, per country). Any other range of
days can be reported too (`2026-01-01..2026-03-31`): the report kind then only says
which sections it holds.

The due-date rule (NHTH reference guide, monthly report): due by the 15th day of the
second month after the period ends — October 2022's report by 15 December 2022. The
number of months and the day are part of the definitions, per kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats, translation
from django.utils.translation import gettext as _

from puente.insights.reports.choices import ReportKind

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HALF = re.compile(r"^(?:FY)?(\d{4})-H([12])$", re.IGNORECASE)
YEAR = re.compile(r"^(?:FY)?(\d{4})$", re.IGNORECASE)
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# The longest range a report covers: a few fiscal years (a report, not an archive).
LONGEST = timedelta(days=5 * 366)


class PeriodError(ValueError):
    pass


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    # How it was named: "2026-01", "2026-H1", "2026" or a range.
    token: str

    def label(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            whole_months = self.start.day == 1 and self.end == _month_end(self.end.replace(day=1))
            if not whole_months:
                return _("%(start)s to %(end)s") % {
                    "start": formats.date_format(self.start, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(self.end, "SHORT_DATE_FORMAT"),
                }
            first = formats.date_format(self.start, "YEAR_MONTH_FORMAT")
            if (self.start.year, self.start.month) == (self.end.year, self.end.month):
                return first
            return _("%(start)s to %(end)s") % {
                "start": first,
                "end": formats.date_format(self.end, "YEAR_MONTH_FORMAT"),
            }


def fiscal_year_start(year: int, start_month: int) -> date:
    """The first day of fiscal year `year`, named by the year it ends in."""
    return date(year - 1 if start_month > 1 else year, start_month, 1)


def fiscal_year_of(day: date, start_month: int) -> int:
    if start_month > 1 and day.month >= start_month:
        return day.year + 1
    return day.year


def month_period(kind: str, year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(kind=kind, start=start, end=_month_end(start), token=f"{year:04d}-{month:02d}")


def half_period(kind: str, year: int, half: int, start_month: int) -> Period:
    start = add_months(fiscal_year_start(year, start_month), 6 * (half - 1))
    return Period(
        kind=kind,
        start=start,
        end=add_months(start, 6) - timedelta(days=1),
        token=f"{year:04d}-H{half}",
    )


def year_period(kind: str, year: int, start_month: int) -> Period:
    start = fiscal_year_start(year, start_month)
    return Period(
        kind=kind, start=start, end=add_months(start, 12) - timedelta(days=1), token=f"{year:04d}"
    )


def range_period(kind: str, start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(_("The period ends before it starts."))
    if end - start > LONGEST:
        raise PeriodError(_("A report covers at most five years."))
    return Period(kind=kind, start=start, end=end, token=f"{start.isoformat()}..{end.isoformat()}")


def parse_period(text: str, *, kind: str, start_month: int) -> Period:
    """A period as written on the command line or kept with a report: `2026-01` (a
    month), `2026-H1` (half of fiscal year 2026), `2026` (fiscal year 2026) or
    `2026-01-01..2026-03-31` (any days)."""
    text = text.strip()
    try:
        if m := MONTH.match(text):
            return month_period(kind, int(m[1]), int(m[2]))
        if m := HALF.match(text):
            return half_period(kind, int(m[1]), int(m[2]), start_month)
        if m := YEAR.match(text):
            return year_period(kind, int(m[1]), start_month)
        if m := RANGE.match(text):
            return range_period(kind, date.fromisoformat(m[1]), date.fromisoformat(m[2]))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(_("“%(text)s” is not a date.") % {"text": text}) from exc
    raise PeriodError(
        _(
            "Write the period as 2026-01 (a month), 2026-H1 (half a fiscal year), 2026 (a fiscal year) or 2026-01-01..2026-03-31."
        )
    )


def period_containing(kind: str, day: date, *, start_month: int) -> Period:
    """The period of this kind that `day` falls in."""
    if kind == ReportKind.MONTHLY:
        return month_period(kind, day.year, day.month)
    year = fiscal_year_of(day, start_month)
    if kind == ReportKind.SEMI_ANNUAL:
        half = 1 if day < add_months(fiscal_year_start(year, start_month), 6) else 2
        return half_period(kind, year, half, start_month)
    return year_period(kind, year, start_month)


def last_complete_period(kind: str, today: date, *, start_month: int) -> Period:
    """The most recent period of this kind that has ended before `today`."""
    current = period_containing(kind, today, start_month=start_month)
    return period_containing(kind, current.start - timedelta(days=1), start_month=start_month)


def due_date(period: Period, *, months_after_end: int, day: int) -> date:
    """The rule: by day `day` of the `months_after_end`-th month after the period ends."""
    return add_months(period.end, months_after_end).replace(day=day)


def next_due(
    kind: str, today: date, *, start_month: int, months_after_end: int, day: int
) -> tuple[Period, date]:
    """The period of this kind whose report is due next (today or later), and its date.
    Several may be open at once (October's and November's monthly reports in early
    December): the earliest due comes first."""
    period = period_containing(kind, today, start_month=start_month)
    candidates = []
    for _step in range(months_after_end + 2):
        due = due_date(period, months_after_end=months_after_end, day=day)
        if due >= today:
            candidates.append((due, period))
        period = period_containing(kind, period.start - timedelta(days=1), start_month=start_month)
    due, period = min(candidates, key=lambda pair: pair[0])
    return period, due


def period_for_dates(kind: str, start: date, end: date, *, start_month: int) -> Period:
    """The period of `kind` these days make up, named as such ("2026-01") when they are
    exactly one; any other days are a range."""
    standard = period_containing(kind, start, start_month=start_month)
    if (standard.start, standard.end) == (start, end):
        return standard
    return range_period(kind, start, end)
