"""The public site: where to reach the hotline, what trafficking looks like, what happens
when you do, the anonymous tip form and the web chat.

Pages are plain, light and work without JavaScript (the chat aside). They set no cookie
unless the visitor chooses a language or starts a chat: no CSRF cookie either, so the
two forms that post (the tip, the chat) check instead that the request came from this
site (Origin), and the chat's cookie is SameSite=Strict.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from puente.channels import chat
from puente.channels.live import CHAT_COOKIE, CHAT_STREAM_PATH
from puente.core import choices as c
from puente.core.http import client_address
from puente.core.phones import format_phone
from puente.public.domain import Tip, over_limit, submit_tip

# A tip larger than this is refused before it is read (the account is capped far lower).
MAX_TIP_BYTES = 64 * 1024
MAX_CHAT_BYTES = 8 * 1024


def _language() -> str:
    return c.Language.SPANISH if translation.get_language() == "es" else c.Language.ENGLISH


def _tel(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


def _shown(number: str) -> str:
    return format_phone(number) if number.startswith("+") else number


def hotlines() -> list[dict[str, Any]]:
    """This hotline's ways in, then the partner country's line, from configuration."""
    own: dict[str, Any] = {
        "name": settings.PUENTE_HOTLINE_NAME,
        "country": settings.PUENTE_COUNTRY,
        "phone": settings.PUENTE_HOTLINE_PHONE,
        "sms": settings.PUENTE_HOTLINE_SMS,
        "whatsapp": settings.PUENTE_HOTLINE_WHATSAPP,
        "chat": True,
    }
    other: dict[str, Any] = {
        "name": settings.PUENTE_OTHER_HOTLINE_NAME,
        "country": "MX" if settings.PUENTE_COUNTRY == "US" else "US",
        "phone": settings.PUENTE_OTHER_HOTLINE_PHONE,
        "sms": settings.PUENTE_OTHER_HOTLINE_SMS,
        "whatsapp": "",
        "chat": False,
    }
    lines = []
    for line in (own, other):
        if not line["phone"] and not line["sms"]:
            continue
        line["phone_shown"] = _shown(line["phone"]) if line["phone"] else ""
        line["phone_tel"] = _tel(line["phone"])
        line["sms_shown"] = _shown(line["sms"]) if line["sms"] else ""
        line["sms_tel"] = _tel(line["sms"])
        line["whatsapp_link"] = _tel(line["whatsapp"]).lstrip("+") if line["whatsapp"] else ""
        line["whatsapp_shown"] = _shown(line["whatsapp"]) if line["whatsapp"] else ""
        lines.append(line)
    return lines


def _page(request, template: str, context: dict | None = None, **kwargs) -> HttpResponse:
    response = render(
        request,
        template,
        {
            "quick_exit_url": settings.PUENTE_QUICK_EXIT_URL,
            "hotline_name": settings.PUENTE_HOTLINE_NAME,
            "hotlines": hotlines(),
            **(context or {}),
        },
        **kwargs,
    )
    # Nothing a visitor reads here should be kept by a shared computer's browser.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _same_site(request) -> bool:
    """A post from a page of this site (browsers send Origin with every POST)."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None and fetched_from not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # an old browser or a non-browser client; the cookie is Strict
    if origin == "null":
        # Our pages send no referrer (Referrer-Policy: no-referrer), so a browser posts
        # their forms with "Origin: null"; its Fetch Metadata above said where from.
        return fetched_from is not None
    return urlsplit(origin).netloc == request.get_host()


@require_GET
def home(request) -> HttpResponse:
    return _page(request, "public/home.html")


@require_GET
def trafficking(request) -> HttpResponse:
    return _page(request, "public/trafficking.html")


@require_GET
def reaching_out(request) -> HttpResponse:
    return _page(request, "public/reaching_out.html")


