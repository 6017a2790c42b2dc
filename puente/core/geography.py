"""Countries (ISO 3166-1 alpha-2) and their subdivisions (ISO 3166-2), with names in
the interface language, from pycountry's data and its translation catalogs.

Mexico City's code was MX-DIF until ISO changed it to MX-CMX; old data still carries
MX-DIF, so we accept it and store MX-CMX.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language

LEGACY_SUBDIVISIONS = {"MX-DIF": "MX-CMX"}
# Countries offered first in pickers: the two hotlines' and the commonest origins.
PRIORITY_COUNTRIES = ["US", "MX", "GT", "HN", "SV", "CA", "CN", "PH", "IN", "VE", "CO", "HT"]


@cache
def _translator(domain: str, language: str):
    if language.startswith("en"):
        return None
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


def _translate(domain: str, name: str) -> str:
    translator = _translator(domain, (get_language() or "en")[:2])
    return translator.gettext(name) if translator else name


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return _translate("iso3166-1", getattr(country, "common_name", None) or country.name)


def country_choices() -> list[tuple[str, str]]:
    return list(_country_choices((get_language() or "en")[:2]))


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    # Built once per language: every case and intake page offers the whole list.
    everyone = sorted(
        ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries), key=lambda c: c[1]
    )
    first = [(code, country_name(code)) for code in PRIORITY_COUNTRIES]
    return tuple(first + [c for c in everyone if c[0] not in PRIORITY_COUNTRIES])


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=(code or "").upper()) is not None


def canonical_subdivision(code: str | None) -> str:
    code = (code or "").strip().upper()
    return LEGACY_SUBDIVISIONS.get(code, code)


@cache
def _subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    found = pycountry.subdivisions.get(country_code=country.upper()) or []
    # U.S.: states, DC and outlying areas; Mexico: the 32 federal entities.
    return tuple(sorted(((s.code, s.name) for s in found), key=lambda s: s[1]))


def subdivision_choices(country: str) -> list[tuple[str, str]]:
    return list(_subdivision_choices(country.upper(), (get_language() or "en")[:2]))


@cache
def _subdivision_choices(country: str, language: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, _translate("iso3166-2", name)) for code, name in _subdivisions(country))


def subdivision_name(code: str | None) -> str:
    code = canonical_subdivision(code)
    if not code:
        return ""
    subdivision = pycountry.subdivisions.get(code=code)
    return _translate("iso3166-2", subdivision.name) if subdivision else code


def is_subdivision_of(code: str, country: str) -> bool:
    code = canonical_subdivision(code)
    return any(c == code for c, _name in _subdivisions(country))
