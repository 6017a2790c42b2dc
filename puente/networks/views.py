"""The networks app's front page: what this person may look into. The parts' own pages
are in recurrence_views, linkage_views and psi_views."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from puente.core.permissions import Perm, require_perm


@require_GET
@require_perm(Perm.NETWORK_VIEW)
def home(request):
    return render(
        request,
        "networks/home.html",
        {
            "can_review": request.user.can(Perm.LINK_REVIEW),
            "can_match": request.user.can(Perm.IDENTIFIER_MATCH),
        },
    )
