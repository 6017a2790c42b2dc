"""Showing stored codes as translated names in case templates."""

from django import template

from puente.core import choices as c
from puente.core import geography

register = template.Library()


@register.filter
def countries(codes: list[str]) -> str:
    return ", ".join(geography.country_name(code) for code in codes or [])


@register.filter
def code_labels(codes: list[str], choices_name: str) -> str:
    """`person.roles_in_process|code_labels:"RoleInProcess"` → translated, comma-separated."""
    return ", ".join(c.labels_for(getattr(c, choices_name), codes))
