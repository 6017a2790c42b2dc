"""The door partners knock on: what is accepted, what is refused, and that a refusal
stores nothing but the audit line that says why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puente.audit.models import AuditEntry
from puente.federation import partners
from puente.federation.models import CrossBorderReferral, InboxMessage
from tests.federation.conftest import deliver, encode, offer_document, signed


def _offer(partner, **kwargs):
    document = offer_document(**kwargs)
    return document, signed(
        encode(document), partner.private_key, message_id=document["message_id"]
    )


def _nothing_stored():
    return InboxMessage.objects.count() == 0 and CrossBorderReferral.objects.count() == 0


def _refusals():
    return list(
        AuditEntry.objects.filter(action="exchange_refused").values_list("reason", flat=True)
    )


def test_a_signed_referral_is_received_once_and_acknowledged(partner):
    document, request = _offer(partner)
    response = deliver(request)
    assert response.status_code == 202
    assert response.json() == {"message_id": document["message_id"], "status": "accepted"}
    referral = CrossBorderReferral.objects.get()
    assert referral.direction == "incoming"
    assert referral.partner == partner.hotline
    assert referral.shared["ext_ServicesNeeded"] == ["shelter_emergency_housing", "legal"]
    assert referral.summary.startswith("Mujer de 24 años")
    assert AuditEntry.objects.filter(action="exchange_received").count() == 1


def test_a_redelivery_with_a_fresh_signature_is_acknowledged_but_not_applied_again(partner):
    document, first = _offer(partner)
    assert deliver(first).status_code == 202
    again = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(again)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert InboxMessage.objects.count() == 1
    assert CrossBorderReferral.objects.count() == 1


def test_the_same_signed_request_sent_twice_is_a_replay_and_refused(partner):
    _document, request = _offer(partner)
    assert deliver(request).status_code == 202
    replay = deliver(request)
    assert replay.status_code == 401
    assert replay.json()["error"] == "replayed"
    assert CrossBorderReferral.objects.count() == 1
    assert any(r.startswith("replayed") for r in _refusals())


def test_a_body_changed_after_signing_is_refused(partner):
    document, request = _offer(partner)
    request["body"] = request["body"].replace(b"Houston", b"Dallas")
    response = deliver(request)
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert _nothing_stored()
    assert any(r.startswith("bad_signature") for r in _refusals())


def test_a_changed_signed_header_is_refused(partner):
    _document, request = _offer(partner)
    request["headers"]["Puente-Message-Id"] = str(uuid.uuid4())
    assert deliver(request).json()["error"] == "bad_signature"
    assert _nothing_stored()


def test_a_key_nobody_registered_is_refused_and_logged(partner):
    stranger = Ed25519PrivateKey.generate()
    document = offer_document()
    response = deliver(signed(encode(document), stranger, message_id=document["message_id"]))
    assert response.status_code == 401
    assert response.json()["error"] == "unknown_key"
    assert _nothing_stored()
    assert any(r.startswith("unknown_key") for r in _refusals())


def test_a_revoked_key_is_refused(partner):
    partners.revoke_key(key=partner.key_record)
    _document, request = _offer(partner)
    response = deliver(request)
    assert (response.status_code, response.json()["error"]) == (401, "revoked_key")
    assert _nothing_stored()


def test_a_switched_off_partner_is_refused(partner):
    partners.set_active(partner=partner.hotline, active=False)
    _document, request = _offer(partner)
    assert deliver(request).status_code == 403
    assert _nothing_stored()


def test_a_stale_date_is_refused(partner):
    document = offer_document()
    old = datetime.now(UTC) - timedelta(minutes=30)
    request = signed(
        encode(document), partner.private_key, message_id=document["message_id"], now=old
    )
    response = deliver(request)
    assert (response.status_code, response.json()["error"]) == (401, "stale")
    assert _nothing_stored()


def test_a_date_from_the_future_is_refused(partner):
    document = offer_document()
    ahead = datetime.now(UTC) + timedelta(minutes=30)
    request = signed(
        encode(document), partner.private_key, message_id=document["message_id"], now=ahead
    )
    assert deliver(request).json()["error"] == "stale"
    assert _nothing_stored()


def test_an_unknown_schema_version_is_refused_with_a_clear_error(partner):
    document = offer_document()
    document["schema_version"] = 7
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(request)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "unsupported_schema_version"
    assert answer["supported_versions"] == [1]
    assert "version 7 is not supported" in answer["detail"]
    assert _nothing_stored()


def test_a_field_outside_the_schema_is_refused_and_named(partner):
    document = offer_document()
    document["body"]["subject"]["prs_Birthdate"] = "2001-01-01"
    document["body"]["urgency"] = "whenever"
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(request)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "body.subject.prs_Birthdate" in fields
    assert "body.urgency" in fields
    assert _nothing_stored()


def test_a_referral_without_consent_is_refused(partner):
    document = offer_document(
        consent={"given": False, "method": "verbal", "recorded_at": "2026-11-28T10:00:00+00:00"}
    )
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(request)
    assert response.status_code == 422
    assert "body.consent" in response.json()["fields"]


def test_an_unsigned_request_is_refused(partner):
    response = deliver({"body": encode(offer_document()), "headers": {}})
    assert (response.status_code, response.json()["error"]) == (401, "signature_missing")


def test_a_message_id_reused_for_another_message_is_a_conflict(partner):
    document, request = _offer(partner)
    assert deliver(request).status_code == 202
    other = offer_document(message_id=document["message_id"], summary="Otra cosa")
    response = deliver(
        signed(encode(other), partner.private_key, message_id=document["message_id"])
    )
    assert (response.status_code, response.json()["error"]) == (409, "message_id_conflict")
    assert CrossBorderReferral.objects.get().summary.startswith("Mujer")
