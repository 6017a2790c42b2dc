"""Reporting periods on the hotline's fiscal year, and the due-date rule of the NHTH
reference guide: a monthly report is due by the 15th day of the second month after the
period ends (its own example: October 2022, due 15 December 2022)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from puente.insights.reports.periods import (
    PeriodError,
    due_date,
    last_complete_period,
    next_due,
    parse_period,
    period_for_dates,
)

US = 10  # the U.S. federal fiscal year starts in October
MX = 1


def test_the_guides_own_example():
    october = parse_period("2022-10", kind="monthly", start_month=US)
    assert (october.start, october.end) == (date(2022, 10, 1), date(2022, 10, 31))
    assert due_date(october, months_after_end=2, day=15) == date(2022, 12, 15)


def test_fiscal_years_are_named_by_the_year_they_end_in():
    fy = parse_period("2026", kind="annual", start_month=US)
    assert (fy.start, fy.end) == (date(2025, 10, 1), date(2026, 9, 30))
    first = parse_period("FY2026-H1", kind="semi_annual", start_month=US)
    second = parse_period("2026-H2", kind="semi_annual", start_month=US)
    assert (first.start, first.end) == (date(2025, 10, 1), date(2026, 3, 31))
    assert (second.start, second.end) == (date(2026, 4, 1), date(2026, 9, 30))
    calendar = parse_period("2026", kind="annual", start_month=MX)
    assert (calendar.start, calendar.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_any_days_make_a_period():
    days = parse_period("2026-01-10..2026-02-20", kind="annual", start_month=US)
    assert (days.start, days.end, days.token) == (
        date(2026, 1, 10),
        date(2026, 2, 20),
        "2026-01-10..2026-02-20",
    )
    with pytest.raises(PeriodError):
        parse_period("2026-02-20..2026-01-10", kind="annual", start_month=US)
    with pytest.raises(PeriodError):
        parse_period("2026-13", kind="monthly", start_month=US)
    with pytest.raises(PeriodError):
        parse_period("2010-01-01..2026-01-01", kind="annual", start_month=US)


def test_whole_periods_chosen_by_their_days_are_named_as_such():
    assert (
        period_for_dates("monthly", date(2026, 1, 1), date(2026, 1, 31), start_month=US).token
        == "2026-01"
    )
    assert (
        period_for_dates("annual", date(2025, 10, 1), date(2026, 9, 30), start_month=US).token
        == "2026"
    )
    assert (
        period_for_dates("monthly", date(2026, 1, 1), date(2026, 2, 28), start_month=US).token
        == "2026-01-01..2026-02-28"
    )


def test_the_last_whole_period():
    assert last_complete_period("monthly", date(2026, 3, 1), start_month=US).token == "2026-02"
    assert last_complete_period("semi_annual", date(2026, 3, 31), start_month=US).token == "2025-H2"
    assert last_complete_period("annual", date(2026, 10, 1), start_month=US).token == "2026"


def test_the_next_due_is_the_earliest_deadline_still_ahead():
    # On 10 December both October's (due 15 December) and November's (15 January) are
    # open: October's comes first.
    period, due = next_due(
        "monthly", date(2026, 12, 10), start_month=US, months_after_end=2, day=15
    )
    assert (period.token, due) == ("2026-10", date(2026, 12, 15))
    period, due = next_due(
        "monthly", date(2026, 12, 16), start_month=US, months_after_end=2, day=15
    )
    assert (period.token, due) == ("2026-11", date(2027, 1, 15))
    period, due = next_due("annual", date(2026, 11, 20), start_month=US, months_after_end=2, day=15)
    assert (period.token, due) == ("2027", date(2027, 11, 15))


def test_periods_read_in_the_reports_language():
    january = parse_period("2026-01", kind="monthly", start_month=US)
    half = parse_period("2026-H1", kind="semi_annual", start_month=US)
    assert january.label("en") == "January 2026"
    assert january.label("es") == "enero de 2026"
    assert half.label("es") == "octubre de 2025 a marzo de 2026"
    with translation.override("en"):
        assert half.label() == "October 2025 to March 2026"
