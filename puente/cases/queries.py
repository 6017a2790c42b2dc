"""Case reads: the case list, one case with everything on its page, break-glass review.

Each read here runs a fixed number of queries however many persons, contacts or
notes a case has: a case page must stay fast on a case that ran for months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from puente.accounts.models import User
from puente.cases.access import (
    may_open_q,
    openable_cases,
    restricted_cases_opened_by,
    visible_through_case_q,
)
from puente.cases.models import (
    BreakGlass,
    Case,
    CaseAccess,
    CaseNote,
    Identifier,
    Person,
    Task,
    open_cases_q,
)
from puente.core import choices as c
from puente.core.permissions import Perm


def cases_for_list(
    *,
    user: User,
    status: str = "",
    imminent_danger: bool = False,
    mine: bool = False,
    restricted: bool = False,
) -> QuerySet[Case]:
    """Every case `user` may know exists, annotated `can_open`: a restricted case the
    user is not named on is listed (so no one opens a duplicate) but not read."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.CASE_VIEW):
        return Case.objects.none()
    qs = Case.objects.select_related("owner").annotate(
        can_open=ExpressionWrapper(may_open_q(user), output_field=BooleanField())
    )
    if status:
        qs = qs.filter(status=status)
    if imminent_danger:
        qs = qs.filter(imminent_danger=True)
    if mine:
        qs = qs.filter(owner=user)
    if restricted:
        qs = qs.filter(restricted=True)
    return qs.order_by("-imminent_danger", "-updated_at", "-id")


def case_by_reference(*, reference: str) -> Case | None:
    return Case.objects.select_related("owner").filter(reference=reference.upper()).first()


def persons_with_role_q(role: str, *, prefix: str = "") -> Q:
    """Persons holding `role` among their roles, on SQLite and PostgreSQL alike (neither
    database's JSON containment is portable; the quoted code is matched in the list's
    text, and no role code is a quoted part of another)."""
    return Q(**{f"{prefix}roles__icontains": f'"{role}"'})


PERSON_GROUPS = [
    (c.PersonRole.POTENTIAL_VICTIM, c.PersonRole.POTENTIAL_VICTIM.label),
    (c.PersonRole.EXPLOITER, c.PersonRole.EXPLOITER.label),
    (c.PersonRole.SIGNALER, c.PersonRole.SIGNALER.label),
    (c.PersonRole.OTHER, c.PersonRole.OTHER.label),
]


@dataclass
class CasePage:
    case: Case
    persons_by_role: list[tuple[str, str | Promise, list[Person]]] = field(default_factory=list)
    unlinked_identifiers: list[Identifier] = field(default_factory=list)
    # For the summary at the top of the page: the open task due soonest, and whether
    # its day has passed.
    open_tasks: int = 0
    next_task: Task | None = None
    next_task_overdue: bool = False


def case_page(*, case_id: int, include_access_list: bool = False) -> CasePage:
    """One case with every related list prefetched, in a constant number of queries.
    Its contacts are not among them: a case can gather thousands over the years, and
    the page shows the newest on its timeline (`puente.cases.timeline`)."""
    prefetches: list[str | Prefetch] = [
        Prefetch(
            "persons",
            queryset=Person.objects.prefetch_related(
                Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "id"))
            ),
        ),
        Prefetch(
            "identifiers",
            queryset=Identifier.objects.filter(person__isnull=True).order_by("kind", "id"),
            to_attr="unlinked_identifiers",
        ),
        "locations",
        Prefetch("tasks", queryset=Task.objects.select_related("assignee")),
        Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
    ]
    if include_access_list:
        prefetches.append(
            Prefetch(
                "access_list",
                queryset=CaseAccess.objects.select_related("user", "granted_by").order_by(
                    "granted_at"
                ),
            )
        )
    case = (
        Case.objects.select_related("owner", "created_by")
        .prefetch_related(*prefetches)
        .get(pk=case_id)
    )
    groups: dict[str, list[Person]] = {code: [] for code, _label in PERSON_GROUPS}
    for person in case.persons.all():
        # A person with several roles is shown under each (victim and signaler).
        for role in person.roles:
            groups.setdefault(role, []).append(person)
    # unlinked_identifiers: the Prefetch(to_attr=…) above puts it on the case.
    page = CasePage(case=case, unlinked_identifiers=case.unlinked_identifiers)  # type: ignore[attr-defined]
    page.persons_by_role = [(code, label, groups[code]) for code, label in PERSON_GROUPS]
    open_tasks = [task for task in case.tasks.all() if task.done_at is None]
    page.open_tasks = len(open_tasks)
    due = sorted((t for t in open_tasks if t.due_date), key=lambda t: (t.due_date, t.pk))
    if due:
        page.next_task = due[0]
        page.next_task_overdue = bool(due[0].due_date and due[0].due_date < timezone.localdate())
    return page


