"""The door partners knock on: what is accepted, what is refused, and that a refusal
stores nothing but the audit line that says why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from puente.audit.models import AuditEntry
from puente.federation import keys, partners
from puente.federation.models import CrossBorderReferral, InboxMessage, InboxRefusalSummary
from tests.federation.conftest import deliver, encode, offer_document, signed


def _offer(partner, **kwargs):
    document = offer_document(**kwargs)
    return document, signed(
        encode(document), partner.private_key, message_id=document["message_id"]
    )


def _nothing_stored():
    return InboxMessage.objects.count() == 0 and CrossBorderReferral.objects.count() == 0


def _refusals():
    """Refusals of requests a partner provably signed: in the audit trail."""
    return list(
        AuditEntry.objects.filter(action="exchange_refused").values_list("reason", flat=True)
    )


def _counted():
    """Refusals of requests nobody was proven to send: counted per source and minute."""
    return list(
        InboxRefusalSummary.objects.values_list("source", "refused", "rate_limited", "last_code")
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
    # Anyone can resend a captured request: counted, not recorded as the partner.
    assert _counted() == [("127.0.0.1", 1, 0, "replayed")]
    assert _refusals() == []


def test_a_body_changed_after_signing_is_refused(partner):
    document, request = _offer(partner)
    request["body"] = request["body"].replace(b"Houston", b"Dallas")
    response = deliver(request)
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert _nothing_stored()
    assert _counted() == [("127.0.0.1", 1, 0, "bad_signature")]
    assert _refusals() == []


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
    assert _counted() == [("127.0.0.1", 1, 0, "unknown_key")]
    summary = InboxRefusalSummary.objects.get()
    assert summary.claimed_key_ids == keys.public_info(stranger).key_id


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
    assert answer["supported_versions"] == [1, 2, 3, 4]
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


# --- the signed answer ------------------------------------------------------------------


def test_every_answer_is_signed_with_this_hotlines_key(partner, own_key):
    from puente.federation.signing import NotAcknowledged, verify_acknowledgement
    from tests.federation.conftest import as_requests_response, make_partner

    # This hotline, as its partner has it registered.
    here = make_partner(name="U.S. (as the partner sees it)", country="US")
    partners.add_key(partner=here.hotline, public_key=keys.public_info(own_key).public_key)
    document, request = _offer(partner)
    accepted = as_requests_response(deliver(request))
    assert accepted.status_code == 202
    assert (
        verify_acknowledgement(accepted, partner=here.hotline, message_id=document["message_id"])
        == keys.public_info(own_key).key_id
    )
    assert accepted.headers["Puente-Message-Id"] == document["message_id"]
    with pytest.raises(NotAcknowledged, match="is for message"):
        verify_acknowledgement(accepted, partner=here.hotline, message_id=str(uuid.uuid4()))
    # Refusals are signed too, so a sender can tell the partner's refusal from a stub's.
    refused = as_requests_response(deliver({"body": b"{}", "headers": {}}))
    assert refused.status_code == 401
    assert "Signature" in refused.headers and "Signature-Input" in refused.headers


# --- floods, forgeries, oversized bodies --------------------------------------------------


@pytest.fixture
def one_minute(monkeypatch):
    """The inbox's clock stopped in the middle of a minute, so a flood falls in one."""
    from types import SimpleNamespace

    from puente.federation import inbox

    frozen = datetime(2026, 11, 28, 18, 2, 30, tzinfo=UTC)
    monkeypatch.setattr(inbox, "timezone", SimpleNamespace(now=lambda: frozen))
    return frozen


def test_a_flood_of_unsigned_requests_is_limited_and_counted_in_one_row(
    partner, own_key, settings, one_minute
):
    settings.PUENTE_EXCHANGE_RATE_PER_SOURCE = 20
    audit_before = AuditEntry.objects.count()
    answers = [deliver({"body": encode(offer_document()), "headers": {}}) for _ in range(50)]
    codes = [a.status_code for a in answers]
    assert codes == [401] * 20 + [429] * 30
    limited = answers[-1]
    assert limited.json()["error"] == "rate_limited"
    assert limited["Retry-After"] == "30"  # the rest of the minute
    assert _counted() == [("127.0.0.1", 20, 30, "rate_limited")]
    assert InboxRefusalSummary.objects.get().minute == one_minute.replace(second=0)
    # Not one line per request in the never-deleted trail.
    assert AuditEntry.objects.count() == audit_before
    assert _nothing_stored()