@csrf_exempt
def tip(request) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "public/tip.html", {"values": {}})
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_TIP_BYTES:
        return _page(
            request,
            "public/tip.html",
            {
                "refusal": _("Your message is too long to send. Please shorten it and try again."),
                "values": {},
            },
            status=413,
        )
    if not _same_site(request):
        return HttpResponse(status=403)
    values = {k: request.POST.get(k, "") for k in ("account", "reach_me", "phone")}
    if request.POST.get("website"):
        # The honeypot: a field people never see, that bots fill. Thanked, not stored.
        return _page(request, "public/tip_sent.html")
    if over_limit(
        scope="tip",
        who=client_address(request) or "",
        limit=settings.PUENTE_TIP_RATE_PER_HOUR,
        window_seconds=3600,
    ):
        return _page(
            request,
            "public/tip.html",
            {
                "refusal": _(
                    "Too many messages have been sent from this connection. Please try again "
                    "in an hour, or call or text the hotline."
                ),
                "values": values,
            },
            status=429,
        )
    try:
        submit_tip(
            tip=Tip(
                account=values["account"],
                reach_me=values["reach_me"],
                phone=values["phone"],
                language=_language(),
            )
        )
    except ValidationError as exc:
        return _page(
            request,
            "public/tip.html",
            {"errors": exc.message_dict, "values": values},
            status=400,
        )
    return _page(request, "public/tip_sent.html")


@require_GET
def language(request) -> HttpResponse:
    """Switch the public site's language (a link: works without JavaScript); the choice
    is the only cookie a visitor gets for it."""
    code = request.GET.get("to", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


# --- Web chat --------------------------------------------------------------------------


@require_GET
def chat_page(request) -> HttpResponse:
    return _page(
        request,
        "public/chat.html",
        {
            "stream_url": CHAT_STREAM_PATH,
            "chatting": bool(request.COOKIES.get(CHAT_COOKIE)),
        },
    )


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _chat_refusal(request) -> JsonResponse | None:
    if not _same_site(request):
        return _json({"error": "origin"}, status=403)
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_CHAT_BYTES:
            return _json({"error": _("This message is too long.")}, status=413)
    except ValueError:
        pass
    return None


@csrf_exempt
@require_POST
def chat_start(request) -> JsonResponse:
    refused = _chat_refusal(request)
    if refused:
        return refused
    token = request.COOKIES.get(CHAT_COOKIE) or ""
    if token and chat.open_chat(token=token) is None:
        token = ""  # an ended chat: a new one
    if not token:
        if over_limit(
            scope="chat-start",
            who=client_address(request) or "",
            limit=settings.PUENTE_TIP_RATE_PER_HOUR * 4,
            window_seconds=3600,
        ):
            return _json(
                {"error": _("Too many chats from this connection. Please call or text.")}, 429
            )
        token = chat.new_chat_token()
    chat.start_chat(token=token, language=_language())
    response = _json({"started": True})
    response.set_cookie(
        CHAT_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )
    return response


def _visitor_chat(request):
    token = request.COOKIES.get(CHAT_COOKIE) or ""
    if not token:
        return None
    return chat.open_chat(token=token)


@require_GET
def chat_messages(request) -> JsonResponse:
    thread = _visitor_chat(request)
    if thread is None:
        return _json({"state": "none", "messages": []})
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        after = 0
    return _json(
        {
            "state": thread.state,
            "joined": thread.claimed_by_id is not None,
            "messages": [
                {
                    "id": m.pk,
                    "mine": m.direction == c.Direction.INBOUND,
                    "body": m.body,
                }
                for m in chat.visitor_transcript(thread=thread, after=after)
            ],
        }
    )


@csrf_exempt
@require_POST
def chat_send(request) -> JsonResponse:
    refused = _chat_refusal(request)
    if refused:
        return refused
    thread = _visitor_chat(request)
    if thread is None:
        return _json({"error": _("This chat has ended.")}, status=410)
    if over_limit(
        scope="chat",
        who=thread.address,
        limit=settings.PUENTE_CHAT_RATE_PER_MINUTE,
        window_seconds=60,
    ):
        return _json({"error": _("Please wait a moment before sending more.")}, status=429)
    try:
        message = chat.post_visitor_message(
            thread=thread,
            client_id=request.POST.get("client_id", ""),
            body=request.POST.get("body", ""),
        )
    except ValidationError as exc:
        return _json({"error": " ".join(exc.messages)}, status=400)
    return _json({"id": message.pk})


@csrf_exempt
@require_POST
def chat_end(request) -> JsonResponse:
    refused = _chat_refusal(request)
    if refused:
        return refused
    thread = _visitor_chat(request)
    if thread is not None:
        chat.end_chat_by_visitor(thread=thread)
    response = _json({"ended": True})
    response.delete_cookie(CHAT_COOKIE, path="/", samesite="Strict")
    return response
