"""The served OpenAPI schema tells the truth (issue 10, item 9): Schemathesis generates
requests from /api/v1/openapi.json — valid ones and ones the schema says are wrong — sends
each through the WSGI application with an API key and again with a staff session, and runs
every check it has on every answer. None may be a server error, break its documented
schema, or carry a status code the schema does not list.

The database is seeded with a realistic hotline (cases with people and identifiers,
contacts, referrals, providers), and the case references and contact ids the schema's
paths take are steered towards those that exist, so the routes that read one record are
exercised past their 404.

One number bounds the time: `MAX_EXAMPLES` per operation and generation phase. With it,
the whole run takes about a minute per database on a laptop core.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import CSRF_SESSION_KEY, _get_new_csrf_string
from hypothesis import strategies as st

from puente.accounts.models import ApiKey
from puente.accounts.roles import Role
from puente.cases import domain as case_domain
from puente.core.permissions import Perm
from puente.intake import domain as intake_domain
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

MAX_EXAMPLES = 40

# Business rules the schema cannot state (a contact cannot end before it started, the
# state must be in the country, a case moves only along its workflow, a number must be a
# phone number, a place must be found) answer 422 naming the field, as documented. So a
# request the schema calls valid may still get a 422; every other check is as shipped.
POSITIVE_ACCEPTED = ["2xx", "401", "403", "404", "409", "422"]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "mode": "all",
            # Each request carries one real credential (below), not generated ones.
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_ACCEPTED}},
    }
)


def _seed(advocate) -> dict:
    """A small hotline: what an advocate sees on a working day."""
    supervisor = make_user(Role.SUPERVISOR)
    cases = [
        make_case(created_by=advocate, title="Farm workers in Salinas", summary="Crew boss"),
        make_case(created_by=advocate, title="Nail salon", status="active"),
        make_case(created_by=supervisor, title="Restricted", restricted=True),
    ]
    person = case_domain.add_person(
        case=cases[0], by=advocate, role="potential_victim", first_name="Rosa"
    )
    case_domain.add_identifier(
        case=cases[0], person=person, kind="phone", value="713-555-0142", by=advocate
    )
    contacts = [
        make_contact(taken_by=advocate, phone="+17135550142", summary="Called about a farm"),
        make_contact(taken_by=advocate, case=cases[0]),
        make_contact(taken_by=supervisor, case=cases[2], summary="Secret"),
    ]
    intake_domain.look_up_caller(user=advocate, phone="+17135550142")
    return {
        "number": ["+17135550142", "(713) 555-0142"],
        "reference": [c.reference for c in cases] + ["US-2026-999999"],
        "contact_id": [c.pk for c in contacts] + [10**9],
    }


def _load():
    # From the schema the application serves, once, when the tests are collected.
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
    )


# One run per way in: an integration's API key, and a staff member's browser session.
with_api_key = _load()
with_session = _load()

# What the current test seeded and the credentials it made (read while requests are
# generated and sent), and the status codes each operation answered.
SEEDED: dict[str, list] = {}
CREDENTIALS: dict[str, str] = {}
ANSWERS: dict[str, Counter] = defaultdict(Counter)


@with_api_key.auth(refresh_interval=None, retry_on=[])
class ApiKeyBearer:
    def get(self, case, context):
        return CREDENTIALS.get("key", "")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@with_session.auth(refresh_interval=None, retry_on=[])
class StaffSession:
    """The session cookie and, on a write, the CSRF token a page sends. The token is kept
    in the session (CSRF_USE_SESSIONS, set by the fixture), so the session cookie is the
    only credential: the `ignored_auth` check takes it away and must see a 401."""

    def get(self, case, context):
        return CREDENTIALS.get("session", "")

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), "sessionid": data}
        case.headers = {**(case.headers or {}), "X-CSRFToken": CREDENTIALS.get("csrf", "")}


def _is_negative(case) -> bool:
    return (
        case.meta is not None and case.meta.generation.mode == schemathesis.GenerationMode.NEGATIVE
    )


def flatmap_case(context, case):
    """Valid requests are steered to the seeded data: half of the generated paths name a
    record that exists (so the routes that read one are exercised past their 404, a
    restricted case's 403 included), half of the phone lookups ask for a number the
    hotline knows, and half of the edits are a plain one to a seeded case at the version it
    is at (1), so some are saved rather than all refused as stale (409) or as a step the
    case's workflow does not allow (422). A request generated to be invalid is left as it is:
    steering it could undo what made it invalid, and a valid request answered 200 would
    then pass for invalid data accepted."""
    if _is_negative(case):
        return st.just(case)

    def steer(values: dict):
        for part, value in values.items():
            setattr(case, part, value)
        return case

    steered = {}
    if case.path_parameters:
        existing = {
            name: st.sampled_from(SEEDED[name]) if name in SEEDED else st.just(value)
            for name, value in case.path_parameters.items()
        }
        steered["path_parameters"] = st.one_of(
            st.just(case.path_parameters), st.fixed_dictionaries(existing)
        )
    if case.query and "number" in case.query:
        query = case.query
        known = st.sampled_from(SEEDED["number"]).map(lambda n: {**query, "number": n})
        steered["query"] = st.one_of(st.just(query), known)
    if isinstance(case.body, dict) and "version" in case.body and "path_parameters" in steered:
        # The edit and the case it is made to go together: a plain edit to a seeded case.
        plain = {"version": 1, "summary": "Seen again today."}
        seeded_case = st.fixed_dictionaries(existing)
        edit = st.fixed_dictionaries({"path_parameters": seeded_case, "body": st.just(plain)})
        return st.one_of(st.fixed_dictionaries(steered), edit).map(steer)
    if not steered:
        return st.just(case)
    return st.fixed_dictionaries(steered).map(steer)


def after_call(context, case, response):
    ANSWERS[case.operation.label][response.status_code] += 1


for _schema in (with_api_key, with_session):
    for _hook in (flatmap_case, after_call):
        _schema.hook(_hook)


@pytest.fixture(autouse=True)
def _in_process(settings):
    # Schemathesis's WSGI client calls itself "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: a request must not close the database connection,
    # which holds the test's transaction (and its seeded rows).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(advocate, settings, request):
    SEEDED.clear()
    SEEDED.update(_seed(advocate))
    settings.CSRF_USE_SESSIONS = True
    session = signed_in_client(advocate).session
    CREDENTIALS["csrf"] = session[CSRF_SESSION_KEY] = _get_new_csrf_string()
    session.save()
    CREDENTIALS["session"] = session.session_key
    CREDENTIALS["key"] = _key(advocate)
    ANSWERS.clear()
    yield
    answers = sum(ANSWERS.values(), Counter())
    print(
        f"\n{request.node.name}: {sum(answers.values())} requests {dict(sorted(answers.items()))}"
    )
    # Not only refusals: every operation did its work for valid input at least once. An
    # edit succeeds only at the version the case is at, which the fuzzer's own earlier
    # edits keep moving: for PATCH, reaching the version check (409) counts too, and
    # test_a_session_and_a_key_each_save_an_edit below proves the saves themselves.
    if not request.node.name.startswith("test_api_with_"):
        return  # a plain test, not a fuzzed operation
    worked = {status for status in answers if 200 <= status < 300}
    if "PATCH" in request.node.name:
        worked |= {status for status in answers if status == 409}
    assert worked, answers


def _key(user) -> str:
    raw = ApiKey.generate_raw()
    ApiKey.objects.create(
        name="schemathesis",
        key_prefix=raw[:10],
        key_hash=ApiKey.digest(raw),
        scopes=[
            Perm.PHONE_LOOKUP,
            Perm.CONTACT_VIEW,
            Perm.CONTACT_CREATE,
            Perm.CASE_VIEW,
            Perm.CASE_CREATE,
            Perm.CASE_EDIT,
            Perm.SEARCH,
            Perm.DIRECTORY_VIEW,
        ],
        acting_user=user,
    )
    return raw


SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
)


@with_api_key.parametrize()
@SETTINGS
def test_api_with_a_key_conforms_to_its_schema(case, seeded):
    case.call_and_validate()


@with_session.parametrize()
@SETTINGS
def test_api_with_a_session_conforms_to_its_schema(case, seeded):
    case.call_and_validate()


def test_a_session_and_a_key_each_save_an_edit(seeded, client):
    """What the fuzzer cannot be sure to hit: a plain edit at the current version, saved,
    once through a staff session (with its CSRF token) and once with an API key."""
    reference = SEEDED["reference"][0]
    session_edit = client.patch(
        f"/api/v1/cases/{reference}",
        data=json.dumps({"version": 1, "summary": "Seen again today."}),
        content_type="application/json",
        HTTP_COOKIE=f"sessionid={CREDENTIALS['session']}",
        HTTP_X_CSRFTOKEN=CREDENTIALS["csrf"],
    )
    assert session_edit.status_code == 200, session_edit.content
    key_edit = client.patch(
        f"/api/v1/cases/{reference}",
        data=json.dumps({"version": 2, "summary": "And again."}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {CREDENTIALS['key']}",
    )
    assert key_edit.status_code == 200, key_edit.content
    assert key_edit.json()["version"] == 3
