"""HTTP Message Signatures (RFC 9421) between partner hotlines.

Every request is signed with Ed25519 over its method, path, Date, Content-Type, the
Content-Digest of its body (RFC 9530, sha-256) and its Puente-Message-Id, with the
signature parameters `created`, `keyid`, `alg`, a random `nonce` and the tag
`puente-exchange`. The receiver refuses:

- a key it does not know, or one it has revoked, or a partner it has switched off;
- a signature that does not verify (a changed header or body);
- a Date or `created` more than PUENTE_EXCHANGE_MAX_SKEW_SECONDS from its clock;
- a nonce it has already accepted (the same signed request sent twice).

The receiver signs its answer in turn (protocol version 2): the status, the message id,
the Content-Digest of the answer's body and a Puente-Date, with the tag
`puente-exchange-ack`. The sender marks a message delivered only on an answer that
verifies with a key registered for that partner (`verify_acknowledgement`), so a stub
on the partner's address cannot make a message look delivered.

The refusal codes are listed in docs/federation.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from types import SimpleNamespace

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from puente.federation import keys
from puente.federation.models import PartnerHotline, PartnerKey

TAG = "puente-exchange"
LABEL = "puente"
MESSAGE_ID_HEADER = "Puente-Message-Id"
COVERED_COMPONENTS = ("@method", "@path", "date", "content-type", "puente-message-id")
REQUIRED_COMPONENTS = (*COVERED_COMPONENTS, "content-digest")

# The signed answer. Its date travels in Puente-Date, not Date: HTTP servers and reverse
# proxies (gunicorn, nginx) write their own Date on every response, which would break a
# signature over it.
ACK_TAG = "puente-exchange-ack"
ACK_DATE_HEADER = "Puente-Date"
ACK_COVERED_COMPONENTS = ("@status", "content-type", "puente-date", "puente-message-id")
ACK_REQUIRED_COMPONENTS = (*ACK_COVERED_COMPONENTS, "content-digest")


class Refused(Exception):
    """A message this hotline will not accept: `code` is the protocol's error code,
    `status` the HTTP status to answer with, `detail` the reason in plain words."""

    def __init__(
        self, code: str, detail: str, *, status: int = 401, partner: PartnerHotline | None = None
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        self.partner = partner


class Unverified(Refused):
    """A refusal before anyone was proven to have sent the request. `claimed_key_id` is
    what the request said, not who sent it: a forger can name any partner's key."""

    def __init__(
        self, code: str, detail: str, *, status: int = 401, claimed_key_id: str = ""
    ) -> None:
        super().__init__(code, detail, status=status)
        self.claimed_key_id = claimed_key_id


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(
        self,
        *,
        private: Ed25519PrivateKey | None = None,
        public: Ed25519PublicKey | None = None,
    ) -> None:
        self.private = private
        self.public = public

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey | None:
        return self.private

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        return self.public


def max_skew() -> timedelta:
    return timedelta(seconds=settings.PUENTE_EXCHANGE_MAX_SKEW_SECONDS)


def sign_request(
    *,
    url: str,
    body: bytes,
    message_id: str,
    private_key: Ed25519PrivateKey,
    now: datetime | None = None,
) -> requests.PreparedRequest:
    """A POST ready to send. Each call signs afresh (new Date, created and nonce), so a
    retry of the same message is a new request with the same message id and body."""
    now = now or datetime.now(UTC)
    prepared = requests.Request(
        "POST",
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Date": format_datetime(now, usegmt=True),
            MESSAGE_ID_HEADER: message_id,
        },
    ).prepare()
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(private=private_key)
    )
    signer.sign(
        prepared,
        key_id=keys.public_info(private_key).key_id,
        created=now,
        nonce=secrets.token_hex(16),
        label=LABEL,
        tag=TAG,
        covered_component_ids=COVERED_COMPONENTS,
        body=body,
    )
    return prepared


