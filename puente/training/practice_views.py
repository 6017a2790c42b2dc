"""Practice calls' pages: the scenarios, the call console and the result. Thin: the rules
are in puente.training.practice, the script and scoring in the engine."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from puente.core import choices as c
from puente.core import sandbox as sandbox_switch
from puente.core.choices import label_for
from puente.core.geography import country_name
from puente.core.permissions import Perm, require_perm
from puente.training import practice, progress, sandbox, scenarios
from puente.training import practice_engine as engine
from puente.training.middleware import SESSION_KEY
from puente.training.models.practice import PracticeCall, PracticeStatus


def _language() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def _caller(caller: dict[str, str]) -> dict[str, str]:
    """What the console shows of the caller, with labels rather than codes."""
    spoken = caller.get("primary_language") or {"en": "eng", "es": "spa"}.get(
        caller.get("language", ""), ""
    )
    return {
        "phone": caller.get("phone", ""),
        "country_label": country_name(caller.get("country")) if caller.get("country") else "",
        "language_label": label_for(c.Language, spoken) if spoken else "",
    }


def _on_a_call(response: HttpResponse) -> HttpResponse:
    response.set_cookie(
        sandbox_switch.PRACTICE_COOKIE,
        "1",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _off_the_call(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(sandbox_switch.PRACTICE_COOKIE, samesite="Lax")
    return response


def _own_call(request, call_id: int) -> PracticeCall:
    return get_object_or_404(PracticeCall, pk=call_id, trainee=request.user)


@require_GET
@require_perm(Perm.PRACTICE_TAKE)
def practice_list(request):
    # The curriculum as progress.py reads it for supervisors: the same "required" (not
    # yet passed since it was required: what holds live calls back), best score and pass.
    language = _language()
    shown = progress.progress_of([request.user])[0]
    offered = {s.slug: s for s in scenarios.all_scenarios()}
    rows = [
        {"row": row, "summary": offered[row.slug].summary(language)}
        for row in progress.scenario_rows(progress=shown)
        if row.slug in offered
    ]
    calls = progress.practice_calls(person=request.user)
    in_progress = next((c for c in calls if c.status == PracticeStatus.IN_PROGRESS), None)
    recent = [call for call in calls if call.status == PracticeStatus.COMPLETED][:20]
    return render(
        request,
        "training/practice/list.html",
        {"rows": rows, "in_progress": in_progress, "recent": recent},
    )


@require_POST
@require_perm(Perm.PRACTICE_TAKE)
def practice_start(request, slug: str):
    try:
        call = practice.start_call(trainee=request.user, slug=slug, language=_language())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("training:practice")
    request.session[SESSION_KEY] = call.pk
    return _on_a_call(redirect("training:practice_call", call_id=call.pk))


@require_GET
@require_perm(Perm.PRACTICE_TAKE)
def practice_call(request, call_id: int):
    call = _own_call(request, call_id)
    if call.status != PracticeStatus.IN_PROGRESS:
        return redirect("training:practice_result", call_id=call.pk)
    # This page is the call: coming back to it puts the trainee back on it.
    request.session[SESSION_KEY] = call.pk
    language = _language()
    scenario = practice.scenario_of(call)
    return _on_a_call(
        render(
            request,
            "training/practice/call.html",
            {
                "call": call,
                "title": scenario.title(language),
                "caller": _caller(scenario.caller),
                "transcript": practice.transcript(call, language),
                "turn": engine.turn(scenario, call.node, language),
                "case_reference": sandbox.latest_case_reference(call.trainee_id, call.started_at),
            },
        )
    )


def _move(request, call_id: int, step):
    call = _own_call(request, call_id)
    try:
        call = step(call, at=request.POST.get("at", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if PracticeCall.objects.filter(pk=call.pk, status=PracticeStatus.IN_PROGRESS).exists():
            return redirect("training:practice_call", call_id=call.pk)
        return redirect("training:practice_result", call_id=call.pk)
    if call.status == PracticeStatus.COMPLETED:
        request.session.pop(SESSION_KEY, None)
        return _off_the_call(redirect("training:practice_result", call_id=call.pk))
    return redirect(reverse("training:practice_call", args=[call.pk]) + "#now")


@require_POST
@require_perm(Perm.PRACTICE_TAKE)
def practice_say(request, call_id: int):
    choice = request.POST.get("choice", "")
    return _move(request, call_id, lambda call, at: practice.say(call, at=at, choice=choice))


@require_POST
@require_perm(Perm.PRACTICE_TAKE)
def practice_carry_on(request, call_id: int):
    return _move(request, call_id, practice.carry_on)


@require_POST
@require_perm(Perm.PRACTICE_TAKE)
def practice_finish(request, call_id: int):
    return _move(request, call_id, practice.finish)


@require_POST
@require_perm(Perm.PRACTICE_TAKE)
def practice_abandon(request, call_id: int):
    call = _own_call(request, call_id)
    practice.abandon(call)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("The practice call was ended without a score."))
    return _off_the_call(redirect("training:practice"))


@require_GET
@require_perm(Perm.PRACTICE_TAKE)
def practice_result(request, call_id: int):
    # One's own calls; a supervisor reads anyone's (puente/training/progress.py lists them).
    call = get_object_or_404(PracticeCall.objects.select_related("trainee"), pk=call_id)
    if call.trainee_id != request.user.pk and not request.user.can(Perm.TRAINING_SUPERVISE):
        raise Http404
    if call.status == PracticeStatus.IN_PROGRESS and call.trainee_id == request.user.pk:
        return redirect("training:practice_call", call_id=call.pk)
    language = _language()
    try:
        title = scenarios.get(call.scenario).title(language)
    except KeyError:
        title = call.scenario
    return render(
        request,
        "training/practice/result.html",
        {
            "call": call,
            "title": title,
            "language": language,
            "result": call.result or {},
            "own": call.trainee_id == request.user.pk,
        },
    )
