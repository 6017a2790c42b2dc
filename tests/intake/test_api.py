from __future__ import annotations

import json

import pytest
from django.test import Client

from puente.accounts.models import ApiKey
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Identifier
from puente.core.permissions import Perm
from puente.intake.models import Contact
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

NUMBER = "+17135550142"


def _key_client(user, scopes) -> Client:
    raw = ApiKey.generate_raw()
    ApiKey.objects.create(
        name="telephony bridge",
        key_prefix=raw[:10],
        key_hash=ApiKey.digest(raw),
        scopes=list(scopes),
        acting_user=user,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_phone_lookup_with_api_key(advocate):
    case = make_case(created_by=advocate)
    Identifier.objects.create(case=case, kind="phone", value=NUMBER, normalised=NUMBER)
    contact = make_contact(phone=NUMBER, summary="Earlier call")
    client = _key_client(advocate, [Perm.PHONE_LOOKUP])
    body = client.get("/api/v1/phone-lookup", {"number": "(713) 555-0142"}).json()
    assert body["number"] == NUMBER and body["found"] is True
    assert [c["id"] for c in body["contacts"]] == [contact.pk]
    assert [(c["reference"], c["via_identifier"]) for c in body["cases"]] == [
        (case.reference, True)
    ]
    entry = AuditEntry.objects.get(action="lookup")
    assert (entry.actor, entry.via) == (advocate, "api")
    # The chained reference is a pseudonym; the number is purgeable content.
    assert NUMBER not in entry.object_ref and entry.object_ref.startswith("phone:")
    assert entry.changes == [{"field": "number", "old": None, "new": NUMBER}]


def test_phone_lookup_hides_restricted_cases(advocate_client):
    secret = make_case(created_by=make_user(Role.SUPERVISOR), restricted=True, summary="Secret")
    make_contact(phone=NUMBER, case=secret, summary="Secret contact")
    response = advocate_client.get("/api/v1/phone-lookup", {"number": NUMBER})
    body = response.json()
    assert body["contacts"] == []
    assert body["cases"][0]["reference"] == secret.reference
    assert body["cases"][0]["summary"] == "" and body["cases"][0]["openable"] is False
    assert "Secret" not in response.content.decode()


def test_phone_lookup_refusals(advocate, analyst):
    assert Client().get("/api/v1/phone-lookup", {"number": NUMBER}).status_code == 401
    # The analyst role has no phone lookup; a key cannot widen a role.
    assert (
        signed_in_client(analyst).get("/api/v1/phone-lookup", {"number": NUMBER}).status_code == 403
    )
    assert (
        _key_client(analyst, [Perm.PHONE_LOOKUP])
        .get("/api/v1/phone-lookup", {"number": NUMBER})
        .status_code
        == 403
    )
    assert (
        signed_in_client(advocate).get("/api/v1/phone-lookup", {"number": "12"}).status_code == 422
    )
    assert not AuditEntry.objects.filter(action="lookup").exists()


def test_create_contact_over_api(advocate):
    client = _key_client(advocate, [Perm.CONTACT_CREATE])
    response = _post_json(
        client,
        "/api/v1/contacts",
        {
            "channel": "sms",
            "reason": "crisis",
            "phone": "+52 1 55 1234 5678",
            "country": "MX",
            "subdivision": "MX-DIF",
            "started_at": "2026-03-01T10:15:00-06:00",
            "imminent_danger": True,
        },
    )
    assert response.status_code == 201
    contact = Contact.objects.get()
    assert response.json()["id"] == contact.pk
    assert (contact.phone, contact.phone_raw, contact.subdivision) == (
        "+525512345678",
        "+52 1 55 1234 5678",
        "MX-CMX",
    )
    assert contact.imminent_danger and contact.taken_by == advocate
    assert contact.started_at.isoformat() == "2026-03-01T16:15:00+00:00"
    assert AuditEntry.objects.get(action="create", object_type="contact").via == "api"


def test_create_contact_field_errors_are_422(advocate_client):
    response = _post_json(advocate_client, "/api/v1/contacts", {"channel": "phone", "phone": "12"})
    assert response.status_code == 422
    messages = {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}
    assert set(messages) == {"phone", "reason"}
    assert messages["reason"] == "Choose a reason for contact."
    assert "too short" in messages["phone"] and "10 digits" in messages["phone"]
    response = _post_json(
        advocate_client,
        "/api/v1/contacts",
        {"channel": "phone", "reason": "tip", "imminent_danger": "perhaps"},
    )
    assert response.status_code == 422
    assert Contact.objects.count() == 0


def test_create_contact_needs_scope_and_role(advocate, liaison):
    payload = {"channel": "phone", "reason": "tip"}
    assert (
        _post_json(
            _key_client(advocate, [Perm.PHONE_LOOKUP]), "/api/v1/contacts", payload
        ).status_code
        == 403
    )
    assert _post_json(signed_in_client(liaison), "/api/v1/contacts", payload).status_code == 403
    assert _post_json(Client(), "/api/v1/contacts", payload).status_code == 401
    assert Contact.objects.count() == 0


def test_get_contact(advocate):
    case = make_case(created_by=advocate)
    contact = make_contact(phone=NUMBER, case=case)
    client = _key_client(advocate, [Perm.CONTACT_VIEW])
    body = client.get(f"/api/v1/contacts/{contact.pk}").json()
    assert (body["id"], body["phone"], body["case_reference"], body["reason"]) == (
        contact.pk,
        NUMBER,
        case.reference,
        "tip",
    )
    assert (
        AuditEntry.objects.filter(
            action="view", object_type="contact", object_id=str(contact.pk), via="api"
        ).count()
        == 1
    )
    assert client.get("/api/v1/contacts/999999").status_code == 404


def test_get_contact_in_restricted_case_is_refused(advocate, administrator):
    contact = make_contact(
        case=make_case(created_by=make_user(Role.SUPERVISOR), restricted=True), summary="Secret"
    )
    response = signed_in_client(advocate).get(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 403 and "Secret" not in response.content.decode()
    assert signed_in_client(administrator).get(f"/api/v1/contacts/{contact.pk}").status_code == 403
    assert not AuditEntry.objects.filter(action="view").exists()


@pytest.mark.parametrize(
    "limit, offset, expected, next_offset", [(2, 0, [3, 2], 2), (2, 2, [1], None)]
)
def test_list_contacts_pages(advocate_client, limit, offset, expected, next_offset):
    from datetime import timedelta

    from django.utils import timezone

    ids = {
        n: make_contact(started_at=timezone.now() - timedelta(hours=10 - n), summary=str(n)).pk
        for n in (1, 2, 3)
    }
    make_contact(
        case=make_case(created_by=make_user(Role.SUPERVISOR), restricted=True)
    )  # the newest, but hidden
    body = advocate_client.get("/api/v1/contacts", {"limit": limit, "offset": offset}).json()
    visible = [item["id"] for item in body["items"] if item["id"] in ids.values()]
    assert visible == [ids[n] for n in expected]
    assert body["next_offset"] == next_offset
