"""`puente simulate`: the telephone network, on this machine. Builds the webhooks Twilio
would send for a call, a text or a WhatsApp message, signs them with the configured auth
token exactly as Twilio does (`RequestValidator.compute_signature` over the URL and the
parameters), and posts them to a running Puente, so the whole flow — screen-pop, thread,
automatic answers — can be shown without a phone line."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from twilio.request_validator import RequestValidator

from puente.channels.providers.twilio import provider_address
from puente.core import choices as c

API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class Sent:
    url: str
    params: dict[str, str]
    status: int
    body: str


def new_sid(prefix: str) -> str:
    """A provider id shaped like Twilio's: two letters and 32 hexadecimal digits."""
    return prefix + secrets.token_hex(16)


def signed_post(*, url: str, params: dict[str, str], token: str, timeout: float = 10) -> Sent:
    signature = RequestValidator(token).compute_signature(url, params)
    response = requests.post(
        url,
        data=params,
        headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1 (simulate)"},
        timeout=timeout,
        allow_redirects=False,
    )
    return Sent(url=url, params=params, status=response.status_code, body=response.text)


def call_params(*, caller: str, to: str, call_sid: str | None = None) -> dict[str, str]:
    return {
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid or new_sid("CA"),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": to,
    }


def message_params(*, channel: str, sender: str, to: str, body: str) -> dict[str, str]:
    sid = new_sid("SM")
    return {
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": API_VERSION,
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "SmsStatus": "received",
        "From": provider_address(channel, sender),
        "To": provider_address(channel, to),
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }


def hotline_address(channel: str) -> str:
    if channel == c.Channel.WHATSAPP:
        return settings.PUENTE_HOTLINE_WHATSAPP or settings.PUENTE_HOTLINE_SMS
    if channel == c.Channel.SMS:
        return settings.PUENTE_HOTLINE_SMS
    return settings.PUENTE_HOTLINE_PHONE


def simulate_call(*, base_url: str, caller: str, token: str, to: str = "") -> Sent:
    url = f"{base_url.rstrip('/')}/channels/twilio/voice/"
    return signed_post(
        url=url, params=call_params(caller=caller, to=to or hotline_address("phone")), token=token
    )


def simulate_call_end(*, base_url: str, call_sid: str, duration: int, token: str) -> Sent:
    url = f"{base_url.rstrip('/')}/channels/twilio/voice/status/"
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": "completed",
        "CallDuration": str(duration),
    }
    return signed_post(url=url, params=params, token=token)


def simulate_message(
    *, base_url: str, channel: str, sender: str, body: str, token: str, to: str = ""
) -> Sent:
    url = f"{base_url.rstrip('/')}/channels/twilio/messaging/"
    params = message_params(
        channel=channel, sender=sender, to=to or hotline_address(channel), body=body
    )
    return signed_post(url=url, params=params, token=token)
