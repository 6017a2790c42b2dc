"""The supervisor's team view: who carries how many open cases, whose tasks are overdue,
which open cases nobody owns, and which cases with a person in imminent danger nobody
is attending to — most urgent first.

"Unattended" (imminent danger): an open case flagged imminent danger that has no owner,
whose owner's account is deactivated, or on which nothing was recorded for
UNATTENDED_HOURS — no change to the case, its people, tasks or notes (each moves the
case's `updated_at`) and no contact about it (a call, text or chat filed in it). A
person in danger now cannot wait for tomorrow's shift; four hours is half a shift.

It must stay fast on a national hotline (tens of thousands of cases, millions of
contacts), so the page is a fixed handful of queries whatever the number of advocates
or cases: counts are grouped in the database (open cases per owner, overdue tasks per
assignee), never read one advocate at a time, and the lists are bounded. Each query is
served by an index: `case_owner_status_idx` (owner, status) for the counts per owner
and the unassigned list, the partial `case_open_queue_idx` (open cases by imminent
danger) for the danger list, `contact_case_idx` (case, started_at) for the last contact
of each such case, the partial `task_open_by_assignee_idx` for overdue tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import (
    Case as SqlCase,
)
from django.utils import timezone

from puente.accounts.models import User
from puente.accounts.roles import ROLE_PERMISSIONS
from puente.cases.access import may_open_q, restricted_cases_opened_by
from puente.cases.models import Case, Task, open_cases_q
from puente.core.permissions import Perm

UNATTENDED_HOURS = 4
# The lists on the page; a longer one says how many more there are.
LIST_LENGTH = 50


@dataclass(frozen=True)
class AdvocateLoad:
    person: User
    open_cases: int = 0
    imminent_danger: int = 0
    overdue_tasks: int = 0
    oldest_overdue: date | None = None

    @property
    def inactive(self) -> bool:
        """A deactivated account still holding work: its cases are nobody's."""
        return not self.person.is_active


@dataclass
class TeamView:
    now: datetime
    today: date
    unattended_hours: int
    # Whether the viewer reads case files: without case.view (an administrator), the
    # page shows the counts only, never a reference or a title.
    shows_cases: bool
    advocates: list[AdvocateLoad] = field(default_factory=list)
    unattended: list[Case] = field(default_factory=list)
    unattended_count: int = 0
    unassigned: list[Case] = field(default_factory=list)
    unassigned_count: int = 0
    unassigned_danger: int = 0
    overdue_unassigned_tasks: int = 0


def _working_roles() -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_EDIT in perms]


def _urgency(load: AdvocateLoad) -> tuple:
    # A deactivated owner's cases first (nobody works them), then overdue work, then
    # danger, then how much each person carries.
    return (
        not load.inactive,
        -load.overdue_tasks,
        -load.imminent_danger,
        -load.open_cases,
        load.person.display_name.lower(),
    )


def _with_can_open(qs: QuerySet[Case], viewer: User, opened: list[int]) -> QuerySet[Case]:
    """Annotated `can_open`: a restricted case the viewer is not named on is listed by
    reference only (as on the case list), never its title."""
    return qs.annotate(
        can_open=ExpressionWrapper(may_open_q(viewer, opened=opened), output_field=BooleanField())
    )


def _contacts():
    # Contacts belong to the intake app, above this one: reached through the reverse
    # relation, never imported. Each use is one probe of contact_case_idx per case.
    return Case._meta.get_field("contacts").related_model._default_manager  # type: ignore[union-attr]


