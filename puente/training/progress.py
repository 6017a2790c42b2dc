"""Practice progress: how each person is doing on the practice scenarios, the scenarios a
supervisor requires of someone before they take live calls, and the gate that holds live
calls back until those are passed.

Who: supervisors (training.supervise) see everyone who practises and require or drop
scenarios; everyone who practises (practice.take) sees their own progress.

The rule of the gate: a required scenario is *outstanding* until the person passes a
practice call on it (any version of the scenario) that ended after it was required. A
pass from before does not count, so a supervisor can send an advocate back to practise
a scenario they passed long ago. While anything is outstanding, the person's role keeps
the live-call permissions but `User.can()` withholds them (puente/accounts/gates.py):
recording a new contact, taking a ringing call and its screen-pop (contact.create), and
claiming or answering a text conversation (contact.edit). A trainee's role has neither;
the gate matters for an advocate sent back to practice, and for a trainee given the
advocate role with requirements still outstanding. A requirement for a scenario no
longer offered stays outstanding (nobody can pass it) until a supervisor drops it: the
gate errs on the side of the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, When
from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from puente.accounts import gates
from puente.accounts.models import User
from puente.accounts.roles import ROLE_PERMISSIONS, Role, permissions_for
from puente.audit.domain import record_event
from puente.core import sandbox
from puente.core.permissions import Perm
from puente.training import scenarios
from puente.training.models.practice import PracticeCall, PracticeRequirement, PracticeStatus

# What a live call needs and the gate holds back: a new contact (the intake form, taking a
# ringing call, the screen-pop) and answering a conversation (claim, reply, close).
LIVE_CALL_PERMS = frozenset({Perm.CONTACT_CREATE, Perm.CONTACT_EDIT})
RECENT_ON_HOME = 3


def practising_roles() -> list[str]:
    """The roles that take practice calls, trainees first."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.PRACTICE_TAKE in perms]
    return sorted(roles, key=lambda role: (role != Role.TRAINEE, list(Role).index(Role(role))))


def takes_live_calls(person: User) -> bool:
    """Whether the person's role gives live calls (the gate aside)."""
    return LIVE_CALL_PERMS <= permissions_for(person.role)


# --- Scenarios by slug -------------------------------------------------------------------


def _language() -> str:
    return (get_language() or "en")[:2]


def scenario_title(slug: str) -> str:
    """A scenario's title in the reader's language; a slug the curriculum no longer has
    is said so, never shown as a code."""
    try:
        return str(scenarios.get(slug).title(_language()))
    except KeyError:
        return _("A scenario no longer offered")


def is_offered(slug: str) -> bool:
    try:
        scenarios.get(slug)
    except KeyError:
        return False
    return True


# --- The gate ----------------------------------------------------------------------------


def _passed_since_required() -> Exists:
    """For a requirement row: a passed call on its scenario that ended once it was required."""
    return Exists(
        PracticeCall.objects.filter(
            trainee_id=OuterRef("person_id"),
            scenario=OuterRef("scenario"),
            passed=True,
            ended_at__gte=OuterRef("created_at"),
        )
    )


def requirements_of(*, person_ids: list[int]) -> QuerySet[PracticeRequirement]:
    """Requirements, each with `met` (passed since required), who required it first."""
    return (
        PracticeRequirement.objects.filter(person_id__in=person_ids)
        .annotate(met=_passed_since_required())
        .select_related("required_by")
        .order_by("person_id", "created_at", "scenario")
    )


def outstanding_requirements(*, person: User) -> QuerySet[PracticeRequirement]:
    return (
        PracticeRequirement.objects.filter(person_id=person.pk)
        .exclude(_passed_since_required())
        .order_by("created_at", "scenario")
    )


