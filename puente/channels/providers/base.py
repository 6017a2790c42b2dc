"""What Puente needs from a telephony and messaging provider, in its own words.

The webhooks and the sender speak only to this interface; `twilio.py` implements it with
the official `twilio` package. Another provider (Vonage, Plivo, a national carrier's
gateway) is one more class with these methods, chosen by PUENTE_CHANNEL_PROVIDER.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.http import HttpRequest


class ProviderError(Exception):
    """A message the provider did not take. `transient`: worth trying again later (the
    provider is down or busy); otherwise the message itself was refused (an opted-out or
    invalid number) and `code` says why in the provider's terms."""

    def __init__(self, detail: str, *, transient: bool, code: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.transient = transient
        self.code = code


@dataclass(frozen=True)
class InboundCall:
    call_sid: str
    from_number: str  # as the provider gave it (E.164 for a real caller)
    to_number: str
    status: str


@dataclass(frozen=True)
class CallUpdate:
    call_sid: str
    status: str  # queued, ringing, in-progress, completed, busy, no-answer, canceled, failed
    duration_seconds: int | None


@dataclass(frozen=True)
class InboundMessage:
    message_sid: str
    channel: str  # core.choices.Channel: sms or whatsapp
    from_address: str  # without the channel prefix ("whatsapp:")
    to_address: str
    body: str
    media_count: int


@dataclass(frozen=True)
class MessageUpdate:
    message_sid: str
    status: str
    error_code: str


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    to_address: str
    from_address: str
    body: str
    status_callback: str  # where the provider reports delivery ("" for none)


@dataclass(frozen=True)
class SpokenLine:
    text: str
    language: str  # BCP 47, as text-to-speech voices are chosen ("en-US", "es-MX")


@dataclass(frozen=True)
class LanguageChoice:
    digit: str
    language: str  # core.choices.Language code (eng, spa)


class ChannelProvider(Protocol):
    name: str
    # The media type of the reply documents below (TwiML is XML).
    reply_content_type: str

    def is_authentic(self, request: HttpRequest, *, url: str) -> bool:
        """Whether `request` was signed by the provider for `url` (the public address
        the provider called)."""
        ...

    def parse_call(self, request: HttpRequest) -> InboundCall: ...

    def parse_call_update(self, request: HttpRequest) -> CallUpdate: ...

    def parse_message(self, request: HttpRequest) -> InboundMessage: ...

    def parse_message_update(self, request: HttpRequest) -> MessageUpdate: ...

    def parse_digits(self, request: HttpRequest) -> str: ...

    def greet_call(
        self, *, lines: list[SpokenLine], choices: list[LanguageChoice], action_url: str
    ) -> str:
        """The answer to a ringing call: say `lines`, wait for one digit, post it (or
        nothing, after a pause) to `action_url`."""
        ...

    def queue_call(self, *, lines: list[SpokenLine], queue: str) -> str:
        """Say `lines`, then hold the caller in the advocates' queue."""
        ...

    def reply_to_message(self, *, body: str) -> str:
        """The answer to an inbound message: `body` sent back at once, or nothing ("")."""
        ...

    def send_message(self, message: OutgoingMessage) -> str:
        """Send one message; returns the provider's id for it. Raises ProviderError."""
        ...