def unattended_danger_cases(*, now: datetime) -> QuerySet[Case]:
    """Open imminent-danger cases nobody is attending to (the module's definition),
    annotated `ownerless`; most urgent first: nobody's cases, then the longest left
    alone (by the case's last change: no contact since the cut-off, by definition)."""
    cutoff = now - timedelta(hours=UNATTENDED_HOURS)
    contacted_since = Exists(_contacts().filter(case=OuterRef("pk"), started_at__gte=cutoff))
    return (
        Case.objects.filter(open_cases_q(), imminent_danger=True)
        .filter(
            Q(owner__isnull=True)
            | Q(owner__is_active=False)
            | (Q(updated_at__lt=cutoff) & ~contacted_since)
        )
        .annotate(
            ownerless=SqlCase(
                When(Q(owner__isnull=True) | Q(owner__is_active=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-ownerless", "updated_at", "id")
    )


def _with_last_activity(qs: QuerySet[Case]) -> list[Case]:
    """The cases with `last_activity`: their last change or last contact, whichever is
    later (read for the few shown, never for every candidate)."""
    last_contact = Subquery(
        _contacts().filter(case=OuterRef("pk")).order_by("-started_at").values("started_at")[:1]
    )
    cases: list[Case] = list(qs.annotate(last_contact=last_contact))
    for case in cases:
        contact = getattr(case, "last_contact", None)
        case.last_activity = max(case.updated_at, contact) if contact else case.updated_at  # type: ignore[attr-defined]
    return cases


def unassigned_open_cases() -> QuerySet[Case]:
    """Open cases nobody owns: imminent danger first, then the longest waiting."""
    return Case.objects.filter(open_cases_q(), owner__isnull=True).order_by(
        "-imminent_danger", "created_at", "id"
    )


def team_view(*, viewer: User) -> TeamView:
    """Everything on the team page for `viewer` (who holds team.view), in a fixed few queries
    whatever the number of advocates, cases or tasks."""
    now = timezone.now()
    today = timezone.localdate()
    shows_cases = viewer.can(Perm.CASE_VIEW)
    view = TeamView(
        now=now, today=today, unattended_hours=UNATTENDED_HOURS, shows_cases=shows_cases
    )

    # 1. Open cases per owner (the unassigned ones are the owner-less group).
    per_owner: dict[int | None, dict[str, Any]] = {
        row["owner_id"]: dict(row)
        for row in Case.objects.filter(open_cases_q())
        .values("owner_id")
        # Counting a column of the partial index case_open_by_owner_idx (never null), not
        # the id: the index then answers alone (an index-only scan, 8 ms at 70,000 open
        # cases on PostgreSQL, against 140 ms reading every open case's row for its id).
        .annotate(
            open_cases=Count("imminent_danger"),
            imminent_danger_count=Count("imminent_danger", filter=Q(imminent_danger=True)),
        )
        .order_by()
    }
    # 2. Overdue tasks (on open cases) per assignee.
    per_assignee: dict[int | None, dict[str, Any]] = {
        row["assignee_id"]: dict(row)
        for row in _overdue_tasks(today)
        .values("assignee_id")
        .annotate(overdue=Count("due_date"), oldest=Min("due_date"))
        .order_by()
    }
    unowned = per_owner.pop(None, None)
    if unowned:
        view.unassigned_count = unowned["open_cases"]
        view.unassigned_danger = unowned["imminent_danger_count"]
    nobody = per_assignee.pop(None, None)
    if nobody:
        view.overdue_unassigned_tasks = nobody["overdue"]

    # 3. The people: everyone who works cases, and anyone (even deactivated) still
    # holding open cases or overdue tasks.
    people = User.objects.filter(
        Q(is_active=True, role__in=_working_roles())
        | Q(pk__in=[pk for pk in (*per_owner, *per_assignee) if pk is not None])
    )
    loads = []
    for person in people:
        owned: dict[str, Any] = per_owner.get(person.pk, {})
        tasks: dict[str, Any] = per_assignee.get(person.pk, {})
        loads.append(
            AdvocateLoad(
                person=person,
                open_cases=owned.get("open_cases", 0),
                imminent_danger=owned.get("imminent_danger_count", 0),
                overdue_tasks=tasks.get("overdue", 0),
                oldest_overdue=tasks.get("oldest"),
            )
        )
    view.advocates = sorted(loads, key=_urgency)

    # 4 and 5 (and the viewer's restricted-case grants): the lists, bounded.
    opened = restricted_cases_opened_by(viewer) if shows_cases else []
    # The ids first (index probes only), then the few rows shown with what they display.
    # Every unattended case's id in one pass (bounded by the open imminent-danger cases,
    # a few thousand at most): the count and the list from the same scan, where a
    # separate COUNT walked the candidates a second time.
    ids = list(unattended_danger_cases(now=now).values_list("pk", flat=True))
    view.unattended_count = len(ids)
    ids = ids[:LIST_LENGTH]
    if ids:
        rows = _with_last_activity(
            _with_can_open(Case.objects.filter(pk__in=ids), viewer, opened).select_related("owner")
        )
        place = {pk: n for n, pk in enumerate(ids)}
        view.unattended = sorted(rows, key=lambda case: place[case.pk])
    if shows_cases and view.unassigned_count:
        view.unassigned = list(
            _with_can_open(unassigned_open_cases(), viewer, opened)[:LIST_LENGTH]
        )
    return view


def _overdue_tasks(today: date) -> QuerySet[Task]:
    """Open tasks past their date, on open cases. The two planners want the question put
    differently (measured on the 2,000,000-contact bench database: 70,000 open cases,
    26,000 overdue open tasks): PostgreSQL answers "case in (open cases)" from two partial
    indexes alone (task_overdue_idx, case_open_ids_idx) in 28 ms, against 230 ms joining
    case rows; SQLite answers the join, and uses case_open_ids_idx for each task's case
    only when the condition is that index's own ("not closed", 32 ms), reading the wide
    case rows for a list of open statuses (114 ms) and building the subquery (600 ms)."""
    overdue = Task.objects.filter(done_at__isnull=True, due_date__lt=today)
    if connection.vendor == "postgresql":
        return overdue.filter(case__in=Case.objects.filter(open_cases_q()).values("pk"))
    return overdue.filter(open_cases_q("case__"))


# --- One person's open work (the team page's links) -------------------------------------


def open_cases_of(*, viewer: User, owner: User | None) -> QuerySet[Case]:
    """Open cases owned by `owner` (None: nobody), as the case list shows them to
    `viewer`: restricted ones by reference only. Most urgent first."""
    if not viewer.can(Perm.CASE_VIEW):
        return Case.objects.none()
    qs = Case.objects.filter(open_cases_q())
    qs = qs.filter(owner__isnull=True) if owner is None else qs.filter(owner=owner)
    return (
        _with_can_open(qs, viewer, restricted_cases_opened_by(viewer))
        .select_related("owner")
        .order_by("-imminent_danger", "-updated_at", "-id")
    )


def overdue_tasks_of(*, viewer: User, assignee: User | None) -> QuerySet[Task]:
    """Overdue open tasks of `assignee` (None: nobody's) on open cases, oldest first,
    annotated `can_open` from their case."""
    if not viewer.can(Perm.CASE_VIEW):
        return Task.objects.none()
    qs = Task.objects.filter(
        open_cases_q("case__"), done_at__isnull=True, due_date__lt=timezone.localdate()
    )
    qs = qs.filter(assignee__isnull=True) if assignee is None else qs.filter(assignee=assignee)
    return (
        qs.annotate(
            can_open=ExpressionWrapper(
                may_open_q(viewer, "case", restricted_cases_opened_by(viewer)),
                output_field=BooleanField(),
            )
        )
        .select_related("case")
        .order_by("due_date", "id")
    )
