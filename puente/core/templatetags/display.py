"""Phone numbers and places as an advocate reads them aloud, on every page.

    {% load display %}
    {{ contact.phone|phone }}      +12125550123 → "+1 212-555-0123"
    {{ location|place }}           → "Houston, Texas" (the country only when it is not ours)

Stored values stay codes (E.164, ISO 3166); these filters are the one place that turns
them into words, so a list, a case page and a search result never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.conf import settings

from puente.core import geography
from puente.core.phones import format_phone

register = template.Library()


def _part(where: Any, name: str) -> str:
    if isinstance(where, Mapping):
        value = where.get(name)
    else:
        value = getattr(where, name, None)
    return str(value or "").strip()


def display_place(where: Any, *, deployment_country: str) -> str:
    """A place as "Houston, Texas": the city, the state (or federal entity) by name in
    the interface language, and the country only when it is not the hotline's own."""
    if where is None or where == "":
        return ""
    city = _part(where, "city")
    subdivision = _part(where, "subdivision")
    country = _part(where, "country").upper()
    if not country and subdivision:
        country = geography.canonical_subdivision(subdivision).split("-")[0]
    parts = [city]
    if subdivision:
        parts.append(geography.subdivision_name(subdivision))
    if country and (country != deployment_country.upper() or not any(parts)):
        # Abroad, or nothing finer is known: the country is all there is to say.
        parts.append(geography.country_name(country))
    return ", ".join(part for part in parts if part)


@register.filter
def phone(number: str | None) -> str:
    return format_phone(number, deployment_country=settings.PUENTE_COUNTRY)


@register.filter
def place(where: Any) -> str:
    """Any record with city / subdivision / country (a case location, a contact, a
    provider) or a mapping with those keys."""
    return display_place(where, deployment_country=settings.PUENTE_COUNTRY)


@register.filter
def country_name(code: str | None) -> str:
    """A country code as its name in the interface language ("MX" → "México")."""
    return geography.country_name(code)