def test_the_limit_is_per_source_address(partner, own_key, settings, one_minute):
    settings.PUENTE_EXCHANGE_RATE_PER_SOURCE = 2
    for _ in range(3):
        deliver({"body": b"{}", "headers": {}})
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert deliver({"body": b"{}", "headers": {}}, other).status_code == 401
    assert sorted(_counted()) == [
        ("127.0.0.1", 2, 1, "rate_limited"),
        ("192.0.2.7", 1, 0, "signature_missing"),
    ]


def _forged(partner, document):
    """Signed by a stranger, claiming the partner's key id."""
    stranger = Ed25519PrivateKey.generate()
    request = signed(encode(document), stranger, message_id=document["message_id"])
    stranger_id = keys.public_info(stranger).key_id
    request["headers"]["Signature-Input"] = request["headers"]["Signature-Input"].replace(
        stranger_id, partner.key_record.key_id
    )
    return request


def test_a_forged_request_naming_a_partners_key_is_counted_as_a_claim_not_as_the_partner(
    partner, own_key
):
    response = deliver(_forged(partner, offer_document()))
    assert (response.status_code, response.json()["error"]) == (401, "bad_signature")
    summary = InboxRefusalSummary.objects.get()
    assert (summary.refused, summary.last_code) == (1, "bad_signature")
    assert summary.claimed_key_ids == partner.key_record.key_id
    assert not AuditEntry.objects.filter(actor_name__startswith="partner:").exists()
    assert _nothing_stored()


def test_forged_requests_do_not_use_up_the_partners_allowance(partner, own_key, settings):
    settings.PUENTE_EXCHANGE_RATE_PER_KEY = 2
    for _ in range(5):
        assert deliver(_forged(partner, offer_document())).status_code == 401
    assert deliver(_offer(partner)[1]).status_code == 202
    assert deliver(_offer(partner)[1]).status_code == 202
    third = deliver(_offer(partner)[1])
    assert (third.status_code, third.json()["error"]) == (429, "rate_limited")
    assert int(third["Retry-After"]) >= 1
    assert CrossBorderReferral.objects.count() == 2


def test_a_signed_body_over_the_size_limit_gets_a_json_error_and_an_audit_entry(
    partner, own_key, settings
):
    settings.PUENTE_EXCHANGE_MAX_BODY_BYTES = 4096
    document = offer_document(summary="x" * 5000)
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(request)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "payload_too_large"
    assert response.json()["max_bytes"] == 4096
    assert _nothing_stored()
    (reason,) = _refusals()
    assert reason.startswith("payload_too_large: The body is ")
    entry = AuditEntry.objects.get(action="exchange_refused")
    assert entry.actor_name == f"partner:{partner.hotline.name}"


def test_a_body_over_djangos_upload_limit_gets_the_same_json_error(partner, own_key, settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE makes request.body raise: still the protocol's error."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3000
    settings.PUENTE_EXCHANGE_MAX_BODY_BYTES = 1_048_576
    document = offer_document(summary="x" * 5000)
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    response = deliver(request)
    assert (response.status_code, response.json()["error"]) == (413, "payload_too_large")
    assert len(_refusals()) == 1


def test_an_unsigned_oversized_body_is_refused_unread_and_counted(partner, own_key, settings):
    settings.PUENTE_EXCHANGE_MAX_BODY_BYTES = 1024
    response = deliver({"body": b"x" * 5000, "headers": {}})
    assert (response.status_code, response.json()["error"]) == (401, "signature_missing")
    assert _refusals() == []
    assert _counted() == [("127.0.0.1", 1, 0, "signature_missing")]
