"""Template filters for practice calls: a scored call keeps its feedback in both
languages, and a page shows the one it is read in."""

from django import template

register = template.Library()


@register.filter
def pick(texts: object, language: str) -> str:
    """`texts` is {"en": ..., "es": ...}: the text in `language`, else the English."""
    if not isinstance(texts, dict):
        return "" if texts is None else str(texts)
    return str(texts.get(language) or texts.get("en") or "")
