"""Display helpers for intake pages: numbers as advocates read them aloud, and place
names in the interface language."""

from django import template

from puente.core import geography
from puente.core.phones import format_phone

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    return format_phone(e164)


@register.filter
def country_name(code: str) -> str:
    return geography.country_name(code)


@register.filter
def subdivision_name(code: str) -> str:
    return geography.subdivision_name(code)