def withheld_live_call_perms(user: Any) -> frozenset[str]:
    """The gate (registered in progress_hooks): one indexed query, for someone whose role
    gives live calls. In the sandbox a trainee acts as an advocate on practice data; the
    gate is about real calls, so it holds nothing back there."""
    if sandbox.active():
        return frozenset()
    return LIVE_CALL_PERMS if outstanding_requirements(person=user).exists() else frozenset()


def withheld_live_call_perms_among(users: list[Any]) -> dict[Any, frozenset[str]]:
    """The gate for many people at once (a list of colleagues): one query."""
    if sandbox.active():
        return {}
    held = (
        PracticeRequirement.objects.filter(person_id__in=[user.pk for user in users])
        .exclude(_passed_since_required())
        .values_list("person_id", flat=True)
    )
    return {person_id: LIVE_CALL_PERMS for person_id in set(held)}


def live_call_refusal(user: Any) -> str:
    """What the refusal page says to someone the gate holds back."""
    titles = [scenario_title(row.scenario) for row in outstanding_requirements(person=user)]
    if not titles:
        return ""
    return ngettext(
        "Pass this practice call first: %(scenarios)s. A supervisor requires it before you take live calls.",
        "Pass these practice calls first: %(scenarios)s. A supervisor requires them before you take live calls.",
        len(titles),
    ) % {"scenarios": "; ".join(titles)}


# --- Progress ----------------------------------------------------------------------------


class LiveCalls:
    """Where someone stands on live calls, as the supervisor's list says it."""

    CLEARED = "cleared"  # the role gives live calls and nothing is outstanding
    HELD = "held"  # practice calls to pass first
    READY = "ready"  # a trainee who has passed everything required
    NOTHING_REQUIRED = "nothing_required"  # a trainee nobody has required anything of yet

    LABELS = {
        CLEARED: gettext_lazy("Cleared for live calls"),
        HELD: gettext_lazy("Not yet: practice calls to pass"),
        READY: gettext_lazy("Trainee: required practice passed"),
        NOTHING_REQUIRED: gettext_lazy("Trainee: no practice required yet"),
    }


@dataclass
class Requirement:
    scenario: str
    title: str
    offered: bool
    required_by: User | None
    required_at: datetime
    met: bool


