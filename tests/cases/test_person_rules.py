"""A person in a case is someone: not an empty row, an email that is an email, an age that
fits its age band — in the domain, on the page and with identifiers typed alongside."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from puente.cases import domain
from puente.cases.models import Identifier, Person
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _refusal(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        domain.add_person(**kwargs)
    return refused.value.message_dict


# --- an empty person --------------------------------------------------------------------


def test_a_person_with_nothing_but_a_role_is_not_saved(advocate):
    case = make_case(created_by=advocate)
    errors = _refusal(case=case, by=advocate, roles=["potential_victim"])
    assert "Nothing is recorded about this person" in errors["__all__"][0]
    # "Unknown" says nothing either.
    errors = _refusal(
        case=case,
        by=advocate,
        roles=["potential_victim"],
        age_band="unknown",
        gender="NonSpecifiedUnknown",
        first_name="  ",
    )
    assert "__all__" in errors
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Rosa"},
        {"alias": "La Güera"},
        {"age": 16},
        {"age_band": "minor"},
        {"notes": "The youngest of three girls at the bar."},
        {"gender": "Feminine"},
    ],
)
def test_one_thing_known_is_enough(advocate, fields):
    case = make_case(created_by=advocate)
    person = domain.add_person(case=case, by=advocate, roles=["potential_victim"], **fields)
    assert person.pk


def test_a_person_known_only_by_an_identifier_is_saved_with_it(advocate):
    case = make_case(created_by=advocate)
    person = domain.add_person(
        case=case, by=advocate, roles=["exploiter"], identifiers=[("phone", "713-555-0142")]
    )
    identifier = Identifier.objects.get(person=person)
    assert identifier.normalised == "+17135550142" and identifier.case == case


def test_editing_a_person_down_to_nothing_is_refused_unless_an_identifier_remains(advocate):
    case = make_case(created_by=advocate)
    rosa = domain.add_person(case=case, by=advocate, roles=["potential_victim"], first_name="Rosa")
    with pytest.raises(ValidationError) as refused:
        domain.update_person(
            person_id=rosa.pk,
            expected_version=rosa.version,
            changes={"first_name": ""},
            by=advocate,
        )
    assert "__all__" in refused.value.message_dict
    domain.update_person(
        person_id=rosa.pk,
        expected_version=rosa.version,
        changes={"first_name": ""},
        by=advocate,
        identifiers=[("email", "rosa@example.org")],
    )
    rosa.refresh_from_db()
    assert rosa.first_name == "" and rosa.identifiers.get().normalised == "rosa@example.org"


def test_the_page_refuses_an_empty_person_and_keeps_the_form(advocate, advocate_client):
    case = make_case(created_by=advocate)
    url = reverse("cases:person_add", kwargs={"reference": case.reference})
    data = {
        "roles": ["potential_victim"],
        "consent": "unknown",
        "ids-TOTAL_FORMS": "2",
        "ids-INITIAL_FORMS": "0",
        "ids-MIN_NUM_FORMS": "0",
        "ids-MAX_NUM_FORMS": "20",
        "ids-0-kind": "phone",
        "ids-0-value": "",
        "ids-1-kind": "email",
        "ids-1-value": "",
    }
    page = advocate_client.post(url, data)
    assert page.status_code == 200
    assert "Nothing is recorded about this person" in page.content.decode()
    assert not Person.objects.exists()
    # The same form with a phone number typed in the identifiers is someone.
    saved = advocate_client.post(url, {**data, "ids-0-value": "(713) 555-0142"})
    assert saved.status_code == 302
    assert Person.objects.get().identifiers.get().normalised == "+17135550142"


# --- an email identifier ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["rosa", "rosa@", "rosa@example", "rosa @example.org"])
def test_an_email_identifier_must_look_like_an_email(advocate, typed):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as refused:
        domain.add_identifier(case=case, kind="email", value=typed, by=advocate)
    assert "is not an email address" in refused.value.message_dict["value"][0]
    assert not Identifier.objects.exists()


def test_a_real_email_is_stored_lower_case(advocate):
    case = make_case(created_by=advocate)
    identifier = domain.add_identifier(
        case=case, kind="email", value="Rosa.M@Example.org", by=advocate
    )
    assert identifier.normalised == "rosa.m@example.org"


# --- age and age band ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "age, band",
    [(15, "adult"), (19, "minor"), (30, "9-17"), (12, "48+"), (17, "18-20")],
)
def test_an_age_outside_its_band_is_refused(advocate, age, band):
    case = make_case(created_by=advocate)
    errors = _refusal(case=case, by=advocate, roles=["potential_victim"], age=age, age_band=band)
    assert f"Age {age} is not in the age band" in errors["age_band"][0]


@pytest.mark.parametrize(
    "age, band",
    [
        (15, "minor"),
        (15, "9-17"),
        (18, "18-20"),
        (40, "39-47"),
        (60, "48+"),
        (30, "adult"),
        (5, "unknown"),
    ],
)
def test_an_age_inside_its_band_is_accepted(advocate, age, band):
    case = make_case(created_by=advocate)
    assert domain.add_person(
        case=case, by=advocate, roles=["potential_victim"], age=age, age_band=band
    ).pk
