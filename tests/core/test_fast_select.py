"""FastSelect renders the very <select> Django's template widget renders, only faster."""

from __future__ import annotations

import re

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from puente.core.forms import FastSelect, FastSelects

CHOICES = [
    ("", "—"),
    ("US", "United States & <Territories>"),
    ("Group", [("a", "A"), ("b", 'B "quoted"')]),
    (1, "one"),
]


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["US", "b", 1, None, "not-a-choice"])
def test_the_markup_is_the_same_as_djangos(value):
    attrs = {"class": "wide", "required": True, "disabled": False, "data-x": '"q"'}
    django_html = forms.Select(choices=CHOICES, attrs=attrs).render(
        "country", value, {"id": "id_c"}
    )
    fast_html = FastSelect(choices=CHOICES, attrs=attrs).render("country", value, {"id": "id_c"})
    assert _normalised(fast_html) == _normalised(django_html)


@given(st.lists(st.tuples(st.text(min_size=1), st.text()), max_size=8), st.text())
def test_any_labels_and_values_are_escaped_the_same_way(choices, value):
    django_html = forms.Select(choices=choices).render("f", value)
    assert _normalised(FastSelect(choices=choices).render("f", value)) == _normalised(django_html)


def test_forms_with_the_mixin_use_it_for_plain_selects_only():
    class Form(FastSelects, forms.Form):
        country = forms.ChoiceField(choices=CHOICES)
        many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)

    form = Form()
    assert type(form.fields["country"].widget) is FastSelect
    assert type(form.fields["many"].widget) is forms.CheckboxSelectMultiple
