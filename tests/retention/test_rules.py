"""The retention rules as data: every category has a default with a floor it respects,
and the cutoff behaves as a reader expects (properties, not examples)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.retention.rules import (
    DEFAULT_FOR,
    DEFAULTS,
    MAXIMUM_DAYS,
    MINIMUM_DAYS,
    Category,
    Unit,
    cutoff,
    length_in_days,
)

moments = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
units = st.sampled_from([Unit.DAYS, Unit.MONTHS])
amounts = st.integers(min_value=1, max_value=400)


def test_every_category_has_one_default_and_a_floor():
    assert [d.category for d in DEFAULTS] == sorted(
        Category.values, key=[d.category for d in DEFAULTS].index
    )
    assert set(DEFAULT_FOR) == set(Category.values) == set(MINIMUM_DAYS)


@pytest.mark.parametrize("default", DEFAULTS, ids=lambda d: d.category)
def test_shipped_defaults_respect_their_floor_and_ceiling(default):
    days = length_in_days(keep_for=default.keep_for, unit=default.unit)
    assert MINIMUM_DAYS[default.category] <= days <= MAXIMUM_DAYS


def test_the_shipped_defaults_are_the_documented_ones():
    assert {d.category: (d.keep_for, d.unit) for d in DEFAULTS} == {
        "drafts": (30, "days"),
        "unlinked_contacts": (36, "months"),
        "closed_cases": (84, "months"),
        "exchange_payloads": (90, "days"),
        "refusal_summaries": (12, "months"),
    }


@given(now=moments, keep=amounts, unit=units)
def test_cutoff_is_never_later_than_the_shortest_reading_of_the_rule(now, keep, unit):
    # Nothing younger than its rule is due: a month is at least 28 days.
    assert cutoff(now=now, keep_for=keep, unit=unit) <= now - timedelta(
        days=length_in_days(keep_for=keep, unit=unit)
    )


@given(now=moments, keep=amounts, more=st.integers(min_value=0, max_value=50), unit=units)
def test_keeping_longer_never_purges_more(now, keep, more, unit):
    assert cutoff(now=now, keep_for=keep + more, unit=unit) <= cutoff(
        now=now, keep_for=keep, unit=unit
    )


@given(now=moments, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=900)))
def test_a_later_now_never_purges_less(now, later):
    for unit in Unit.values:
        assert cutoff(now=now + later, keep_for=3, unit=unit) >= cutoff(
            now=now, keep_for=3, unit=unit
        )


@given(now=moments, months=st.integers(min_value=1, max_value=360))
def test_months_keep_the_time_of_day_and_at_most_shift_to_the_months_last_day(now, months):
    then = cutoff(now=now, keep_for=months, unit=Unit.MONTHS)
    assert (then.hour, then.minute, then.second) == (now.hour, now.minute, now.second)
    assert (now.year * 12 + now.month) - (then.year * 12 + then.month) == months
    assert then.day == now.day or then.day < now.day


def test_month_arithmetic_examples():
    march_31 = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert cutoff(now=march_31, keep_for=1, unit="months") == datetime(
        2026, 2, 28, 12, 0, tzinfo=UTC
    )
    assert cutoff(now=march_31, keep_for=84, unit="months") == datetime(
        2019, 3, 31, 12, 0, tzinfo=UTC
    )
    assert cutoff(now=march_31, keep_for=30, unit="days") == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("keep,unit", [(0, "days"), (-1, "months"), (3, "years")])
def test_nonsense_rules_are_refused(keep, unit):
    with pytest.raises(ValueError):
        cutoff(now=datetime(2026, 1, 1, tzinfo=UTC), keep_for=keep, unit=unit)