def break_glass_events(*, unreviewed_only: bool = True) -> QuerySet[BreakGlass]:
    qs = BreakGlass.objects.select_related("case", "user", "reviewed_by").order_by("-at")
    if unreviewed_only:
        qs = qs.filter(reviewed_at__isnull=True)
    return qs


def active_break_glass(*, case: Case, user: User) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(case=case, user=user, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def is_named_on(*, case: Case, user: User) -> bool:
    return case.owner_id == user.pk or CaseAccess.objects.filter(case=case, user=user).exists()


# --- the home page: the case work waiting for this person, most urgent first ---------

HOME_QUEUE_LENGTH = 20


@dataclass
class CaseQueues:
    """Each list is a bounded, indexed query; the section costs the same number of
    queries however many rows each list holds."""

    today: date
    imminent_danger: list[Case] = field(default_factory=list)
    my_tasks: list[Task] = field(default_factory=list)
    my_cases: list[Case] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    break_glass_to_review: list[BreakGlass] = field(default_factory=list)
    show_my_cases: bool = False


def home_case_queues(*, user: User) -> CaseQueues | None:
    watches_floor = user.can(Perm.CASE_RESTRICT)
    if not user.can(Perm.CASE_VIEW) and not watches_floor:
        return None
    queues = CaseQueues(today=timezone.localdate())
    if user.can(Perm.CASE_VIEW):
        opened = restricted_cases_opened_by(user)
        open_cases = (
            openable_cases(user, opened)
            .filter(open_cases_q())
            .select_related("owner")
            .order_by("-imminent_danger", "-updated_at")
        )
        queues.imminent_danger = list(open_cases.filter(imminent_danger=True)[:HOME_QUEUE_LENGTH])
        # The role, not the live-call gate: an advocate sent back to practice keeps
        # their own cases on their home page.
        takes_contacts = user.role_gives(Perm.CONTACT_CREATE)
        queues.show_my_cases = takes_contacts
        queues.my_cases = list(open_cases.filter(owner=user)[:HOME_QUEUE_LENGTH])
        if watches_floor or not takes_contacts:
            # Supervisors watch the whole floor; analysts and liaisons see the open work.
            queues.open_cases = list(open_cases[:HOME_QUEUE_LENGTH])
        queues.my_tasks = list(
            Task.objects.filter(
                visible_through_case_q(user, opened=opened), assignee=user, done_at__isnull=True
            )
            .select_related("case")
            .order_by("due_date", "id")[:HOME_QUEUE_LENGTH]
        )
    if watches_floor:
        queues.break_glass_to_review = list(
            BreakGlass.objects.filter(reviewed_at__isnull=True)
            .select_related("case", "user")
            .order_by("-at")[:HOME_QUEUE_LENGTH]
        )
    return queues


# --- who is in the case (read by the referrals app's consent and legal-duty rules) --------

# Age bands that say "under 18": CTDC's 0–8 and 9–17, and "minor, age unknown" (the
# person appears to be a minor).
MINOR_AGE_BANDS = ("0-8", "9-17", "minor")


def minor_person_q(prefix: str = "") -> Q:
    """Persons who are, or appear to be, under 18: an exact age below 18 or, with no
    exact age, a minor's age band (as `Person.is_minor` says). `prefix` reaches the
    person from another model ("persons__")."""
    return Q(**{f"{prefix}age__lt": 18}) | Q(
        **{f"{prefix}age__isnull": True, f"{prefix}age_band__in": MINOR_AGE_BANDS}
    )


def case_has_minor(*, case_id: int) -> bool:
    """Is a person in the case (or does one appear to be) under 18? The one answer the
    "a minor" legal duty and the report prompt rely on."""
    return Person.objects.filter(minor_person_q(), case_id=case_id).exists()


def case_has_family_exploiter(*, case_id: int) -> bool:
    """Is a family member recorded as a potential victim's exploiter or recruiter? Then a
    parent's or guardian's consent may come from the person exploiting them."""
    return Person.objects.filter(
        case_id=case_id, relationship_to_trafficker=c.RelationshipToTrafficker.FAMILIAL
    ).exists()


def involves_mexico(*, case: Case) -> bool:
    """A case with a place in Mexico or a person with Mexican citizenship (reads the
    prefetched lists when the case page has them)."""
    if case.reference.startswith("MX-"):
        return True
    if any(location.country == "MX" for location in case.locations.all()):
        return True
    return any("MX" in (person.citizenship or []) for person in case.persons.all())


def shows_mexican_frame(*, case: Case | None) -> bool:
    """Mexico's legal frame (Ley General, art. 10 forms) is shown on a Mexican hotline, and
    on a U.S. one only for a case that involves Mexico."""
    if settings.PUENTE_COUNTRY == "MX":
        return True
    return case is not None and involves_mexico(case=case)
