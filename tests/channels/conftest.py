"""Stand-ins for the outside world the channels talk to: the provider's REST API (a real
HTTP server on this machine that records every request), signed webhooks (signed with the
official `twilio` RequestValidator, as Twilio signs them), and captured live events."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from puente.channels import events

ACCOUNT_SID = "AC" + "1234567890abcdef" * 2
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
EMAIL_SECRET = "key-" + "9f" * 20
HOTLINE_SMS = "+18883737888"
HOTLINE_WHATSAPP = "+15559990000"


@pytest.fixture(autouse=True)
def channel_settings(settings, tmp_path):
    settings.PUENTE_CHANNEL_PROVIDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_API_URL = "https://api.twilio.com"
    settings.PUENTE_PUBLIC_URL = ""
    settings.PUENTE_HOTLINE_NAME = "National Human Trafficking Hotline"
    settings.PUENTE_HOTLINE_PHONE = "+18883737888"
    settings.PUENTE_HOTLINE_SMS = HOTLINE_SMS
    settings.PUENTE_HOTLINE_WHATSAPP = HOTLINE_WHATSAPP
    settings.PUENTE_EVENTS_BACKEND = "memory"
    settings.PUENTE_INBOUND_EMAIL_SECRET = EMAIL_SECRET
    settings.PUENTE_ATTACHMENT_DIR = tmp_path / "attachments"
    settings.PUENTE_EXCHANGE_BACKOFF_MS = 1000
    return settings


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_signed(
    path: str,
    params: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    signed_url: str | None = None,
    client: Client | None = None,
    **extra: str,
):
    """POST `params` to `path` as Twilio would, signed for `signed_url` (by default the
    address the test client calls: http://testserver + path)."""
    url = signed_url or f"http://testserver{path}"
    return (client or Client()).post(
        path, params, HTTP_X_TWILIO_SIGNATURE=sign(url, params, token), **extra
    )


def call_params(caller: str = "+17135550142", sid: str = "CA" + "a" * 32) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": "+18883737888",
    }


def sms_params(
    body: str, *, sender: str = "+17135550142", sid: str, whatsapp: bool = False
) -> dict[str, str]:
    prefix = "whatsapp:" if whatsapp else ""
    return {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid,
        "SmsSid": sid,
        "From": f"{prefix}{sender}",
        "To": f"{prefix}{HOTLINE_WHATSAPP if whatsapp else HOTLINE_SMS}",
        "Body": body,
        "NumMedia": "0",
    }


# --- the provider's REST API, on this machine ------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class StandIn:
    url: str
    requests: list[Received] = field(default_factory=list)
    # What to answer next, in order (status, JSON body); then 201 with a new sid.
    answers: list[tuple[int, dict]] = field(default_factory=list)
    sent: int = 0


def _handler(stand_in: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            stand_in.requests.append(
                Received("POST", self.path, dict(self.headers.items()), parse_qs(body))
            )
            if stand_in.answers:
                status, document = stand_in.answers.pop(0)
            else:
                stand_in.sent += 1
                status, document = (
                    201,
                    {
                        "sid": f"SM{stand_in.sent:032x}",
                        "status": "queued",
                        "account_sid": ACCOUNT_SID,
                    },
                )
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def provider_api(settings) -> Iterator[StandIn]:
    stand_in = StandIn(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_API_URL = stand_in.url
    yield stand_in
    server.shutdown()
    server.server_close()


# --- live events ----------------------------------------------------------------------


@pytest.fixture
def heard() -> Iterator[events.Subscription]:
    with events.subscribe() as subscription:
        yield subscription


def drain(subscription: events.Subscription) -> list[events.Event]:
    found = []
    while (event := subscription.get(timeout=0.05)) is not None:
        found.append(event)
    return found