@dataclass(frozen=True)
class Verified:
    partner_key: PartnerKey
    message_id: str
    nonce: str

    @property
    def partner(self) -> PartnerHotline:
        return self.partner_key.partner


def _key_id_of(headers: Mapping[str, str]) -> str:
    """Read the key id before verifying, to know which public key to verify with."""
    from http_sf import parse

    raw = headers.get("Signature-Input", "")
    if not raw:
        raise Unverified("signature_missing", "The request carries no Signature-Input header.")
    try:
        parsed = parse(raw.encode(), tltype="dictionary")
        if not isinstance(parsed, dict):
            raise TypeError(type(parsed))
        # http_sf parses every dictionary member as a (value, parameters) pair.
        member = parsed[LABEL]
        if not isinstance(member, tuple):
            raise TypeError(type(member))
        return str(member[1]["keyid"])
    except Exception as exc:  # any malformed structure is the same refusal
        raise Unverified(
            "signature_malformed", f"Signature-Input has no '{LABEL}' signature with a keyid."
        ) from exc


def claimed_key_id(headers: Mapping[str, str]) -> str:
    """The key id a request names, or "" — for counting refusals, never for trusting."""
    try:
        return _key_id_of(headers)[:100]
    except Refused:
        return ""


def verify_request(
    request: HttpRequest, *, now: datetime | None = None, body: bytes | None = None
) -> Verified:
    """Check a Django request from a partner; return who signed it, or raise Unverified.

    With `body=None` only the signed headers are checked (the Content-Digest among
    them), so an oversized request can be answered without reading it; `check_body`
    then proves the body is the one signed."""
    now = now or datetime.now(UTC)
    headers = request.headers
    key_id = _key_id_of(headers)
    partner_key = PartnerKey.objects.select_related("partner").filter(key_id=key_id).first()
    if partner_key is None:
        raise Unverified(
            "unknown_key",
            f"No partner hotline is registered with key {key_id}.",
            claimed_key_id=key_id,
        )
    if partner_key.revoked_at is not None:
        raise Unverified(
            "revoked_key",
            f"Key {key_id} was revoked on {partner_key.revoked_at:%Y-%m-%d}.",
            claimed_key_id=key_id,
        )
    if not partner_key.partner.active:
        raise Unverified(
            "partner_inactive",
            "This partner hotline is switched off here.",
            status=403,
            claimed_key_id=key_id,
        )
    try:
        public = keys.parse_public_key(partner_key.public_key)
    except ValidationError as exc:
        raise Unverified(
            "unknown_key", "The registered key cannot be read.", claimed_key_id=key_id
        ) from exc
    _check_date(headers.get("Date", ""), "Date", now=now, key_id=key_id)

    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public=public)
    )
    verifier.max_clock_skew = max_skew()
    message = SimpleNamespace(
        method=request.method, url=request.build_absolute_uri(), headers=headers
    )
    try:
        results = verifier.verify(
            message,
            max_age=max_skew(),
            expect_tag=TAG,
            require_components=REQUIRED_COMPONENTS,
        )
        if body is not None:
            verifier.verify_body(message, results, body)
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        detail = str(exc)
        code = "stale" if ("age exceeds" in detail or "future" in detail) else "bad_signature"
        raise Unverified(
            code, f"The signature does not verify: {detail}", claimed_key_id=key_id
        ) from exc
    nonce = results[0].parameters.get("nonce") or ""
    if not nonce:
        raise Unverified(
            "signature_malformed", "The signature has no nonce.", claimed_key_id=key_id
        )
    return Verified(
        partner_key=partner_key, message_id=headers.get(MESSAGE_ID_HEADER, ""), nonce=str(nonce)
    )


