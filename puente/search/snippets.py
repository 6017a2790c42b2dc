"""Where in a record's own words the search matched, for the results page.

The index holds folded text (lower case, no accents); the snippet must show the original
("Sánchez", not "sanchez"), so the original is folded character by character while
remembering which original character each folded one came from.
"""

from __future__ import annotations

import unicodedata


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part):
                continue
            lowered = part.lower()
            folded.append(lowered)
            origin.extend([index] * len(lowered))
    return "".join(folded), origin


def _word_start(folded: str, at: int) -> bool:
    return at == 0 or not folded[at - 1].isalnum()


def snippet_segments(*, text: str, words: list[str], width: int = 160) -> list[tuple[str, bool]]:
    """The part of `text` around the first matching word, as (piece, is_match) pairs.

    A word matches at the start of a word of the text (the index matches prefixes too).
    With no match the text's beginning is returned, so a record found through a name or a
    note still shows what it is about."""
    text = " ".join((text or "").split())
    if not text:
        return []
    folded, origin = _fold_with_positions(text)
    spans: list[tuple[int, int]] = []
    for word in {w for w in words if w}:
        start = folded.find(word)
        while start != -1:
            if _word_start(folded, start):
                end = origin[start + len(word) - 1] + 1
                spans.append((origin[start], end))
            start = folded.find(word, start + 1)
    if not spans:
        return [(text[:width] + ("…" if len(text) > width else ""), False)]
    spans.sort()
    first = spans[0][0]
    begin = max(0, first - width // 3)
    if begin:
        # Start on a word boundary so the snippet does not open mid-word.
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    finish = min(len(text), begin + width)
    segments: list[tuple[str, bool]] = []
    if begin:
        segments.append(("…", False))
    cursor = begin
    for span_start, span_end in spans:
        if span_start < cursor or span_start >= finish:
            continue
        if span_start > cursor:
            segments.append((text[cursor:span_start], False))
        segments.append((text[span_start:span_end], True))
        cursor = span_end
    if cursor < finish:
        segments.append((text[cursor:finish], False))
    if finish < len(text):
        segments.append(("…", False))
    return segments


def snippet_text(*, text: str, words: list[str], width: int = 160) -> str:
    return "".join(piece for piece, _match in snippet_segments(text=text, words=words, width=width))
