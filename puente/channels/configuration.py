"""The channels' part of `puente serve`'s refusal to run an unsafe configuration
(registered with `core.checks.add_configuration_check`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# Twilio's auth tokens are 32 hexadecimal characters.
MIN_TOKEN_LENGTH = 32
MIN_EMAIL_SECRET_LENGTH = 32


def channel_configuration_reasons(settings: Any) -> list[str]:
    reasons: list[str] = []
    provider = getattr(settings, "PUENTE_CHANNEL_PROVIDER", "none")
    if provider == "twilio":
        token = getattr(settings, "TWILIO_AUTH_TOKEN", "") or ""
        if len(token) < MIN_TOKEN_LENGTH:
            reasons.append(
                "TWILIO_AUTH_TOKEN is missing or too short: webhooks could not be checked "
                "and forged calls or texts would be refused one and all. Set "
                "TWILIO_AUTH_TOKEN_FILE to the account's auth token."
            )
        if not (getattr(settings, "TWILIO_ACCOUNT_SID", "") or "").startswith("AC"):
            reasons.append("TWILIO_ACCOUNT_SID is missing (it begins with AC).")
        public = getattr(settings, "PUENTE_PUBLIC_URL", "") or ""
        if public and urlsplit(public).scheme != "https":
            reasons.append(
                f"PUENTE_PUBLIC_URL={public} is not https: the provider would send callers' "
                "numbers and messages in clear. Use the https:// address."
            )
        api = getattr(settings, "TWILIO_API_URL", "") or ""
        if urlsplit(api).scheme != "https":
            reasons.append(f"TWILIO_API_URL={api} is not https: use https://api.twilio.com.")
    secret = getattr(settings, "PUENTE_INBOUND_EMAIL_SECRET", "") or ""
    if secret and len(secret) < MIN_EMAIL_SECRET_LENGTH:
        reasons.append(
            f"PUENTE_INBOUND_EMAIL_SECRET is too short ({len(secret)} characters; at least "
            f"{MIN_EMAIL_SECRET_LENGTH})."
        )
    if getattr(settings, "PUENTE_IMAP_HOST", "") and not getattr(settings, "PUENTE_IMAP_SSL", True):
        reasons.append(
            "PUENTE_IMAP_SSL is false: the mailbox password and every e-mail would cross the "
            "network in clear. Set PUENTE_IMAP_SSL=true."
        )
    return reasons
