"""Practice progress pages: the supervisor's list of everyone who practises (and
requiring scenarios of several at once), one person's progress with the scenarios
required of them, and a person's own progress. Thin: the rules and the audit are in
puente.training.progress."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.training import progress
from puente.training.progress_forms import BulkRequireForm, RequireForm


def _added_message(request, added: int) -> None:
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s practice call is now required before live calls.",
                "%(count)s practice calls are now required before live calls.",
                added,
            )
            % {"count": added},
        )
    else:
        messages.info(request, _("Those scenarios were already required."))


@require_http_methods(["GET", "POST"])
@require_perm(Perm.TRAINING_SUPERVISE)
def team(request):
    roles = progress.practising_roles()
    role = request.GET.get("role", "")
    role = role if role in roles else ""
    outstanding_only = request.GET.get("outstanding") == "on"
    rows = progress.team_progress(role=role, outstanding_only=outstanding_only)
    form = BulkRequireForm(request.POST or None, people=[row.person for row in rows])
    if request.method == "POST" and form.is_valid():
        try:
            added = progress.require_scenarios(
                people=form.chosen_people(),
                scenario_slugs=form.cleaned_data["scenarios"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            _added_message(request, len(added))
            return redirect(request.get_full_path())
    return render(
        request,
        "training/progress/team.html",
        {
            "rows": rows,
            "form": form,
            "roles": [(r, Role(r).label) for r in roles],
            "role": role,
            "outstanding_only": outstanding_only,
            "chosen": set(request.POST.getlist("people")),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _practising_person(user_id: int) -> User:
    person = progress.practising_people().filter(pk=user_id).first()
    if person is None:
        # Someone who does not practise (or no one): nothing to show either way.
        raise Http404
    return person


@require_http_methods(["GET", "POST"])
@require_perm(Perm.TRAINING_SUPERVISE)
def person(request, user_id: int):
    someone = _practising_person(user_id)
    here = reverse("training:practice_person", args=[someone.pk])
    if request.method == "POST" and request.POST.get("action") == "drop":
        slug = request.POST.get("scenario", "")
        if progress.drop_requirement(
            person=someone, scenario_slug=slug, by=request.user, request=request
        ):
            messages.success(
                request,
                _("“%(scenario)s” is no longer required of %(name)s.")
                % {"scenario": progress.scenario_title(slug), "name": someone.display_name},
            )
        return redirect(here)
    shown = progress.progress_of([someone])[0]
    form = RequireForm(request.POST or None, exclude={r.scenario for r in shown.requirements})
    if request.method == "POST" and form.is_valid():
        try:
            added = progress.require_scenarios(
                people=[someone],
                scenario_slugs=form.cleaned_data["scenarios"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            _added_message(request, len(added))
            return redirect(here)
    return render(
        request,
        "training/progress/person.html",
        {
            "progress": shown,
            "rows": progress.scenario_rows(progress=shown),
            "calls": progress.practice_calls(person=someone),
            "form": form,
            "back": reverse("training:practice_team") + "?" + urlencode({"role": someone.role}),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@require_perm(Perm.PRACTICE_TAKE)
def mine(request):
    """The signed-in person's own practice calls and what is required of them."""
    shown = progress.progress_of([request.user])[0]
    return render(
        request,
        "training/progress/mine.html",
        {
            "progress": shown,
            "rows": progress.scenario_rows(progress=shown),
            "calls": progress.practice_calls(person=request.user),
        },
    )
