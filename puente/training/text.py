"""Article text to HTML, safely: a small renderer of headings, paragraphs, lists and bold.

Everything the author typed is escaped first, so a `<script>` in an article is shown as
text; only the tags made here (h2, h3, p, ul, ol, li, strong) reach the page. The syntax
is the common Markdown subset editors already know:

    ## Heading            (# is the same; ### a subheading)
    - item  /  * item     (a bulleted list)
    1. item               (a numbered list)
    **bold**
    a blank line          (ends a paragraph or a list)
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text.strip()))


def render_text(text: str) -> SafeString:
    html: list[str] = []
    paragraph: list[str] = []
    list_tag = ""

    def close_paragraph() -> None:
        if paragraph:
            html.append("<p>" + " ".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = ""

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        heading = _HEADING.match(line)
        item = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if not line:
            close_paragraph()
            close_list()
        elif heading:
            close_paragraph()
            close_list()
            # The page's own title is the h1: # and ## are sections, ### below them.
            level = 3 if len(heading[1]) == 3 else 2
            html.append(f"<h{level}>{_inline(heading[2])}</h{level}>")
        elif item or numbered:
            close_paragraph()
            tag = "ul" if item else "ol"
            if list_tag != tag:
                close_list()
                html.append(f"<{tag}>")
                list_tag = tag
            html.append(f"<li>{_inline((item or numbered)[1])}</li>")  # type: ignore[index]
        elif list_tag and raw[:1].isspace():
            # An indented line continues the list item above it.
            html[-1] = html[-1][: -len("</li>")] + " " + _inline(line) + "</li>"
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    return mark_safe("\n".join(html))  # noqa: S308 — every piece of text above is escaped
