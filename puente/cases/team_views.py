"""The supervisor's team view (/cases/team/) and its links: one person's open cases and
overdue tasks, and the open cases nobody owns. Thin: the reads are in
`puente/cases/team.py`. The pages list case references, so each is a "view" in the
audit trail, as the case list is."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases import team
from puente.core.permissions import Perm, require_perm

PAGE_SIZE = 50


@require_perm(Perm.TEAM_VIEW)
def team_page(request):
    view = team.team_view(viewer=request.user)
    record_event(
        action="view", actor=request.user, object_type="case_list", object_ref="team",
        request=request,
    )  # fmt: skip
    return render(request, "cases/team.html", {"team": view})


def _work_page(request, *, owner: User | None, ref: str):
    cases = Paginator(team.open_cases_of(viewer=request.user, owner=owner), PAGE_SIZE)
    record_event(
        action="view", actor=request.user, object_type="case_list", object_ref=ref[:60],
        request=request,
    )  # fmt: skip
    return render(
        request,
        "cases/team_person.html",
        {
            "owner": owner,
            "page": cases.get_page(request.GET.get("page")),
            "tasks": list(team.overdue_tasks_of(viewer=request.user, assignee=owner)[:PAGE_SIZE]),
            "shows_cases": request.user.can(Perm.CASE_VIEW),
        },
    )


@require_perm(Perm.TEAM_VIEW)
def team_person(request, user_id: int):
    owner = get_object_or_404(User, pk=user_id)
    return _work_page(request, owner=owner, ref=f"team:{owner.username}")


@require_perm(Perm.TEAM_VIEW)
def team_unassigned(request):
    return _work_page(request, owner=None, ref="team:unassigned")