def check_body(request: HttpRequest, body: bytes) -> None:
    """The body matches the signed Content-Digest, or raise Unverified: someone between
    the partner and us changed it, so the partner did not send this."""
    headers = request.headers
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=None)
    try:
        verifier.content_digest_class.verify(headers.get("Content-Digest", ""), body)
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise Unverified(
            "bad_signature",
            f"The signature does not verify: {exc}",
            claimed_key_id=claimed_key_id(headers),
        ) from exc


def _check_date(value: str, name: str, *, now: datetime, key_id: str = "") -> None:
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise Unverified(
            "stale", f"The {name} header is missing or unreadable.", claimed_key_id=key_id
        ) from exc
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs(now - sent) > max_skew():
        raise Unverified(
            "stale",
            f"{name} {value} is more than {max_skew().seconds} s from this hotline's clock.",
            claimed_key_id=key_id,
        )


# --- the acknowledgement (protocol version 2) ------------------------------------------


def sign_response(
    response: HttpResponse,
    *,
    message_id: str,
    private_key: Ed25519PrivateKey,
    now: datetime | None = None,
) -> HttpResponse:
    """Sign an answer from the inbox: its status, Content-Type, Puente-Date, the message
    id it answers and the Content-Digest of its body."""
    now = now or datetime.now(UTC)
    response[ACK_DATE_HEADER] = format_datetime(now, usegmt=True)
    response[MESSAGE_ID_HEADER] = message_id
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(private=private_key)
    )
    signer.sign(
        response,
        key_id=keys.public_info(private_key).key_id,
        created=now,
        nonce=secrets.token_hex(16),
        label=LABEL,
        tag=ACK_TAG,
        covered_component_ids=ACK_COVERED_COMPONENTS,
        body=response.content,
    )
    return response


class NotAcknowledged(Exception):
    """An answer that does not prove the partner received the message. The message stays
    queued and is tried again; `str(exc)` says why, for the partner's page."""


def verify_acknowledgement(
    response: requests.Response,
    *,
    partner: PartnerHotline,
    message_id: str,
    now: datetime | None = None,
) -> str:
    """Return the key id that signed this answer, if it is one of `partner`'s registered,
    unrevoked keys, fresh, covering the status, message id and body; else raise
    NotAcknowledged."""
    now = now or datetime.now(UTC)
    headers = response.headers
    if not headers.get("Signature-Input") or not headers.get("Signature"):
        raise NotAcknowledged(
            f"HTTP {response.status_code} answer is not signed (the partner must run protocol "
            "version 2, or something else answered at its address)"
        )
    try:
        key_id = _key_id_of(headers)
    except Refused as exc:
        raise NotAcknowledged(f"HTTP {response.status_code} answer: {exc.detail}") from exc
    registered = {
        key.key_id: key
        for key in PartnerKey.objects.filter(partner=partner, revoked_at__isnull=True)
    }
    if key_id not in registered:
        raise NotAcknowledged(
            f"HTTP {response.status_code} answer signed by key {key_id}, which is not a "
            f"registered key of {partner.name}"
        )
    try:
        public = keys.parse_public_key(registered[key_id].public_key)
        _check_date(headers.get(ACK_DATE_HEADER, ""), ACK_DATE_HEADER, now=now)
        verifier = HTTPMessageVerifier(
            signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public=public)
        )
        verifier.max_clock_skew = max_skew()
        verifier.verify(
            response,
            max_age=max_skew(),
            expect_tag=ACK_TAG,
            require_components=ACK_REQUIRED_COMPONENTS,
            body=response.content,
        )
    except Refused as exc:
        raise NotAcknowledged(f"HTTP {response.status_code} answer: {exc.detail}") from exc
    except (ValidationError, InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise NotAcknowledged(
            f"HTTP {response.status_code} answer's signature does not verify: {exc}"
        ) from exc
    answered = headers.get(MESSAGE_ID_HEADER, "")
    if answered != message_id:
        raise NotAcknowledged(
            f"HTTP {response.status_code} answer is for message {answered or '(none)'}, "
            f"not {message_id}"
        )
    return key_id
