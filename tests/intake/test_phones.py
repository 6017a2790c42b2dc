"""puente.core.phones: every way a number is written must come out as one E.164 string,
or caller-ID matching and network links silently miss."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.core.phones import format_phone, normalise_phone, try_normalise_phone

# NANP: area code and exchange both start 2–9.
area = st.integers(min_value=200, max_value=999)
exchange = st.integers(min_value=200, max_value=999)
line = st.integers(min_value=0, max_value=9999)


def us_formats(a: int, e: int, n: int) -> list[str]:
    return [
        f"({a}) {e}-{n:04d}",
        f"{a}-{e}-{n:04d}",
        f"{a}.{e}.{n:04d}",
        f"{a}{e}{n:04d}",
        f"1-{a}-{e}-{n:04d}",
        f"1 ({a}) {e} {n:04d}",
        f"+1 {a} {e} {n:04d}",
        f"+1{a}{e}{n:04d}",
        f"001 {a} {e} {n:04d}",
        f"  +1 ({a}) {e}-{n:04d}  ",
    ]


@given(area, exchange, line)
def test_every_us_format_is_one_number(a, e, n):
    expected = f"+1{a}{e}{n:04d}"
    for text in us_formats(a, e, n):
        assert normalise_phone(text, default_region="US") == expected, text


@given(area, exchange, line)
def test_us_number_read_from_mexico_in_international_form(a, e, n):
    # A Mexican advocate types the U.S. caller's number with its country code.
    assert normalise_phone(f"+1 {a} {e} {n:04d}", default_region="MX") == f"+1{a}{e}{n:04d}"


mx_national = st.integers(min_value=2_000_000_000, max_value=9_999_999_999).map(str)


def mx_formats(national: str) -> list[str]:
    lada, a, b = national[:2], national[2:6], national[6:]
    return [
        national,
        f"{lada} {a} {b}",
        f"({lada}) {a}-{b}",
        f"+52 {lada} {a} {b}",
        f"+52{national}",
        f"0052 {national}",
        # The mobile "1" Mexico dropped in 2019, still on handsets and old records.
        f"+52 1 {lada} {a} {b}",
        f"+521{national}",
        f"521{national}",
    ]


@given(mx_national)
def test_every_mexican_format_is_one_number(national):
    expected = f"+52{national}"
    for text in mx_formats(national):
        assert normalise_phone(text, default_region="MX") == expected, text


@given(mx_national)
def test_mobile_one_is_folded_from_either_side_of_the_border(national):
    assert normalise_phone(f"+52 1 {national}", default_region="US") == f"+52{national}"
    assert normalise_phone(f"+52 {national}", default_region="US") == f"+52{national}"


def test_known_hotline_numbers():
    assert normalise_phone("1-888-373-7888", default_region="US") == "+18883737888"
    assert normalise_phone("800 5533 000", default_region="MX") == "+528005533000"
    assert format_phone("+18883737888") == "+1 888-373-7888"


@pytest.mark.parametrize("text", ["", "   ", "hello", "12", "+1 713 555 01420000000"])
def test_not_a_phone_number(text):
    assert try_normalise_phone(text, default_region="US") is None
