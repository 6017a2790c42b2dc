"""HTTP Message Signatures (RFC 9421) between partner hotlines.

Every request is signed with Ed25519 over its method, path, Date, Content-Type, the
Content-Digest of its body (RFC 9530, sha-256) and its Puente-Message-Id, with the
signature parameters `created`, `keyid`, `alg`, a random `nonce` and the tag
`puente-exchange`. The receiver refuses:

- a key it does not know, or one it has revoked, or a partner it has switched off;
- a signature that does not verify (a changed header or body);
- a Date or `created` more than PUENTE_EXCHANGE_MAX_SKEW_SECONDS from its clock;
- a nonce it has already accepted (the same signed request sent twice).

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
from django.http import HttpRequest
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
        raise Refused("signature_missing", "The request carries no Signature-Input header.")
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
        raise Refused(
            "signature_malformed", f"Signature-Input has no '{LABEL}' signature with a keyid."
        ) from exc


def verify_request(request: HttpRequest, *, now: datetime | None = None) -> Verified:
    """Check a Django request from a partner; return who signed it, or raise Refused."""
    now = now or datetime.now(UTC)
    headers = request.headers
    key_id = _key_id_of(headers)
    partner_key = PartnerKey.objects.select_related("partner").filter(key_id=key_id).first()
    if partner_key is None:
        raise Refused("unknown_key", f"No partner hotline is registered with key {key_id}.")
    if partner_key.revoked_at is not None:
        raise Refused(
            "revoked_key",
            f"Key {key_id} was revoked on {partner_key.revoked_at:%Y-%m-%d}.",
            partner=partner_key.partner,
        )
    if not partner_key.partner.active:
        raise Refused(
            "partner_inactive",
            "This partner hotline is switched off here.",
            status=403,
            partner=partner_key.partner,
        )
    try:
        public = keys.parse_public_key(partner_key.public_key)
    except ValidationError as exc:
        raise Refused("unknown_key", "The registered key cannot be read.") from exc

    date_header = headers.get("Date", "")
    try:
        sent = parsedate_to_datetime(date_header)
    except (TypeError, ValueError) as exc:
        raise Refused(
            "stale", "The Date header is missing or unreadable.", partner=partner_key.partner
        ) from exc
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs(now - sent) > max_skew():
        raise Refused(
            "stale",
            f"Date {date_header} is more than {max_skew().seconds} s from this hotline's clock.",
            partner=partner_key.partner,
        )

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
            body=request.body,
        )
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        detail = str(exc)
        code = "stale" if ("age exceeds" in detail or "future" in detail) else "bad_signature"
        raise Refused(
            code, f"The signature does not verify: {detail}", partner=partner_key.partner
        ) from exc
    nonce = results[0].parameters.get("nonce") or ""
    if not nonce:
        raise Refused(
            "signature_malformed", "The signature has no nonce.", partner=partner_key.partner
        )
    return Verified(
        partner_key=partner_key, message_id=headers.get(MESSAGE_ID_HEADER, ""), nonce=str(nonce)
    )
