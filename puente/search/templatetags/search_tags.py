from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from puente.search.snippets import snippet_segments

register = template.Library()


@register.filter
def search_snippet(text: str, words: list[str]):
    """The matched words of `text` wrapped in <mark>; every piece escaped."""
    return mark_safe(
        "".join(
            format_html("<mark>{}</mark>", piece) if matched else escape(piece)
            for piece, matched in snippet_segments(text=text or "", words=words or [])
        )
    )
