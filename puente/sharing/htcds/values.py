"""Reading one cell of an HTCDS file: a value name or its label (the template's English
label, Puente's English or Spanish one; any letter case, spaces around ignored), a
country by ISO code or name, a date, a yes/no. Each reader returns the stored form or
raises CellError with a message a person can act on.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from typing import Any

import pycountry
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from puente.core.geography import country_name
from puente.sharing.htcds.fields import (
    BOOL,
    CODE,
    CODES,
    COUNTRIES,
    COUNTRY,
    DATE,
    DATETIME,
    JSON,
    MULTI_SEPARATOR,
    NUMBER,
    Column,
    template_value_labels,
)

# What a spreadsheet would run as a formula (or a DDE command) when the cell is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SPACES = re.compile(r"\s+")


class CellError(ValueError):
    pass


def neutralise(text: str) -> str:
    """A cell we write never starts a formula: a leading ' makes the spreadsheet show the
    text as text (OWASP's advice for CSV injection). The importer takes it off again."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def fold(text: str) -> str:
    return _SPACES.sub(" ", str(text)).strip().casefold()


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@cache
def _lookup(column_name: str, choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling of every value of a picklist column, folded -> code."""
    found: dict[str, str] = {}
    for code in choices.values:
        found.setdefault(fold(code), code)
    for code, label in template_value_labels().get(column_name, {}).items():
        found.setdefault(fold(label), code)
    for language in _language_codes():
        with translation.override(language):
            for code, label in choices.choices:
                found.setdefault(fold(str(label)), code)
    return found


def read_code(column: Column, text: str) -> str:
    assert column.choices is not None
    code = _lookup(column.name, column.choices).get(fold(text))
    if code is None:
        raise CellError(_("“%(value)s” is not one of this column’s values.") % {"value": text})
    return code


def read_codes(column: Column, text: str) -> list[str]:
    codes: list[str] = []
    bad: list[str] = []
    for part in text.split(MULTI_SEPARATOR):
        if not part.strip():
            continue
        try:
            codes.append(read_code(column, part))
        except CellError:
            bad.append(part.strip())
    if bad:
        raise CellError(
            _("Not among this column’s values: %(values)s.") % {"values": ", ".join(bad)}
        )
    return list(dict.fromkeys(codes))


@cache
def _countries() -> dict[str, str]:
    found: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (
            country.alpha_2,
            country.alpha_3,
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ):
            if name:
                found.setdefault(fold(name), country.alpha_2)
    for language in _language_codes():
        with translation.override(language):
            for country in pycountry.countries:
                found.setdefault(fold(country_name(country.alpha_2)), country.alpha_2)
    return found


def read_country(text: str) -> str:
    code = _countries().get(fold(text))
    if code is None:
        raise CellError(
            _("“%(value)s” is not a country: write its ISO code (MX, US) or its name.")
            % {"value": text}
        )
    return code


def read_countries(text: str) -> list[str]:
    return list(
        dict.fromkeys(read_country(part) for part in text.split(MULTI_SEPARATOR) if part.strip())
    )


_YES = {"true", "yes", "y", "1", "sí", "si", "verdadero", "x"}
_NO = {"false", "no", "n", "0", "falso"}


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("Write TRUE or FALSE (yes or no)."))


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        parsed = parse_date(text[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:  # well formed, but no such day (2026-02-30)
        parsed = None
    if parsed is None:
        raise CellError(_("Write the date as YYYY-MM-DD (for example 2026-03-31)."))
    return parsed


def read_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            found = parse_datetime(text)
        except ValueError:
            found = None
        if found is not None:
            parsed = found
        else:
            try:
                only_date = parse_date(text) if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else None
            except ValueError:
                only_date = None
            if only_date is None:
                raise CellError(_("Write the date and time as YYYY-MM-DDTHH:MM (ISO 8601)."))
            parsed = datetime(only_date.year, only_date.month, only_date.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def read_number(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("Write a whole number."))
    if isinstance(value, (int, float)) and float(value).is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{1,3}(\.0+)?", text):
            raise CellError(_("Write a whole number."))
        number = int(float(text))
    if not 0 <= number <= 130:
        raise CellError(_("Write an age between 0 and 130."))
    return number


def read_json_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(str(value))
    except ValueError as exc:
        raise CellError(
            _("This column holds a list written by Puente; it cannot be read.")
        ) from exc
    if not isinstance(parsed, list):
        raise CellError(_("This column holds a list written by Puente; it cannot be read."))
    return parsed


def read_cell(column: Column, value: Any) -> Any:
    """The stored form of one non-empty cell of `column`."""
    if isinstance(value, str):
        value = unneutralise(value.strip())
    kind = column.kind
    if isinstance(value, list) and kind in (CODES, COUNTRIES):  # JSON: a list already
        value = MULTI_SEPARATOR.join(str(item) for item in value)
    if kind == CODE and column.choices is not None:
        return read_code(column, str(value))
    if kind == CODES:
        if column.choices is None:  # this hotline's own categories: checked by the domain
            return [part.strip() for part in str(value).split(MULTI_SEPARATOR) if part.strip()]
        return read_codes(column, str(value))
    if kind == COUNTRIES:
        return read_countries(str(value))
    if kind == COUNTRY:
        return read_country(str(value))
    if kind == BOOL:
        return read_bool(value)
    if kind == DATE:
        return read_date(value)
    if kind == DATETIME:
        return read_datetime(value)
    if kind == NUMBER:
        return read_number(value)
    if kind == JSON:
        return read_json_list(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
