"""The doors the provider knocks on: inbound calls, messages, status callbacks, e-mail.

Each is CSRF-exempt (the provider has no session) and POST-only, and checks the
provider's signature first — X-Twilio-Signature over the public URL the provider called
and every parameter (`RequestValidator`), or the inbound-mail HMAC — before anything is
read or stored. A request that fails is answered 403, stores nothing, and is counted per
source address and hour (`refusals`), never one audit entry each.

The URL signed is the one the provider called: PUENTE_PUBLIC_URL + the path when set
(the way behind a reverse proxy, which rewrites the host and scheme), else the request's
own scheme and host (the scheme from X-Forwarded-Proto only with PUENTE_BEHIND_PROXY).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from puente.channels import domain
from puente.channels.providers import ChannelProvider, current_provider
from puente.channels.providers.base import LanguageChoice, SpokenLine
from puente.channels.refusals import count_refusal
from puente.core import choices as c
from puente.core.http import client_address

# How old a signed inbound-mail request may be (Mailgun's own advice: 15 minutes).
EMAIL_MAX_AGE_SECONDS = 15 * 60
# The voices' languages (BCP 47), as text-to-speech chooses them.
VOICE_LANGUAGE: dict[str, str] = {c.Language.ENGLISH: "en-US", c.Language.SPANISH: "es-MX"}


def called_url(request: HttpRequest) -> str:
    base = settings.PUENTE_PUBLIC_URL
    if base:
        return f"{base}{request.get_full_path()}"
    return request.build_absolute_uri()


def _refuse(request: HttpRequest, *, endpoint: str, reason: str) -> HttpResponse:
    count_refusal(
        source=client_address(request) or "unknown",
        endpoint=endpoint,
        reason=reason,
        now=timezone.now(),
        request=request,
    )
    return HttpResponseForbidden("Forbidden", content_type="text/plain")


def _verified_provider(request: HttpRequest, *, endpoint: str) -> ChannelProvider | HttpResponse:
    provider = current_provider()
    if provider is None:
        raise Http404("No channel provider is configured.")
    if not request.headers.get("X-Twilio-Signature"):
        return _refuse(request, endpoint=endpoint, reason="unsigned")
    if not provider.is_authentic(request, url=called_url(request)):
        return _refuse(request, endpoint=endpoint, reason="signature does not verify")
    return provider


def _document(provider: ChannelProvider, text: str) -> HttpResponse:
    return HttpResponse(text, content_type=provider.reply_content_type)


def _languages() -> list[str]:
    """The deployment's languages, its own first (it is pressed 1)."""
    if settings.LANGUAGE_CODE == "es":
        return [c.Language.SPANISH, c.Language.ENGLISH]
    return [c.Language.ENGLISH, c.Language.SPANISH]


def _ui(language: str) -> str:
    return "es" if language == c.Language.SPANISH else "en"


def greeting_lines() -> tuple[list[SpokenLine], list[LanguageChoice]]:
    lines: list[SpokenLine] = []
    choices: list[LanguageChoice] = []
    for digit, language in enumerate(_languages(), start=1):
        with translation.override(_ui(language)):
            lines.append(
                SpokenLine(
                    _("You have reached the %(hotline)s.")
                    % {"hotline": settings.PUENTE_HOTLINE_NAME},
                    VOICE_LANGUAGE[language],
                )
            )
            lines.append(
                SpokenLine(
                    _("To continue in English, press %(digit)s.") % {"digit": digit},
                    VOICE_LANGUAGE[language],
                )
            )
        choices.append(LanguageChoice(str(digit), language))
    return lines, choices


@csrf_exempt
@require_POST
def voice(request: HttpRequest) -> HttpResponse:
    """A call rings: a contact in the queue, a screen-pop, and the greeting."""
    provider = _verified_provider(request, endpoint="voice")
    if isinstance(provider, HttpResponse):
        return provider
    try:
        domain.receive_call(inbound=provider.parse_call(request), via=provider.name)
    except ValidationError:
        return HttpResponseBadRequest("CallSid is missing.", content_type="text/plain")
    lines, choices = greeting_lines()
    action = called_url(request).split("?")[0].rstrip("/") + "/language/"
    return _document(provider, provider.greet_call(lines=lines, choices=choices, action_url=action))


