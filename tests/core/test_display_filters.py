"""Phone numbers and places read the same on every page, in the hotline's style."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from puente.core.phones import format_phone
from puente.core.templatetags.display import display_place


def render(source: str, **context) -> str:
    return Template("{% load display %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("stored", "country", "shown"),
    [
        ("+12125550123", "US", "+1 212-555-0123"),
        ("+525512345678", "MX", "+52 55 1234 5678"),
        ("+525512345678", "US", "+52 55 1234 5678"),
        ("+17135550142", "MX", "+1 713-555-0142"),
    ],
)
def test_numbers_are_grouped_with_their_country_code(stored, country, shown):
    assert format_phone(stored, deployment_country=country) == shown


def test_what_is_not_a_number_is_shown_as_stored():
    assert format_phone("ask for Rosa", deployment_country="US") == "ask for Rosa"
    assert format_phone("", deployment_country="US") == ""
    assert format_phone(None, deployment_country="US") == ""
    assert format_phone("ana@example.com", deployment_country="US") == "ana@example.com"
    assert format_phone("ABC1234567", deployment_country="US") == "ABC1234567"
    assert format_phone("(212) 555-0123", deployment_country="US") == "+1 212-555-0123"
    assert format_phone("5551234", deployment_country="US") == "5551234"  # a plate's digits


def test_the_filter_follows_the_deployment(settings):
    settings.PUENTE_COUNTRY = "US"
    assert render("{{ n|phone }}", n="+12125550123") == "+1 212-555-0123"
    settings.PUENTE_COUNTRY = "MX"
    assert render("{{ n|phone }}", n="55 1234 5678") == "+52 55 1234 5678"


class Where:
    def __init__(self, city="", subdivision="", country=""):
        self.city, self.subdivision, self.country = city, subdivision, country


def test_a_place_at_home_names_city_and_state_not_the_country():
    where = Where("Houston", "US-TX", "US")
    assert display_place(where, deployment_country="US") == "Houston, Texas"


def test_a_place_abroad_names_its_country_in_the_interface_language():
    where = {"city": "Monterrey", "subdivision": "MX-NLE", "country": "MX"}
    with translation.override("en"):
        assert display_place(where, deployment_country="US") == "Monterrey, Nuevo León, Mexico"
    with translation.override("es"):
        assert display_place(where, deployment_country="US") == "Monterrey, Nuevo León, México"
        assert display_place(where, deployment_country="MX") == "Monterrey, Nuevo León"


def test_old_mexico_city_code_and_missing_parts(settings):
    assert display_place(Where("", "MX-DIF", "MX"), deployment_country="MX") == "Ciudad de México"
    assert display_place(Where("", "", "GT"), deployment_country="US") == "Guatemala"
    assert display_place(Where("Laredo", "", "US"), deployment_country="US") == "Laredo"
    with translation.override("en"):
        assert display_place(Where("", "", "US"), deployment_country="US") == "United States"
    assert display_place(None, deployment_country="US") == ""
    settings.PUENTE_COUNTRY = "MX"
    assert render("{{ w|place }}", w=Where("El Paso", "US-TX", "US")) in {
        "El Paso, Texas, United States",
        "El Paso, Texas, Estados Unidos",
    }
