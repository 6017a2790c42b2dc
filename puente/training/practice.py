"""Practice calls: starting one, the trainee's turns, finishing and scoring.

The call's progress (which node the caller is at, every turn) is kept in the real
database, where supervisors follow it; what the trainee records on the hotline's screens
goes to the sandbox (puente/training/sandbox.py), and is read back from there to branch
the caller and to score the call. The scenario script and its scoring are the engine's
(puente/training/practice_engine.py); this module only moves a call along.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.training import practice_engine as engine
from puente.training import sandbox, scenarios
from puente.training.models.practice import PracticeCall, PracticeStatus
from puente.training.practice_engine import Scenario


def scenario_of(call: PracticeCall) -> Scenario:
    return scenarios.get(call.scenario)


def start_call(*, trainee: User, slug: str, language: str) -> PracticeCall:
    """A new call of scenario `slug`; any call the trainee left open is abandoned."""
    try:
        scenario = scenarios.get(slug)
    except KeyError:
        raise ValidationError(_("There is no such scenario.")) from None
    # The sandbox first: if it cannot be made ready, no call is left half-started.
    sandbox.prepare(trainee)
    with transaction.atomic():
        PracticeCall.objects.select_for_update().filter(
            trainee=trainee, status=PracticeStatus.IN_PROGRESS
        ).update(status=PracticeStatus.ABANDONED, ended_at=timezone.now())
        return PracticeCall.objects.create(
            trainee=trainee,
            scenario=scenario.slug,
            scenario_version=scenario.version,
            language=language,
            node=scenario.start,
        )


def _locked(call: PracticeCall, at: str) -> tuple[PracticeCall, Scenario]:
    """The call, locked, if it is still in progress at node `at` (the page the trainee
    answered from): a second tab or a double click must not take two turns."""
    locked = PracticeCall.objects.select_for_update().get(pk=call.pk)
    if locked.status != PracticeStatus.IN_PROGRESS:
        raise ValidationError(_("This practice call has ended."))
    if locked.node != at:
        raise ValidationError(_("The call had already moved on: here is where it is now."))
    return locked, scenario_of(locked)


def _take_turn(
    call: PracticeCall, *, at: str, step: dict, next_node: Callable[[Scenario, str], str]
) -> PracticeCall:
    """Move the call from node `at` to `next_node(scenario, at)`, noting `step` in its
    path, as one locked change."""
    with transaction.atomic():
        locked, scenario = _locked(call, at)
        following = next_node(scenario, locked.node)
        locked.path = [*locked.path, {"node": locked.node, **step}]
        locked.node = following
        locked.save(update_fields=["path", "node"])
    return locked


def say(call: PracticeCall, *, at: str, choice: str) -> PracticeCall:
    """The trainee says `choice` at node `at`; the caller answers."""

    def answered(scenario: Scenario, node: str) -> str:
        try:
            return engine.choose(scenario, node, choice)
        except engine.PracticeError:
            raise ValidationError(_("That is not one of the answers offered here.")) from None

    return _take_turn(call, at=at, step={"choice": choice}, next_node=answered)


def carry_on(call: PracticeCall, *, at: str) -> PracticeCall:
    """The trainee has recorded what the step asked for; the caller reacts to it."""
    recorded = sandbox.recorded(call.trainee_id, call.started_at)
    return _take_turn(
        call,
        at=at,
        step={"recorded": True},
        next_node=lambda scenario, node: engine.proceed(scenario, node, recorded),
    )


def finish(call: PracticeCall, *, at: str) -> PracticeCall:
    """Score the call against the scenario's expectations and close it."""
    recorded = sandbox.recorded(call.trainee_id, call.started_at)
    with transaction.atomic():
        locked, scenario = _locked(call, at)
        result = engine.score(scenario, locked.path, recorded)
        locked.result = result
        locked.score = result["score"]
        locked.passed = result["passed"]
        locked.status = PracticeStatus.COMPLETED
        locked.ended_at = timezone.now()
        locked.save(update_fields=["result", "score", "passed", "status", "ended_at"])
    return locked


def abandon(call: PracticeCall) -> None:
    PracticeCall.objects.filter(pk=call.pk, status=PracticeStatus.IN_PROGRESS).update(
        status=PracticeStatus.ABANDONED, ended_at=timezone.now()
    )


def transcript(call: PracticeCall, language: str) -> list[dict]:
    """The call so far, turn by turn: what the caller said, what the trainee answered
    (or that they recorded), in `language`."""
    scenario = scenario_of(call)
    lines = []
    for step in call.path:
        turn = engine.turn(scenario, step["node"], language)
        answer = ""
        if "choice" in step:
            answer = dict(turn.choices).get(step["choice"], "")
        lines.append({"turn": turn, "answer": answer, "recorded": bool(step.get("recorded"))})
    return lines
