from django.conf import settings
from django.http import HttpRequest


def hotline(request: HttpRequest) -> dict[str, object]:
    return {
        "hotline_name": settings.PUENTE_HOTLINE_NAME,
        "hotline_country": settings.PUENTE_COUNTRY,
        "demo_mode": settings.PUENTE_DEMO,
        "session_idle_minutes": settings.PUENTE_SESSION_IDLE_MINUTES,
        # Set on a practice call's requests (puente/core/sandbox.py): every page says so.
        "sandbox_banner": getattr(request, "sandbox_banner", None),
    }
