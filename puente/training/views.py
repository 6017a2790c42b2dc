"""The training app's front page. The parts' own pages are in knowledge_views and
quality_views."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from puente.core.permissions import Perm, require_perm


@require_GET
@require_perm(Perm.KNOWLEDGE_VIEW)
def home(request):
    return render(
        request,
        "training/home.html",
        {
            "can_edit": request.user.can(Perm.KNOWLEDGE_EDIT),
            "can_review": request.user.can(Perm.QUALITY_REVIEW),
            "can_practice": request.user.can(Perm.PRACTICE_TAKE),
            "can_supervise": request.user.can(Perm.TRAINING_SUPERVISE),
        },
    )
