from __future__ import annotations

import time

from django.conf import settings
from django.utils import translation

# Strict CSP: no inline scripts or styles anywhere, every asset from our own origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Case data must never sit in a shared browser's or proxy's cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class UserLanguageMiddleware:
    """Honour the language a staff member chose in the interface (kept in a cookie, set
    by Django's set_language view) before LocaleMiddleware falls back to the browser's
    Accept-Language and then the hotline's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            request.META["HTTP_ACCEPT_LANGUAGE"] = chosen
        return self.get_response(request)


class ServerTimingMiddleware:
    """Reports how long Django took for each response (`Server-Timing: app;dur=12.3`), so
    benchmarks and browsers' developer tools can tell server time from network time. A
    duration reveals nothing about the data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        return response


class SessionActivityMiddleware:
    """The idle timeout without a database write on every request.

    A session lives SESSION_COOKIE_AGE (the idle window) from its last save. Saving it
    on every request (SESSION_SAVE_EVERY_REQUEST) would turn every phone lookup into a
    write; instead activity renews it at most once a minute, so an idle session still
    ends within the window, give or take that minute.
    """

    KEY = "_puente_active_at"
    RENEW_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.RENEW_AFTER_SECONDS:
                session[self.KEY] = now  # marks the session modified: saved, expiry renewed
        return self.get_response(request)