@dataclass
class PersonProgress:
    person: User
    attempted: int = 0  # scenarios with at least one finished call
    passed: int = 0  # scenarios passed at least once
    best_score: int | None = None
    latest_score: int | None = None
    last_practice: datetime | None = None
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def outstanding(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    @property
    def live_calls(self) -> str:
        if self.outstanding:
            return LiveCalls.HELD
        if takes_live_calls(self.person):
            return LiveCalls.CLEARED
        return LiveCalls.READY if self.requirements else LiveCalls.NOTHING_REQUIRED

    @property
    def live_calls_label(self) -> str:
        return str(LiveCalls.LABELS[self.live_calls])


def _requirement(row: PracticeRequirement) -> Requirement:
    return Requirement(
        scenario=row.scenario,
        title=scenario_title(row.scenario),
        offered=is_offered(row.scenario),
        required_by=row.required_by,
        required_at=row.created_at,
        met=bool(getattr(row, "met", False)),
    )


def practising_people(*, role: str = "") -> QuerySet[User]:
    """Active staff who take practice calls, trainees first, then by name."""
    roles = practising_roles()
    if role:
        roles = [r for r in roles if r == role]
    return (
        User.objects.filter(is_active=True, role__in=roles)
        .annotate(
            role_rank=Case(
                *[When(role=r, then=i) for i, r in enumerate(practising_roles())],
                output_field=IntegerField(),
            )
        )
        .order_by("role_rank", "last_name", "first_name", "username")
    )


def progress_of(people: list[User]) -> list[PersonProgress]:
    """Each person's progress, in the order given: three queries however many people."""
    ids = [p.pk for p in people]
    found = {p.pk: PersonProgress(person=p) for p in people}
    finished = PracticeCall.objects.filter(trainee_id__in=ids, status=PracticeStatus.COMPLETED)
    for counts in finished.values("trainee_id").annotate(
        attempted=Count("scenario", distinct=True),
        passed=Count("scenario", filter=Q(passed=True), distinct=True),
        best=Max("score"),
    ):
        item = found[counts["trainee_id"]]
        item.attempted, item.passed = counts["attempted"], counts["passed"]
        item.best_score = counts["best"]
    # The latest finished call's score, and the last time each person practised at all
    # (an abandoned call is practice too): one query, newest first.
    seen_score: set[int] = set()
    for trainee_id, status, score, started_at in (
        PracticeCall.objects.filter(trainee_id__in=ids)
        .order_by("trainee_id", "-started_at", "-pk")
        .values_list("trainee_id", "status", "score", "started_at")
    ):
        item = found[trainee_id]
        if item.last_practice is None:
            item.last_practice = started_at
        if status == PracticeStatus.COMPLETED and trainee_id not in seen_score:
            seen_score.add(trainee_id)
            item.latest_score = score
    for row in requirements_of(person_ids=ids):
        found[row.person_id].requirements.append(_requirement(row))
    return [found[p.pk] for p in people]


def team_progress(*, role: str = "", outstanding_only: bool = False) -> list[PersonProgress]:
    rows = progress_of(list(practising_people(role=role)))
    if outstanding_only:
        rows = [row for row in rows if row.outstanding]
    return rows


def practice_calls(*, person: User) -> list[PracticeCall]:
    """Every practice call of the person, newest first, each with its `scenario_title`."""
    calls = list(PracticeCall.objects.filter(trainee=person).order_by("-started_at", "-pk"))
    for call in calls:
        call.scenario_title = scenario_title(call.scenario)  # type: ignore[attr-defined]
    return calls


@dataclass
class ScenarioRow:
    """One scenario of the curriculum as it stands for one person."""

    slug: str
    title: str
    topics: list[str]
    pass_mark: int
    attempts: int
    best_score: int | None
    last_passed: datetime | None
    requirement: Requirement | None


def scenario_rows(*, progress: PersonProgress) -> list[ScenarioRow]:
    """The whole curriculum for one person: calls per scenario, best score, last pass,
    and whether it is required (with requirements for scenarios no longer offered last)."""
    stats: dict[str, dict[str, Any]] = {}
    for counts in (
        PracticeCall.objects.filter(trainee=progress.person, status=PracticeStatus.COMPLETED)
        .values("scenario")
        .annotate(
            attempts=Count("pk"),
            best=Max("score"),
            last_passed=Max("ended_at", filter=Q(passed=True)),
        )
    ):
        stats[counts["scenario"]] = dict(counts)
    required = {r.scenario: r for r in progress.requirements}
    language = _language()
    rows = []
    for scenario in scenarios.all_scenarios():
        seen = stats.get(scenario.slug, {})
        rows.append(
            ScenarioRow(
                slug=scenario.slug,
                title=str(scenario.title(language)),
                topics=[str(scenarios.topic_label(code)) for code in scenario.topics],
                pass_mark=scenario.pass_mark,
                attempts=seen.get("attempts", 0),
                best_score=seen.get("best"),
                last_passed=seen.get("last_passed"),
                requirement=required.pop(scenario.slug, None),
            )
        )
    for gone in required.values():
        rows.append(
            ScenarioRow(
                slug=gone.scenario,
                title=gone.title,
                topics=[],
                pass_mark=0,
                attempts=0,
                best_score=None,
                last_passed=None,
                requirement=gone,
            )
        )
    return rows


# --- Requiring and dropping --------------------------------------------------------------


def _may_supervise(by: User) -> None:
    if not by.can(Perm.TRAINING_SUPERVISE):
        raise PermissionDenied


def _check_practises(person: User) -> None:
    if not person.is_active or Perm.PRACTICE_TAKE not in permissions_for(person.role):
        raise ValidationError(
            _("%(name)s does not take practice calls.") % {"name": person.display_name},
            code="not_practising",
        )


@transaction.atomic
def require_scenarios(
    *,
    people: list[User],
    scenario_slugs: list[str],
    by: User,
    request: HttpRequest | None = None,
) -> list[PracticeRequirement]:
    """Require each scenario of each person before they take live calls. What is already
    required stays as it was (its date and who required it); the rest is added, each
    with its audit entry. Returns what was added."""
    _may_supervise(by)
    if not people:
        raise ValidationError(_("Choose at least one person."), code="no_people")
    if not scenario_slugs:
        raise ValidationError(_("Choose at least one scenario."), code="no_scenarios")
    for slug in scenario_slugs:
        if not is_offered(slug):
            raise ValidationError(_("That scenario is not offered."), code="unknown_scenario")
    for person in people:
        _check_practises(person)
    already = set(
        PracticeRequirement.objects.filter(
            person__in=people, scenario__in=scenario_slugs
        ).values_list("person_id", "scenario")
    )
    added = []
    for person in people:
        for slug in dict.fromkeys(scenario_slugs):
            if (person.pk, slug) in already:
                continue
            requirement = PracticeRequirement.objects.create(
                person=person, scenario=slug, required_by=by
            )
            record_event(
                action="create",
                actor=by,
                obj=requirement,
                object_ref=person.get_username(),
                changes=[
                    {"field": "person", "new": person.pk},
                    {"field": "scenario", "new": slug},
                ],
                request=request,
            )
            added.append(requirement)
        gates.forget(person)
    return added


@transaction.atomic
def drop_requirement(
    *, person: User, scenario_slug: str, by: User, request: HttpRequest | None = None
) -> bool:
    """No longer require the scenario of the person; False when it was not required."""
    _may_supervise(by)
    requirement = (
        PracticeRequirement.objects.select_for_update()
        .filter(person=person, scenario=scenario_slug)
        .first()
    )
    if requirement is None:
        return False
    record_event(
        action="delete",
        actor=by,
        obj=requirement,
        object_ref=person.get_username(),
        changes=[
            {"field": "person", "old": person.pk, "new": None},
            {"field": "scenario", "old": scenario_slug, "new": None},
            {"field": "required_by", "old": requirement.required_by_id, "new": None},
        ],
        request=request,
    )
    requirement.delete()
    gates.forget(person)
    return True


# --- Home --------------------------------------------------------------------------------


@dataclass
class PracticeHome:
    outstanding: list[Requirement]
    recent: list[PracticeCall]
    takes_live_calls: bool


def home_practice(*, user: User) -> PracticeHome | None:
    """The home page's practice section: what is required and not yet passed, and the
    last results. Shown to trainees always, and to others only when something is
    outstanding (an advocate sent back to practice)."""
    if not user.can(Perm.PRACTICE_TAKE):
        return None
    outstanding = [
        _requirement(row)
        for row in outstanding_requirements(person=user).select_related("required_by")
    ]
    live = takes_live_calls(user)
    if live and not outstanding:
        return None
    recent = list(
        PracticeCall.objects.filter(trainee=user, status=PracticeStatus.COMPLETED).order_by(
            "-ended_at", "-pk"
        )[:RECENT_ON_HOME]
    )
    for call in recent:
        call.scenario_title = scenario_title(call.scenario)  # type: ignore[attr-defined]
    return PracticeHome(outstanding=outstanding, recent=recent, takes_live_calls=live)


def home_team_practice(*, user: User) -> int | None:
    """For a supervisor's home: how many people have practice calls to pass (None: the
    section is not for this person)."""
    if not user.can(Perm.TRAINING_SUPERVISE):
        return None
    return (
        PracticeRequirement.objects.filter(person__is_active=True)
        .exclude(_passed_since_required())
        .values("person_id")
        .distinct()
        .count()
    )
