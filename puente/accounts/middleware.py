from __future__ import annotations

import functools

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from puente.accounts import kept
from puente.accounts.domain import fully_signed_in, has_confirmed_device
from puente.accounts.models import User
from puente.core import sandbox

# Paths a signed-in but not yet MFA-verified person may reach: the MFA steps themselves,
# signing out, the idle-session check, changing language, and static files. Named one by
# one: the rest of /accounts/ (unlocking a colleague, releasing an address) is staff work
# and waits for the second factor like any page.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/jsi18n/")
_OPEN_PAGES = (
    "accounts:login",
    "accounts:logout",
    "accounts:mfa_verify",
    "accounts:mfa_enrol",
    "accounts:session_status",
    "accounts:session_renew",
)


@functools.cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _OPEN_PAGES)


def _open_before_second_factor(path: str) -> bool:
    return path.startswith(_OPEN_PREFIXES) or path in _open_paths()


class MFARequiredMiddleware:
    """Staff must prove a second factor before any page of the hotline. Without a
    confirmed device they are sent to enrol; with one, to enter a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not fully_signed_in(user)
            and not _open_before_second_factor(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Multi-factor authentication required."}, status=401)
            target = "accounts:mfa_verify" if has_confirmed_device(user) else "accounts:mfa_enrol"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class KeptTypingMiddleware:
    """A staff form sent after the session ended keeps what was typed (kept.py).

    Runs after CsrfViewMiddleware and acts only on a request it let through
    (`csrf_processing_done`): a forged form is refused as before, never kept. Only forms
    sent to a page that needs signing in (a view guarded by `require_perm`), as a whole
    page (not htmx's background requests: the autosave keeps its own drafts), and only
    with a valid signed-in marker naming an active user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method != "POST"
            or request.user.is_authenticated
            or not getattr(request, "csrf_processing_done", False)
            or not getattr(view_func, "required_perm", None)
            or request.headers.get("HX-Request")
            # Typing from a practice call belongs to the sandbox, which a timed-out
            # session no longer reaches: it is not kept in the real database.
            or request.COOKIES.get(sandbox.PRACTICE_COOKIE)
        ):
            return None
        marker = kept.read_marker(request.COOKIES.get(kept.SIGNED_IN_COOKIE))
        if marker is None:
            return None
        user = User.objects.filter(pk=marker.user_id, is_active=True).first()
        if user is None:
            return None
        keep = kept.keeper_for(request.resolver_match.view_name)
        continue_at = keep(user, request.POST) if keep else None
        if continue_at is None:
            page = kept.form_page(request)
            fields = kept.kept_fields(request.POST)
            if fields:
                draft = kept.hold_typing(user=user, page=page, action=request.path, fields=fields)
                continue_at = f"{page}#kept={draft.pk}"
            else:
                continue_at = page
        messages.warning(
            request,
            _(
                "You were signed out before this was saved. What you typed is kept: "
                "sign in to continue."
            ),
        )
        response = redirect(f"{reverse('accounts:login')}?{urlencode({'next': continue_at})}")
        # This message says why; the login page's idle notice would say it twice.
        kept.set_marker(response, user_id=user.pk, notice_shown=True)
        return response
