from django.conf import settings
from django.http import HttpRequest

from puente.accounts.roles import permissions_for


def permissions(request: HttpRequest) -> dict[str, frozenset[str]]:
    # Templates ask `{% if "case.view" in my_perms %}`: the same codes the views check.
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if signed_in and settings.PUENTE_MFA_REQUIRED and not _past_second_factor(user):
        # Past the password only: the pages show nothing of the hotline yet — no menu,
        # and no live stream, whose background requests would only be sent back to the
        # second-factor page and could answer after signing in had renewed the session.
        signed_in = False
    return {"my_perms": permissions_for(user.role) if signed_in else frozenset()}  # type: ignore[union-attr]


def _past_second_factor(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's middleware
    return bool(is_verified()) if callable(is_verified) else True