@csrf_exempt
@require_POST
def voice_language(request: HttpRequest) -> HttpResponse:
    """The caller pressed a key (or none): their language, then the advocates' queue."""
    provider = _verified_provider(request, endpoint="voice_language")
    if isinstance(provider, HttpResponse):
        return provider
    _lines, choices = greeting_lines()
    digits = provider.parse_digits(request)
    language = next((ch.language for ch in choices if ch.digit == digits), choices[0].language)
    domain.choose_call_language(
        call_sid=provider.parse_call(request).call_sid, language=language, via=provider.name
    )
    with translation.override(_ui(language)):
        line = SpokenLine(
            _(
                "Thank you. An advocate will answer shortly. If you are in immediate danger, "
                "hang up and call 911."
            ),
            VOICE_LANGUAGE[language],
        )
    return _document(provider, provider.queue_call(lines=[line], queue=settings.PUENTE_VOICE_QUEUE))


@csrf_exempt
@require_POST
def voice_status(request: HttpRequest) -> HttpResponse:
    """A call's status callback: a finished call closes its contact with its duration."""
    provider = _verified_provider(request, endpoint="voice_status")
    if isinstance(provider, HttpResponse):
        return provider
    domain.record_call_status(update=provider.parse_call_update(request), via=provider.name)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def messaging(request: HttpRequest) -> HttpResponse:
    """An SMS or WhatsApp message (`From: whatsapp:+52…`): into its thread, and the
    automatic answer to HELP, STOP or START."""
    provider = _verified_provider(request, endpoint="messaging")
    if isinstance(provider, HttpResponse):
        return provider
    try:
        received = domain.receive_message(
            inbound=provider.parse_message(request), via=provider.name
        )
    except ValidationError:
        return HttpResponseBadRequest("MessageSid is missing.", content_type="text/plain")
    return _document(provider, provider.reply_to_message(body=received.reply))


@csrf_exempt
@require_POST
def messaging_status(request: HttpRequest) -> HttpResponse:
    """A delivery report for a message we sent."""
    provider = _verified_provider(request, endpoint="messaging_status")
    if isinstance(provider, HttpResponse):
        return provider
    domain.record_message_status(update=provider.parse_message_update(request))
    return HttpResponse(status=204)


# --- E-mail: Mailgun's inbound routes (forward to a URL ending in "mime") ------------


def email_signature_ok(*, timestamp: str, token: str, signature: str, now: float) -> bool:
    """Mailgun's webhook signature: HMAC-SHA-256, keyed with the shared secret, of the
    timestamp and token concatenated; refused when older than 15 minutes."""
    secret = settings.PUENTE_INBOUND_EMAIL_SECRET
    if not (secret and timestamp and token and signature):
        return False
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return False
    if age > EMAIL_MAX_AGE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


@csrf_exempt
@require_POST
def email_inbound(request: HttpRequest) -> HttpResponse:
    if not settings.PUENTE_INBOUND_EMAIL_SECRET:
        raise Http404("Inbound e-mail is not configured.")
    try:
        data = request.POST
        files = request.FILES
    except RequestDataTooBig:
        return JsonResponse({"error": "too_large"}, status=413)
    if not email_signature_ok(
        timestamp=data.get("timestamp", ""),
        token=data.get("token", ""),
        signature=data.get("signature", ""),
        now=time.time(),
    ):
        return _refuse(request, endpoint="email", reason="signature does not verify")
    upload = files.get("body-mime")
    if upload is not None:
        raw = upload.read()
    else:
        raw = data.get("body-mime", "").encode("utf-8", "surrogateescape")
    if not raw:
        return JsonResponse({"error": "no_message", "detail": "body-mime is missing"}, status=400)
    received = domain.receive_email(raw=raw, source="webhook")
    return JsonResponse(
        {
            "status": "accepted" if received.new else "duplicate",
            "contact_id": received.email.contact_id,
            "attachments_kept": received.kept,
            "attachments_refused": received.refused,
        }
    )
