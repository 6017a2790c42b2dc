"""The fictional world the demo hotline and the generator both draw from — invented names,
narratives and case scenarios, read from `data/` — and how a text is filled in for a
country and a language.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from puente.core.geography import subdivision_name
from puente.sampledata.files import load

_NAMES = load("names")
_NARRATIVES = load("narratives")

# Names by pool and gender ("es_f", "en_last", "asia_f"…); exploiters' aliases by language.
NAMES: dict[str, list[str]] = _NAMES["names"]
ALIASES: dict[str, list[str]] = _NAMES["aliases"]

# Contacts that did not open a case, by reason, then language.
CONTACT_STORIES: dict[str, dict[str, list[str]]] = _NARRATIVES["contact_stories"]
# A case's work, by language; closing notes by language, then closing reason.
CASE_NOTES: dict[str, list[str]] = _NARRATIVES["case_notes"]
TASKS: dict[str, list[str]] = _NARRATIVES["tasks"]
CLOSING_NOTES: dict[str, dict[str, str]] = _NARRATIVES["closing_notes"]
# Fragments the generator adds around a story: an opener by channel, a line on who
# called, a detail.
OPENERS: dict[str, dict[str, str]] = _NARRATIVES["openers"]
SIGNALER_NOTES: dict[str, dict[str, list[str]]] = _NARRATIVES["signaler_notes"]
DETAILS: dict[str, list[str]] = _NARRATIVES["details"]

# Each: where it fits, its language, HTCDS and art. 10 codes, and the people in it
# (see the file's "about").
CASE_SCENARIOS: list[dict[str, Any]] = load("scenarios")["scenarios"]


def terms(country: str, lang: str) -> dict[str, str]:
    """Words that differ by country and language inside otherwise shared narratives:
    {le}, {labour}, {legal}, {victims}, {police}, {child}."""
    return _NARRATIVES["terms"][country][lang]


def fill(text: str, *, country: str, lang: str, **values: str) -> str:
    return text.format(**terms(country, lang), **values)


def state_name(subdivision: str) -> str:
    return subdivision_name(subdivision)


def narrative_language(language: str, country: str) -> str:
    """Which language a narrative is written in: the contact's, or (through an
    interpreter) the hotline's own."""
    if language == "spa":
        return "es"
    if language == "eng":
        return "en"
    return "es" if country == "MX" else "en"


def duration(rng: random.Random, channel: str, reason: str) -> timedelta:
    if reason == "hang_up":
        return timedelta(seconds=rng.randint(5, 70))
    if channel in {"phone", "whatsapp"}:
        return timedelta(minutes=rng.randint(4, 45))
    if channel in {"chat", "sms"}:
        return timedelta(minutes=rng.randint(10, 70))
    return timedelta(minutes=rng.randint(5, 20))  # time to process a web form or an email


def person_name(rng: random.Random, pool: str, gender: str) -> tuple[str, str]:
    if pool == "asia":
        return rng.choice(NAMES["asia_f"]), rng.choice(NAMES["asia_last"])
    if pool == "fil":
        return rng.choice(NAMES["fil_f"]), rng.choice(NAMES["fil_last"])
    first = rng.choice(NAMES[f"{pool}_{'f' if gender == 'F' else 'm'}"])
    last = rng.choice(NAMES[f"{pool}_last"])
    if pool == "es" and rng.random() < 0.6:
        last = f"{last} {rng.choice(NAMES['es_last'])}"
    return first, last


AGE_BANDS = [
    ("0-8", 0, 8),
    ("9-17", 9, 17),
    ("18-20", 18, 20),
    ("21-23", 21, 23),
    ("24-26", 24, 26),
    ("27-29", 27, 29),
    ("30-38", 30, 38),
    ("39-47", 39, 47),
]


def age_band(age: int) -> str:
    for band, low, high in AGE_BANDS:
        if low <= age <= high:
            return band
    return "48+"
