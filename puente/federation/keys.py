"""This deployment's Ed25519 signing key, and partners' public keys.

The private key never lives in the database: it comes from PUENTE_SIGNING_KEY (PEM) or
the file named by PUENTE_SIGNING_KEY_FILE, so a database backup cannot impersonate the
hotline. A key's id is derived from its public half, so both sides compute the same id
and nothing has to be kept in step by hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str
    public_key: str  # base64 of the 32 raw bytes

    def as_registration(self) -> dict:
        return {"key_id": self.key_id, "public_key": self.public_key, "algorithm": "ed25519"}


def generate_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def write_private_key(path: Path, pem: bytes) -> None:
    """Create the file readable by its owner only, before any byte of the key is in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_private_key(pem: bytes | str) -> Ed25519PrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"The signing key is not a PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The signing key must be an Ed25519 key (`puente keys new`).")
    return key


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def key_id_for(public_key: Ed25519PublicKey) -> str:
    return "ed25519-" + hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:20]


def public_info(private_key: Ed25519PrivateKey) -> PublicKeyInfo:
    public = private_key.public_key()
    return PublicKeyInfo(
        key_id=key_id_for(public), public_key=base64.b64encode(raw_public_bytes(public)).decode()
    )


def signing_key() -> Ed25519PrivateKey | None:
    """The configured key, or None when this deployment has none (it then sends
    nothing; `puente serve` and the worker say so)."""
    pem = getattr(settings, "PUENTE_SIGNING_KEY", "")
    if not pem:
        return None
    return load_private_key(pem)


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A partner's key as they gave it: base64 of the raw 32 bytes (what `puente keys
    show` prints) or a PEM block."""
    text = (text or "").strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as exc:
            raise ValidationError(_("This PEM block is not a public key.")) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ValidationError(_("Only Ed25519 keys are accepted."))
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The key is neither base64 nor a PEM block.")) from exc
    if len(raw) != 32:
        raise ValidationError(
            _("An Ed25519 public key is 32 bytes; this one is %(n)d.") % {"n": len(raw)}
        )
    return Ed25519PublicKey.from_public_bytes(raw)
