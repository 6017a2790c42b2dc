from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation

from puente.core.home import home_sections, home_shown


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own work, section by section from the apps that hold it. The lists hold
    case data, so every one of them is read through the same permission filters as the
    case and contact pages."""
    sections = home_sections(user=request.user)
    home_shown.send(
        sender=home,
        request=request,
        user=request.user,
        sections=[section.name for section, _data in sections],
    )
    return render(request, "core/home.html", {"sections": sections})


# --- Error pages ----------------------------------------------------------------------
# Styled like the rest of Puente and translated, so someone refused or lost mid-call
# knows why and where to go next. Set as handler403/404/500 in puente/urls.py and
# CSRF_FAILURE_VIEW in settings.


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403. A refusal that carries its own reason (`core.permissions.Refused`) shows it;
    a restricted case the reader could open by breaking the glass offers that, with the
    reference the refusal carries (`cases.access.CaseRefused.break_glass_reference`)."""
    reason = getattr(exception, "reason", None)
    return render(
        request,
        "puente/errors/403.html",
        {
            "reason": reason,
            "break_glass_reference": getattr(exception, "break_glass_reference", None),
        },
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "puente/errors/404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token: most often a page left open past the end
    of a session, or opened in another tab before signing in again."""
    return render(request, "puente/errors/403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500. Something failed — perhaps the database, perhaps a context processor — so this
    page uses neither: a self-contained template rendered without the request."""
    try:
        stylesheet = static("puente/puente.css")
        logo = static("puente/favicon.svg")
    except Exception:  # a missing static manifest must not turn a 500 into a crash
        stylesheet = logo = ""
    try:
        home = reverse("core:home")  # the staff workspace (the site root is the public site)
    except Exception:
        home = "/"
    html = loader.get_template("puente/errors/500.html").render(
        {
            "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
            "stylesheet": stylesheet,
            "logo": logo,
            "hotline_name": settings.PUENTE_HOTLINE_NAME,
            "home": home,
        }
    )
    return HttpResponseServerError(html)
