from __future__ import annotations

import json

import pytest
from django.test import Client

from puente.accounts.models import ApiKey
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain
from puente.cases.models import Case
from puente.core.permissions import Perm
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cases"


def _patch(client, url, body, **extra):
    return client.patch(url, json.dumps(body), content_type="application/json", **extra)


def _key(user, scopes):
    raw = ApiKey.generate_raw()
    ApiKey.objects.create(
        name="bridge",
        key_prefix=raw[:8],
        key_hash=ApiKey.digest(raw),
        scopes=scopes,
        acting_user=user,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_anonymous_refused(client, advocate):
    make_case(created_by=advocate)
    assert client.get(BASE).status_code == 401


def test_list_only_openable_and_filter(advocate, supervisor, advocate_client):
    open_case = make_case(created_by=advocate, title="Visible")
    hidden = make_case(created_by=supervisor, title="Hidden")
    domain.restrict_case(case=hidden, by=supervisor)
    data = advocate_client.get(BASE).json()
    assert [row["reference"] for row in data] == [open_case.reference]
    assert advocate_client.get(BASE, {"status": "closed"}).json() == []


def test_administrator_refused(administrator, advocate):
    make_case(created_by=advocate)
    response = signed_in_client(administrator).get(BASE)
    assert response.status_code == 403
    assert "case.view" in response.json()["detail"]


def test_create_case(advocate_client, advocate):
    response = advocate_client.post(
        BASE, {"title": "From API", "venues": ["construction"]}, content_type="application/json"
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json()["reference"] == case.reference and case.venues == ["construction"]
    assert case.created_by == advocate


def test_create_case_bad_code_422(advocate_client):
    response = advocate_client.post(
        BASE, {"methods_of_control": ["Telepathy"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "methods_of_control"]
    assert Case.objects.count() == 0


def test_analyst_cannot_create(analyst):
    response = signed_in_client(analyst).post(BASE, {"title": "x"}, content_type="application/json")
    assert response.status_code == 403 and Case.objects.count() == 0


def test_get_case_with_persons_and_identifiers_audited(advocate, advocate_client):
    case = make_case(created_by=advocate)
    person = domain.add_person(case=case, by=advocate, role="potential_victim", first_name="Rosa")
    domain.add_identifier(case=case, person=person, kind="phone", value="713-555-0142", by=advocate)
    data = advocate_client.get(f"{BASE}/{case.reference}").json()
    assert data["persons"][0]["first_name"] == "Rosa"
    assert data["persons"][0]["identifiers"] == [
        {"kind": "phone", "value": "713-555-0142", "normalised": "+17135550142"}
    ]
    entry = AuditEntry.objects.filter(action="view", object_type="case").get()
    assert entry.via == "api" and entry.actor == advocate


def test_restricted_case_403_until_break_glass(advocate, supervisor, advocate_client):
    case = make_case(created_by=supervisor, title="Hidden")
    domain.restrict_case(case=case, by=supervisor)
    response = advocate_client.get(f"{BASE}/{case.reference}")
    assert response.status_code == 403 and "Hidden" not in response.content.decode()
    domain.break_glass(case=case, user=advocate, reason="Caller needs urgent help now")
    assert advocate_client.get(f"{BASE}/{case.reference}").json()["title"] == "Hidden"


def test_patch_updates_and_stale_409(advocate, advocate_client):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    case = make_case(created_by=advocate)
    url = f"{BASE}/{case.reference}"
    response = _patch(
        advocate_client, url, {"version": 1, "title": "API title", "status": "active"}
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    domain.update_case(
        case_id=case.pk, expected_version=2, by=colleague, changes={"title": "Bea's"}
    )
    response = _patch(advocate_client, url, {"version": 2, "title": "Mine"})
    assert response.status_code == 409
    body = response.json()
    assert "Bea Bravo" in body["detail"] and body["changed_by"] == "Bea Bravo"
    assert body["current_version"] == 3
    assert Case.objects.get(pk=case.pk).title == "Bea's"


def test_patch_requires_version_and_valid_codes(advocate, advocate_client):
    case = make_case(created_by=advocate)
    url = f"{BASE}/{case.reference}"
    assert _patch(advocate_client, url, {"title": "x"}).status_code == 422
    # An unknown code is refused by the schema (an enumeration), before any rule runs.
    response = _patch(advocate_client, url, {"version": 1, "venues": ["moon"], "status": "new"})
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "venues", 0]]
    # A code the schema knows, in a step the workflow does not allow: the domain's 422.
    response = _patch(
        advocate_client, url, {"version": 1, "venues": ["residential"], "status": "monitoring"}
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "status"]]
    assert Case.objects.get(pk=case.pk).version == 1


def test_api_key_scopes(advocate):
    case = make_case(created_by=advocate)
    headers = _key(advocate, [Perm.CASE_VIEW])
    client = Client()
    assert client.get(f"{BASE}/{case.reference}", **headers).status_code == 200
    response = _patch(client, f"{BASE}/{case.reference}", {"version": 1, "title": "x"}, **headers)
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).title == ""
