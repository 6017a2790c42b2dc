from django.conf import settings

from puente.accounts.roles import permissions_for


def hotline(request):
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "hotline_name": settings.PUENTE_HOTLINE_NAME,
        "hotline_country": settings.PUENTE_COUNTRY,
        "demo_mode": settings.PUENTE_DEMO,
        "session_idle_minutes": settings.PUENTE_SESSION_IDLE_MINUTES,
        # Templates ask `{% if "case.view" in my_perms %}`: the same codes the views check.
        "my_perms": permissions_for(user.role) if signed_in else frozenset(),
    }
