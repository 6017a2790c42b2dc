"""Twilio, with its official library: X-Twilio-Signature checked by `RequestValidator`,
replies written with `VoiceResponse` / `MessagingResponse`, messages sent with
`twilio.rest.Client` (its API address configurable, so tests point it at a stand-in)."""

from __future__ import annotations

from django.http import HttpRequest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from puente.channels.providers.base import (
    CallUpdate,
    InboundCall,
    InboundMessage,
    LanguageChoice,
    MessageUpdate,
    OutgoingMessage,
    ProviderError,
    SpokenLine,
)
from puente.core import choices as c

WHATSAPP_PREFIX = "whatsapp:"
# Twilio answers these when it is down or asks us to slow down: try again later.
TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504}
# What Twilio puts in From when the caller withheld their number (its documented
# placeholders for anonymous, restricted, blocked and unknown caller IDs): no number.
WITHHELD_CALLER_IDS = frozenset(
    {
        "+266696687",
        "+7378742833",
        "+2562533",
        "+8656696",
        "anonymous",
        "restricted",
        "blocked",
        "unknown",
        "private",
    }
)


def split_address(address: str) -> tuple[str, str]:
    """("whatsapp", "+52…") for "whatsapp:+52…"; ("sms", "+1…") for a plain number."""
    address = address.strip()
    if address.lower().startswith(WHATSAPP_PREFIX):
        return c.Channel.WHATSAPP.value, address[len(WHATSAPP_PREFIX) :].strip()
    return c.Channel.SMS.value, address


def provider_address(channel: str, address: str) -> str:
    return f"{WHATSAPP_PREFIX}{address}" if channel == c.Channel.WHATSAPP else address


def _count(text: str) -> int:
    try:
        return max(0, int(text))
    except (TypeError, ValueError):
        return 0


class TwilioProvider:
    name = "twilio"
    reply_content_type = "text/xml; charset=utf-8"

    def __init__(self, *, account_sid: str, auth_token: str, api_url: str, timeout: int) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    # --- inbound ---------------------------------------------------------------------

    def is_authentic(self, request: HttpRequest, *, url: str) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.auth_token:
            return False
        # Twilio signs the URL it called and every POST parameter (RequestValidator sorts
        # them); a QueryDict keeps repeated parameters, as Twilio signs them.
        return RequestValidator(self.auth_token).validate(url, request.POST, signature)

    def parse_call(self, request: HttpRequest) -> InboundCall:
        data = request.POST
        caller = data.get("From", "").strip()
        return InboundCall(
            call_sid=data.get("CallSid", "").strip(),
            from_number="" if caller.lower() in WITHHELD_CALLER_IDS else caller,
            to_number=data.get("To", "").strip(),
            status=data.get("CallStatus", "").strip(),
        )

    def parse_call_update(self, request: HttpRequest) -> CallUpdate:
        data = request.POST
        raw = data.get("CallDuration", "")
        return CallUpdate(
            call_sid=data.get("CallSid", "").strip(),
            status=data.get("CallStatus", "").strip(),
            duration_seconds=_count(raw) if raw != "" else None,
        )

    def parse_message(self, request: HttpRequest) -> InboundMessage:
        data = request.POST
        channel, sender = split_address(data.get("From", ""))
        _channel, hotline = split_address(data.get("To", ""))
        return InboundMessage(
            message_sid=(data.get("MessageSid") or data.get("SmsSid") or "").strip(),
            channel=channel,
            from_address=sender,
            to_address=hotline,
            body=data.get("Body", ""),
            media_count=_count(data.get("NumMedia", "0")),
        )

    def parse_message_update(self, request: HttpRequest) -> MessageUpdate:
        data = request.POST
        return MessageUpdate(
            message_sid=(data.get("MessageSid") or data.get("SmsSid") or "").strip(),
            status=(data.get("MessageStatus") or data.get("SmsStatus") or "").strip(),
            error_code=data.get("ErrorCode", "").strip(),
        )

    def parse_digits(self, request: HttpRequest) -> str:
        return request.POST.get("Digits", "").strip()

    # --- replies ---------------------------------------------------------------------

    def greet_call(
        self, *, lines: list[SpokenLine], choices: list[LanguageChoice], action_url: str
    ) -> str:
        response = VoiceResponse()
        gather = response.gather(
            num_digits=1, action=action_url, method="POST", timeout=5, action_on_empty_result=True
        )
        for line in lines:
            gather.say(line.text, language=line.language)
        # No key pressed: Gather posts an empty result to the action (the first language).
        return str(response)

    def queue_call(self, *, lines: list[SpokenLine], queue: str) -> str:
        response = VoiceResponse()
        for line in lines:
            response.say(line.text, language=line.language)
        response.enqueue(queue)
        return str(response)

    def reply_to_message(self, *, body: str) -> str:
        response = MessagingResponse()
        if body:
            response.message(body)
        return str(response)

    # --- outbound --------------------------------------------------------------------

    def client(self) -> Client:
        client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=self.timeout),
        )
        # The REST API's address: Twilio's own unless configured (a stand-in in tests).
        client.api.base_url = self.api_url
        return client

    def send_message(self, message: OutgoingMessage) -> str:
        arguments = {
            "to": provider_address(message.channel, message.to_address),
            "from_": provider_address(message.channel, message.from_address),
            "body": message.body,
        }
        if message.status_callback:
            arguments["status_callback"] = message.status_callback
        try:
            sent = self.client().messages.create(**arguments)
        except TwilioRestException as exc:
            raise ProviderError(
                f"HTTP {exc.status}: {exc.msg}"[:500],
                transient=exc.status in TRANSIENT_STATUSES,
                code=str(exc.code or ""),
            ) from exc
        except (TwilioException, OSError) as exc:
            # Connection refused, timed out, DNS: the provider is unreachable.
            raise ProviderError(f"{type(exc).__name__}: {exc}"[:500], transient=True) from exc
        return str(sent.sid)
