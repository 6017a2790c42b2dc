"""Sign-in, sign-out and the second factor. These pages sit in front of every
permission, so they check the session state themselves instead of `require_perm`."""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import auth, messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts import domain, kept, queries
from puente.accounts.forms import CodeForm, SignInForm
from puente.accounts.models import User
from puente.core.permissions import Perm, require_perm

# Set at sign-in, removed at sign-out. If the login page sees it while nobody is signed
# in, the session ended on its own: the idle timeout. It carries the user's id, signed,
# so a form sent after the timeout is kept for them (puente/accounts/kept.py).
SIGNED_IN_COOKIE = kept.SIGNED_IN_COOKIE


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _locked_message() -> str:
    return _(
        "Too many failed attempts: signing in with this username is paused for %(minutes)d "
        "minutes. Try again later, or ask a supervisor to unlock the account."
    ) % {"minutes": settings.PUENTE_LOCKOUT_MINUTES}


def _paused_message() -> str:
    return _(
        "Too many failed sign-ins from this network: signing in from here is paused for "
        "%(minutes)d minutes. Try again later, or ask a supervisor to lift the pause."
    ) % {"minutes": settings.PUENTE_LOCKOUT_MINUTES}


def _second_step(user, next_url: str, *, verified: bool) -> str:
    if not settings.PUENTE_MFA_REQUIRED or verified:
        return next_url
    if domain.has_confirmed_device(user):
        return _with_next("accounts:mfa_verify", next_url)
    return _with_next("accounts:mfa_enrol", next_url)


def _sign_out_locked(request) -> HttpResponseRedirect:
    auth.logout(request)
    messages.error(request, _locked_message())
    return redirect("accounts:login")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(_second_step(request.user, next_url, verified=request.user.is_verified()))
    marker = kept.read_marker(request.COOKIES.get(SIGNED_IN_COOKIE))
    # Said once: the marker remembers it was said, and stays to keep a form sent later.
    idle_signed_out = request.method == "GET" and marker is not None and not marker.notice_shown
    form = SignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = domain.check_password_sign_in(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            request=request,
        )
        if result.outcome is domain.SignIn.OK:
            user = result.user
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # Just past the password, so the second factor (if any) is still to come.
            response = redirect(_second_step(user, next_url, verified=False))
            kept.set_marker(response, user_id=user.pk)
            if user.language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
        if result.outcome is domain.SignIn.LOCKED:
            error = _locked_message()
        elif result.outcome is domain.SignIn.PAUSED:
            error = _paused_message()
        else:
            error = _("That username and password did not match. Check them and try again.")
    response = render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "idle_signed_out": idle_signed_out,
            "idle_minutes": settings.PUENTE_SESSION_IDLE_MINUTES,
        },
    )
    if idle_signed_out and marker is not None:
        kept.set_marker(response, user_id=marker.user_id, notice_shown=True)
    elif marker is None and request.COOKIES.get(SIGNED_IN_COOKIE):
        kept.forget_marker(response)  # made up, changed or too old
    return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        domain.record_sign_out(user=request.user, request=request)
    auth.logout(request)
    messages.success(request, _("You have signed out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    kept.forget_marker(response)
    return response


def _finish_second_factor(request, device) -> None:
    django_otp.login(request, device)
    # A new session id once fully signed in, so an id seen before the second factor
    # (fixation) is worthless.
    request.session.cycle_key()


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    if not domain.has_confirmed_device(user):
        return redirect(_with_next("accounts:mfa_enrol", next_url))
    if user.is_locked:
        return _sign_out_locked(request)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = domain.verify_second_factor(
            user=user, token=form.cleaned_data["code"], request=request
        )
        if device is not None:
            _finish_second_factor(request, device)
            return redirect(next_url)
        if user.is_locked:
            return _sign_out_locked(request)
        error = _(
            "That code did not work. Enter the 6-digit code your app shows now, or one of your recovery codes."
        )
    return render(
        request, "accounts/mfa_verify.html", {"form": form, "error": error, "next": next_url}
    )


def _has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    next_url = _safe_next(request)
    if not user.is_verified() and domain.has_confirmed_device(user):
        # Replacing an authenticator needs the old one (or a recovery code) first;
        # otherwise a stolen password alone could take over the second factor.
        return redirect(_with_next("accounts:mfa_verify", next_url))
    if user.is_verified() and _has_confirmed_totp(user):
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("accounts:recovery_codes")
    device = domain.pending_totp_device(user=user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        codes = domain.confirm_totp_device(
            user=user, device=device, token=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            _finish_second_factor(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {
                    "codes": codes,
                    "next": next_url,
                    "just_enrolled": True,
                },
            )
        error = _(
            "That code did not match. Check the time on your phone and enter the code your app shows now."
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, omitsize=True, light="#fff", title=_("QR code for your authenticator app")
    )
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "qr_svg": qr_svg,
            "secret": _grouped(b32encode(device.bin_key).decode()),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    if not request.user.is_authenticated:
        return redirect(_with_next("accounts:login", request.get_full_path()))
    user = request.user
    if not user.is_verified():
        step = "accounts:mfa_verify" if domain.has_confirmed_device(user) else "accounts:mfa_enrol"
        return redirect(_with_next(step, request.get_full_path()))
    if request.method == "POST":
        codes = domain.regenerate_recovery_codes(user=user, request=request)
        return render(
            request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("core:home")}
        )
    return render(
        request,
        "accounts/recovery_codes_manage.html",
        {
            "remaining": domain.remaining_recovery_codes(user=user),
        },
    )


# --- Lifting sign-in locks (supervisors and administrators, from their home page) -------


@require_POST
@require_perm(Perm.ACCOUNT_UNLOCK)
def unlock_account(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    domain.unlock_user(user=user, by=request.user, request=request)
    messages.success(request, _("%(name)s can sign in again.") % {"name": user.display_name})
    return redirect("core:home")


@require_POST
@require_perm(Perm.ACCOUNT_UNLOCK)
def release_address(request):
    address = queries.valid_address(request.POST.get("address", ""))
    if address is None:
        raise Http404
    domain.release_address(address=address, by=request.user, request=request)
    messages.success(
        request, _("Signing in from %(address)s is possible again.") % {"address": address}
    )
    return redirect("core:home")
