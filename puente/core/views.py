from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
