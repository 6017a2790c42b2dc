from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.http import JsonResponse
from django.test import Client

from puente.federation import keys, partners
from puente.federation.signing import sign_request, sign_response


@dataclass
class Partner:
    """The Mexican hotline as seen from here: registered with its public key; the test
    holds its private key, so it can sign what Mexico would send."""

    hotline: object
    key_record: object
    private_key: Ed25519PrivateKey


def make_partner(name="Línea Nacional (MX)", country="MX", url="https://mx.example") -> Partner:
    private = Ed25519PrivateKey.generate()
    hotline = partners.register_partner(name=name, country=country, base_url=url)
    record = partners.add_key(partner=hotline, public_key=keys.public_info(private).public_key)
    return Partner(hotline, record, private)


@pytest.fixture(autouse=True)
def sent_without_approval(settings):
    """Most exchange tests are about delivery, not approval: a referral goes straight to
    the outbox. tests/federation/test_approval.py switches the (default) step back on."""
    settings.PUENTE_APPROVE_CROSS_BORDER = False


@pytest.fixture
def partner(db) -> Partner:
    return make_partner()


def offer_document(*, message_id=None, exchange_id=None, **body_overrides) -> dict:
    body = {
        "sender_case_reference": "MX-2026-000007",
        "urgency": "urgent",
        "consent": {"given": True, "method": "verbal", "recorded_at": "2026-11-28T10:00:00+00:00"},
        "summary": "Mujer de 24 años, necesita refugio en Houston.",
        "summary_language": "es",
        "subject": {
            "prs_Gender": "Feminine",
            "prs_AgeBroad": "24-26",
            "prs_Citizenship": ["MX"],
            "vic_TypeOfExploitation": ["ForcedLabour"],
            "ext_ServicesNeeded": ["shelter_emergency_housing", "legal"],
            "ext_CurrentLocation": {"country": "US", "subdivision": "US-TX", "city": "Houston"},
        },
    }
    body.update(body_overrides)
    return {
        "schema": "puente-exchange",
        "schema_version": 1,
        "type": "referral.offer",
        "message_id": str(message_id or uuid.uuid4()),
        "exchange_id": str(exchange_id or uuid.uuid4()),
        "sent_at": "2026-11-28T10:00:05+00:00",
        "from": {"hotline": "Línea Nacional", "country": "MX"},
        "body": body,
    }


def encode(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def signed(body: bytes, private_key, *, message_id: str, now: datetime | None = None) -> dict:
    """What a partner's request carries: the body and the signed headers."""
    prepared = sign_request(
        url="http://testserver/exchange/inbox/",
        body=body,
        message_id=message_id,
        private_key=private_key,
        now=now or datetime.now(UTC),
    )
    headers = {
        k: v
        for k, v in prepared.headers.items()
        if k.lower() not in {"content-type", "content-length"}
    }
    return {"body": body, "headers": headers}


def deliver(request: dict, client: Client | None = None):
    return (client or Client()).post(
        "/exchange/inbox/",
        data=request["body"],
        content_type="application/json",
        headers=request["headers"],
    )


def as_requests_response(response) -> requests.Response:
    """A Django response (the test client's, or one built in a test) as the worker's HTTP
    client would see it: status, every header, the body."""
    answer = requests.Response()
    answer.status_code = response.status_code
    answer.headers.update(dict(response.items()))
    answer._content = response.content
    return answer


def answer(
    document: dict,
    *,
    status: int = 202,
    private_key=None,
    message_id: str | None = None,
    now: datetime | None = None,
    headers: dict | None = None,
) -> requests.Response:
    """A partner inbox's answer: signed with `private_key` (as a version-2 partner signs
    it), or unsigned when it is None (a version-1 partner, or a stub)."""
    response = JsonResponse(document, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    if private_key is not None:
        sign_response(
            response,
            message_id=message_id or str(document.get("message_id", "")),
            private_key=private_key,
            now=now,
        )
    elif message_id or document.get("message_id"):
        response["Puente-Message-Id"] = message_id or str(document["message_id"])
    return as_requests_response(response)
