"""Bad input to the JSON API is the caller's error: a documented 4xx naming what is
wrong, never a 500, and nothing written (issue 10, item 8). Each case here was a 500, or
was stored, before `puente.core.api` and `puente.api.JsonObjectParser`."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from puente.accounts.models import ApiKey
from puente.cases.domain import open_case
from puente.cases.models import Case
from puente.core.api import MAX_OFFSET
from puente.core.fields import NARRATIVE_MAX_LENGTH
from puente.core.permissions import Perm
from puente.intake.domain import record_contact
from puente.intake.models import Contact
from tests.factories import make_case, make_contact

CONTACTS = "/api/v1/contacts"
CASES = "/api/v1/cases"
A_CONTACT = {"channel": "phone", "reason": "tip"}


def _post(client, url, raw: str, content_type="application/json"):
    return client.generic("POST", url, raw.encode("utf-8", "surrogatepass"), content_type)


def _fields(response) -> dict[str, str]:
    return {tuple(d["loc"])[-1]: d["msg"] for d in response.json()["detail"]}


# --- paging ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CONTACTS, CASES])
@pytest.mark.parametrize(
    "params, field",
    [
        ({"offset": -1}, "offset"),
        ({"offset": 9223372036854775808}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": 9223372036854775808}, "limit"),
    ],
)
def test_paging_out_of_range_is_422(advocate_client, url, params, field):
    response = advocate_client.get(url, params)
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["query", field]]


@pytest.mark.parametrize("url", [CONTACTS, CASES])
def test_paging_at_its_bounds_answers(advocate, advocate_client, url):
    make_contact(taken_by=advocate)
    make_case(created_by=advocate)
    assert advocate_client.get(url, {"offset": MAX_OFFSET, "limit": 200}).status_code == 200
    assert advocate_client.get(url, {"offset": 0, "limit": 1}).status_code == 200


def test_case_list_status_is_one_of_the_codes(advocate_client):
    response = advocate_client.get(CASES, {"status": "lost"})
    assert response.status_code == 422
    assert list(_fields(response)) == ["status"]


# --- text that no database can store --------------------------------------------------


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "a\\udc00b"])
@pytest.mark.parametrize(
    "url, body, field",
    [
        (CONTACTS, A_CONTACT, "summary"),
        (CONTACTS, A_CONTACT, "city"),
        (CONTACTS, A_CONTACT, "phone"),
        (CONTACTS, A_CONTACT, "case_reference"),
        (CASES, {}, "title"),
        (CASES, {}, "summary"),
    ],
)
def test_nul_and_lone_surrogates_are_field_errors(advocate_client, url, body, field, bad):
    # Written by hand: json.dumps would refuse to produce a lone surrogate escape.
    raw = json.dumps(body)[:-1] + ("," if body else "") + f'"{field}": "x{bad}"}}'
    response = _post(advocate_client, url, raw)
    assert response.status_code == 422
    assert list(_fields(response)) == [field]
    assert not Contact.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("field", ["title", "summary", "closing_note"])
def test_patch_refuses_nul(advocate, advocate_client, field):
    case = make_case(created_by=advocate)
    response = advocate_client.patch(
        f"{CASES}/{case.reference}",
        json.dumps({"version": 1, field: "a\x00b"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and list(_fields(response)) == [field]
    case.refresh_from_db()
    assert case.version == 1


@pytest.mark.parametrize(
    "url, params",
    [
        ("/api/v1/search", {"q": "a\x00b"}),
        ("/api/v1/phone-lookup", {"number": "713\x00"}),
        ("/api/v1/directory/providers", {"near": "Houston\x00"}),
    ],
)
def test_query_text_refuses_nul(advocate_client, url, params):
    response = advocate_client.get(url, params)
    assert response.status_code == 422
    assert list(_fields(response)) == list(params)


def test_case_reference_in_the_path_refuses_nul(advocate_client):
    assert advocate_client.get(f"{CASES}/US-2026%00").status_code == 422
    assert advocate_client.get(f"{CASES}/US-2026-000999").status_code == 404


# --- dates that exist nowhere in UTC ------------------------------------------------------


@pytest.mark.parametrize("field", ["started_at", "ended_at"])
@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_out_of_range_datetimes_are_field_errors(advocate_client, field, moment):
    body = {**A_CONTACT, "started_at": "2026-03-01T10:00:00-06:00", field: moment}
    response = _post(advocate_client, CONTACTS, json.dumps(body))
    assert response.status_code == 422
    assert _fields(response) == {field: "Enter a date and time between the years 1 and 9999."}
    assert not Contact.objects.exists()


def test_extreme_datetimes_are_refused_with_the_reason_not_a_crash(advocate_client):
    body = {**A_CONTACT, "started_at": "0001-01-01T00:00:00Z", "ended_at": "9999-12-31T23:59:59Z"}
    response = _post(advocate_client, CONTACTS, json.dumps(body))
    assert response.status_code == 422
    assert set(_fields(response)) == {"started_at", "ended_at"}
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "moment", [0, 1700000000, "2026-03-01", "2026-03-01T10:15", "2026-03-01T10:15:00", True]
)
def test_api_datetimes_are_rfc3339_with_an_offset(advocate_client, moment):
    response = _post(advocate_client, CONTACTS, json.dumps({**A_CONTACT, "started_at": moment}))
    assert response.status_code == 422 and list(_fields(response)) == ["started_at"]


@pytest.mark.parametrize("field, value", [("imminent_danger", 0), ("imminent_danger", "yes")])
def test_api_flags_are_json_booleans(advocate_client, field, value):
    response = _post(advocate_client, CASES, json.dumps({field: value}))
    assert response.status_code == 422 and list(_fields(response)) == [field]


# --- a body is one JSON object, sent as application/json --------------------------------


@pytest.mark.parametrize("url", [CONTACTS, CASES])
@pytest.mark.parametrize("raw", ["0", "null", "[]", "true", '"case"'])
def test_a_body_that_is_not_an_object_is_400(advocate_client, url, raw):
    response = _post(advocate_client, url, raw)
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body must be a JSON object."}
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_patch_body_that_is_not_an_object_is_400(advocate, advocate_client):
    case = make_case(created_by=advocate)
    response = advocate_client.patch(f"{CASES}/{case.reference}", "[]", "application/json")
    assert response.status_code == 400


def test_malformed_json_is_400(advocate_client):
    response = _post(advocate_client, CASES, '{"title": ')
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_not_sent_as_json_is_415(advocate_client, content_type):
    response = _post(advocate_client, CASES, json.dumps({"title": "x"}), content_type)
    assert response.status_code == 415
    assert response.json() == {"detail": "Send the request body as application/json."}
    assert not Case.objects.exists()


def test_json_with_a_charset_is_json(advocate_client):
    response = _post(
        advocate_client, CASES, json.dumps({"title": "x"}), "application/json; charset=utf-8"
    )
    assert response.status_code == 201


# --- length limits: one number for the API, the forms and the domain ----------------------


def test_a_huge_summary_is_refused_by_the_api(advocate_client):
    huge = "x" * 2_400_000
    response = _post(advocate_client, CASES, json.dumps({"summary": huge}))
    assert response.status_code == 422 and list(_fields(response)) == ["summary"]
    response = _post(advocate_client, CONTACTS, json.dumps({**A_CONTACT, "summary": huge}))
    assert response.status_code == 422 and list(_fields(response)) == ["summary"]
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_the_longest_summary_is_kept(advocate_client):
    longest = "x" * NARRATIVE_MAX_LENGTH
    response = _post(advocate_client, CASES, json.dumps({"summary": longest}))
    assert response.status_code == 201
    assert Case.objects.get().summary == longest


def test_the_domain_refuses_what_the_api_refuses(advocate):
    too_long = "x" * (NARRATIVE_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as refused:
        open_case(by=advocate, summary=too_long)
    assert list(refused.value.message_dict) == ["summary"]
    with pytest.raises(ValidationError) as refused:
        record_contact(
            by=advocate,
            data={**A_CONTACT, "summary": too_long, "city": "c" * 121, "phone": "1" * 41},
        )
    assert set(refused.value.message_dict) == {"summary", "city", "phone"}
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_api_key_callers_get_the_same_answers(advocate):
    raw = ApiKey.generate_raw()
    ApiKey.objects.create(
        name="bridge",
        key_prefix=raw[:10],
        key_hash=ApiKey.digest(raw),
        scopes=[Perm.CASE_CREATE, Perm.CASE_VIEW],
        acting_user=advocate,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _post(client, CASES, "0").status_code == 400
    assert _post(client, CASES, "{}", "text/plain").status_code == 415
    assert client.get(CASES, {"offset": -1}).status_code == 422
