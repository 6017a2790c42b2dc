"""The demo's titles and tasks are the hotline's own words, in its language: English in
the U.S. (a Spanish-speaking caller's story may stay Spanish in a summary), Spanish in
Mexico."""

from __future__ import annotations

import re

import pytest

from puente.cases.models import Case, Task
from puente.sampledata import demo as demo_hotline

pytestmark = pytest.mark.django_db

SPANISH = re.compile(
    r"[áéíóúñ¿¡]|\b(el|la|los|las|del|con|por|para|una|que|de|en|y|se|al|su|si)\b", re.IGNORECASE
)
ENGLISH = re.compile(r"\b(the|of|and|with|by|for|from|to|is|on|at|in)\b", re.IGNORECASE)


def _titles() -> list[str]:
    """Case titles without their ", {city}" (Los Angeles, Las Vegas are names), and tasks."""
    return [
        *(t.rsplit(",", 1)[0] for t in Case.objects.values_list("title", flat=True)),
        *Task.objects.values_list("title", flat=True),
    ]


def test_us_demo_titles_and_tasks_are_english(settings):
    settings.PUENTE_DEMO = True
    settings.PUENTE_COUNTRY = "US"
    demo_hotline.seed_demo_data(country="US")
    titles = _titles()
    assert Case.objects.count() > 10 and Task.objects.exists()
    spanish = [t for t in titles if SPANISH.search(t)]
    assert spanish == []
    closing = Case.objects.exclude(closing_note="").values_list("closing_note", flat=True)
    assert [n for n in closing if SPANISH.search(n)] == []


def test_mx_demo_titles_and_tasks_are_spanish(settings):
    settings.PUENTE_DEMO = True
    settings.PUENTE_COUNTRY = "MX"
    demo_hotline.seed_demo_data(country="MX")
    titles = _titles()
    assert Case.objects.count() > 10 and Task.objects.exists()
    assert [t for t in titles if ENGLISH.search(t)] == []
    assert [t for t in titles if not SPANISH.search(t)] == []
