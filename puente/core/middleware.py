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


def keeps_session_idle(view):
    """Mark a view whose requests are not the person's activity (the idle warning's
    check whether the session still lives): it never renews the session, so a page left
    open cannot keep itself signed in."""
    view.keeps_session_idle = True
    return view


class SessionActivityMiddleware:
    """The idle timeout without a database write on every request.

    A session lives SESSION_COOKIE_AGE (the idle window) from its last save. Saving it
    on every request (SESSION_SAVE_EVERY_REQUEST) would turn every phone lookup into a
    write; instead activity renews it at most once a minute (more often only for a window
    of a few minutes), so an idle session still ends within the window, give or take that.

    Renewing happens before the view (`process_view`), so only requests for a page or
    action count: a view marked `keeps_session_idle`, and any request sent with the
    `Puente-Background: 1` header (a background check, never the person), do not. Every
    response to a signed-in request says how many seconds the session has left
    (`Puente-Session-Expires-In`; the page itself as `request.session_expires_in`), for
    the warning that counts down before the timeout (core/static/puente/session.js).
    """

    KEY = "_puente_active_at"
    RENEW_AFTER_SECONDS = 60
    BACKGROUND_HEADER = "Puente-Background"
    EXPIRES_HEADER = "Puente-Session-Expires-In"

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def seconds_left(cls, session, *, now: int | None = None) -> int:
        now = int(time.time()) if now is None else now
        active_at = int(session.get(cls.KEY, 0)) or now
        return max(0, active_at + settings.SESSION_COOKIE_AGE - now)

    @classmethod
    def renew(cls, session) -> None:
        """The person is here: the session lives a whole idle window from now."""
        session[cls.KEY] = int(time.time())  # marks the session modified: saved, expiry renewed

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            response.headers[self.EXPIRES_HEADER] = str(self.seconds_left(session))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or not session.get("_auth_user_id"):
            return None
        background = request.headers.get(self.BACKGROUND_HEADER) == "1" or getattr(
            view_func, "keeps_session_idle", False
        )
        now = int(time.time())
        every = min(self.RENEW_AFTER_SECONDS, settings.SESSION_COOKIE_AGE // 4)
        if not background and now - int(session.get(self.KEY, 0)) >= every:
            self.renew(session)
        # Read by the page (puente/_session.html) to start the countdown.
        request.session_expires_in = self.seconds_left(session, now=now)
        request.session_warning_seconds = settings.PUENTE_SESSION_WARNING_SECONDS
        return None
