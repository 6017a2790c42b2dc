"""One date format per language, everywhere: U.S. month first with a.m./p.m., Mexican
day first on a 24-hour clock; the browser's language picks it, the person's own choice
wins; date inputs keep working in both."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from puente.accounts.roles import Role
from puente.audit.domain import record_event
from tests.conftest import signed_in_client
from tests.factories import make_user

MOMENT = datetime(2026, 11, 30, 14, 5)


@pytest.mark.parametrize(
    ("language", "short_datetime", "short_date"),
    [("en", "11/30/2026 2:05 p.m.", "11/30/2026"), ("es", "30/11/2026 14:05", "30/11/2026")],
)
def test_one_short_format_per_language(language, short_datetime, short_date):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == short_date


def test_the_long_formats_read_naturally():
    with translation.override("en"):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "Nov. 30, 2026, 2:05 p.m."
    with translation.override("es"):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "30 de noviembre de 2026, 14:05"
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == "30 de noviembre de 2026"


def test_the_formats_are_ours():
    assert "puente.core.formats" in settings.FORMAT_MODULE_PATH


class DueForm(forms.Form):
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


@pytest.mark.parametrize("language", ["en", "es"])
def test_date_inputs_get_and_give_iso_in_both_languages(language):
    with translation.override(language):
        html = DueForm(initial={"due": date(2026, 11, 30), "at": MOMENT}).as_p()
        # What <input type="date"> can show, whatever the page's language.
        assert 'value="2026-11-30"' in html
        assert re.search(r'value="2026-11-30[T ]14:05', html)
        posted = DueForm(data={"due": "2026-11-30", "at": "2026-11-30T14:05"})
        assert posted.is_valid(), posted.errors
        assert posted.cleaned_data["due"] == date(2026, 11, 30)
        assert timezone.localtime(posted.cleaned_data["at"]).hour == 14


def test_typed_dates_follow_the_language():
    with translation.override("es"):
        form = DueForm(data={"due": "30/11/2026", "at": "30/11/2026 14:05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["due"] == date(2026, 11, 30)
    with translation.override("en"):
        form = DueForm(data={"due": "11/30/2026", "at": "11/30/2026 14:05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["due"] == date(2026, 11, 30)


@pytest.fixture
def page_with_a_date(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    reviewer = make_user(Role.SUPERVISOR)
    entry = record_event(action="view", actor=reviewer, object_type="home")
    moment = timezone.make_aware(MOMENT)
    type(entry).objects.filter(pk=entry.pk).update(at=moment)
    return signed_in_client(reviewer)


def test_the_browser_language_picks_spanish_and_a_mexican_variant_counts(page_with_a_date):
    page = page_with_a_date.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert page.headers["Content-Language"] == "es"
    assert "30/11/2026 14:05" in page.text
    page = page_with_a_date.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "11/30/2026 2:05 p.m." in page.text


def test_the_persons_choice_wins_over_the_browser(page_with_a_date):
    page_with_a_date.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = page_with_a_date.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="es-MX")
    assert page.headers["Content-Language"] == "en"
    assert "11/30/2026 2:05 p.m." in page.text
