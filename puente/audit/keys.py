"""The audit trail's keys: HMAC-SHA-256 keys from the environment, never the database.

`PUENTE_AUDIT_KEY` (or `PUENTE_AUDIT_KEY_FILE`) signs new entries. After a rotation the
previous keys stay in `PUENTE_AUDIT_OLD_KEYS` (`_FILE`: one per line) so `puente audit
verify` can still prove the entries they signed. Each entry records the short id of its
key, derived from the key itself, so no table maps ids to keys.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32
# HMAC's block size for SHA-256 (RFC 2104): keys are padded (or first hashed) to it.
_BLOCK = 64


@dataclass(frozen=True)
class AuditKey:
    secret: bytes

    @property
    def id(self) -> str:
        return _key_id(self.secret)

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()

    def pads(self) -> tuple[bytes, bytes]:
        """(key XOR opad, key XOR ipad): HMAC as two plain SHA-256 calls,
        sha256(opad_key || sha256(ipad_key || message)), which PostgreSQL's core sha256()
        can compute inside the append statement."""
        key = hashlib.sha256(self.secret).digest() if len(self.secret) > _BLOCK else self.secret
        key = key.ljust(_BLOCK, b"\0")
        return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x36 for b in key)


@lru_cache(maxsize=32)
def _key_id(secret: bytes) -> str:
    return hmac.new(secret, b"puente audit key id", hashlib.sha256).hexdigest()[:12]


def key_from_text(text: str, *, name: str = "PUENTE_AUDIT_KEY") -> AuditKey:
    text = text.strip()
    if len(text) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"{name} is too short ({len(text)} characters; at least {MIN_KEY_LENGTH} random "
            "characters). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return AuditKey(text.encode())


def signing_key() -> AuditKey:
    """The key new entries are signed with. Refuses loudly when none is configured: an
    entry that nobody could verify later is worse than a request that fails now."""
    text = getattr(settings, "PUENTE_AUDIT_KEY", "") or ""
    if not text:
        raise ImproperlyConfigured(
            "PUENTE_AUDIT_KEY is not set: the audit trail cannot be signed. Set "
            "PUENTE_AUDIT_KEY or PUENTE_AUDIT_KEY_FILE (see .env.example)."
        )
    return key_from_text(text)


def known_keys() -> dict[str, AuditKey]:
    """Every key `verify` may meet, by id: the current one and the retired ones."""
    texts = list(getattr(settings, "PUENTE_AUDIT_OLD_KEYS", []) or [])
    current = getattr(settings, "PUENTE_AUDIT_KEY", "") or ""
    if current:
        texts.append(current)
    keys = [key_from_text(text, name="PUENTE_AUDIT_OLD_KEYS") for text in texts]
    return {key.id: key for key in keys}


def pseudonym(kind: str, value: str, *, key: AuditKey | None = None) -> str:
    """A stable stand-in for a personal value (a phone number) in the parts of an entry
    that are chained and never purged (`object_ref`): the same number gives the same
    pseudonym, so a reviewer can still find every lookup of it, but the trail itself
    holds no number. The value itself goes into the entry's purgeable content."""
    key = key or signing_key()
    return f"{kind}:" + key.mac(f"pseudonym:{kind}:{value}")[:24]


def pseudonyms(kind: str, value: str) -> list[str]:
    """The pseudonyms `value` has had under every known key (before and after rotations)."""
    return [pseudonym(kind, value, key=key) for key in known_keys().values()]
