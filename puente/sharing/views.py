"""The sharing app's front page: what this person may send out or bring in. The parts'
own pages are in htcds_views, release_views and trend_views."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from puente.core.permissions import Perm, require_perm


@require_GET
@require_perm(Perm.RELEASE_MANAGE)
def home(request):
    # Everyone who may share anything holds release.manage (supervisors and analysts);
    # the page offers the HTCDS files only to those who hold those permissions too.
    return render(
        request,
        "sharing/home.html",
        {
            "can_export": request.user.can(Perm.HTCDS_EXPORT),
            "can_import": request.user.can(Perm.HTCDS_IMPORT),
            "can_release": True,
        },
    )
