from __future__ import annotations

import pytest

from puente.directory.geocode import locate, resolve_subdivision


def test_us_zip_code():
    place = locate(text="77002", country=None)
    assert place.kind == "zip"
    assert place.subdivision == "US-TX"
    assert place.label == "Houston, TX 77002"
    assert place.latitude == pytest.approx(29.76, abs=0.05)
    assert place.longitude == pytest.approx(-95.36, abs=0.05)


def test_zip_with_plus_four_and_in_a_city_line():
    assert locate(text="77002-1234").subdivision == "US-TX"
    assert locate(text="El Paso, TX 79901").label == "El Paso, TX 79901"


def test_a_five_digit_code_is_not_a_us_zip_in_mexico():
    assert locate(text="06000", country="MX") is None


@pytest.mark.parametrize("text", ["Houston, TX", "Houston, Texas", "houston, tx"])
def test_us_city_with_its_state(text):
    place = locate(text=text)
    assert place.kind == "city"
    assert place.subdivision == "US-TX"
    assert place.latitude == pytest.approx(29.76, abs=0.1)


def test_us_town_too_small_for_the_city_list_falls_back_to_its_zip_codes():
    place = locate(text="Marfa, TX")
    assert place.kind == "city"
    assert place.latitude == pytest.approx(30.3, abs=0.1)


@pytest.mark.parametrize(
    "text",
    [
        "San Cristóbal de las Casas",
        "san cristobal de las casas",
        "SAN CRISTÓBAL DE LAS CASAS, Chiapas",
        "San Cristobal de las Casas, CHP",
    ],
)
def test_mexican_municipality_with_or_without_accents_and_state(text):
    place = locate(text=text)
    assert place.country == "MX"
    assert place.subdivision == "MX-CHP"
    assert place.latitude == pytest.approx(16.73, abs=0.05)


def test_mexican_city_restricted_to_country():
    assert locate(text="Querétaro", country="MX").subdivision == "MX-QUE"
    assert locate(text="Ciudad Juarez", country="MX").subdivision == "MX-CHH"
    assert locate(text="Iztapalapa", country="US") is None


@pytest.mark.parametrize(
    "text,code",
    [("TX", "US-TX"), ("US-TX", "US-TX"), ("Texas", "US-TX"), ("JAL", "MX-JAL"),
     ("MX-JAL", "MX-JAL"), ("Jalisco", "MX-JAL"), ("Nuevo León", "MX-NLE"),
     ("nuevo leon", "MX-NLE"), ("Estado de México", "MX-MEX")],
)  # fmt: skip
def test_state_code_or_name_gives_its_centre(text, code):
    place = locate(text=text)
    assert place.kind == "subdivision"
    assert place.subdivision == code


def test_state_centre_is_inside_the_state():
    texas = locate(text="TX")
    assert 26 < texas.latitude < 36 and -106 < texas.longitude < -94
    jalisco = locate(text="MX-JAL")
    assert 19 < jalisco.latitude < 22.5 and -105 < jalisco.longitude < -101.5


def test_a_state_of_the_other_country_is_refused():
    assert resolve_subdivision("Texas", country="MX") == ""
    assert locate(text="Texas", country="MX") is None


def test_unknown_place_is_none():
    assert locate(text="Atlantis") is None
    assert locate(text="") is None
