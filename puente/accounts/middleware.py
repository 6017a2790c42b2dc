from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in but not yet MFA-verified person may reach: the MFA steps themselves,
# signing out, changing language, and static files.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/jsi18n/")


class MFARequiredMiddleware:
    """Staff must prove a second factor before any page of the hotline. Without a
    confirmed device they are sent to enrol; with one, to enter a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PUENTE_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Multi-factor authentication required."}, status=401)
            from django_otp import devices_for_user

            has_device = any(True for _d in devices_for_user(user, confirmed=True))
            target = "accounts:mfa_verify" if has_device else "accounts:mfa_enrol"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
