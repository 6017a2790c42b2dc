"""Case reads: the case list, one case with everything on its page, break-glass review.

Each read here runs a fixed number of queries however many persons, contacts or
notes a case has: a case page must stay fast on a case that ran for months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, QuerySet
from django.utils import timezone

from puente.accounts.models import User
from puente.accounts.roles import ROLE_PERMISSIONS, Perm
from puente.cases.access import _open_for_user_q
from puente.cases.models import BreakGlass, Case, CaseAccess, CaseNote, Identifier, Person, Task
from puente.core import choices as c
from puente.screening.models import Screening


def cases_for_list(
    *,
    user,
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
        can_open=ExpressionWrapper(_open_for_user_q(user), output_field=BooleanField())
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


PERSON_GROUPS = [
    (c.PersonRole.POTENTIAL_VICTIM, c.PersonRole.POTENTIAL_VICTIM.label),
    (c.PersonRole.EXPLOITER, c.PersonRole.EXPLOITER.label),
    (c.PersonRole.SIGNALER, c.PersonRole.SIGNALER.label),
    (c.PersonRole.OTHER, c.PersonRole.OTHER.label),
]


@dataclass
class CasePage:
    case: Case
    persons_by_role: list[tuple[str, str, list[Person]]] = field(default_factory=list)
    unlinked_identifiers: list[Identifier] = field(default_factory=list)


def case_page(*, case_id: int, include_access_list: bool = False) -> CasePage:
    """One case with every related list prefetched, in a constant number of queries."""
    prefetches = [
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
        "contacts",
        Prefetch("screenings", queryset=Screening.objects.select_related("screened_by")),
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
        groups.setdefault(person.role, []).append(person)
    page = CasePage(case=case, unlinked_identifiers=case.unlinked_identifiers)
    page.persons_by_role = [(code, label, groups[code]) for code, label in PERSON_GROUPS]
    return page


def staff_for_assignment() -> QuerySet[User]:
    """Who can be given a case or a task: active staff whose role works cases."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_EDIT in perms]
    return User.objects.filter(is_active=True, role__in=roles).order_by("first_name", "last_name")


def staff_with_case_access() -> QuerySet[User]:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_VIEW in perms]
    return User.objects.filter(is_active=True, role__in=roles).order_by("first_name", "last_name")


def break_glass_events(*, unreviewed_only: bool = True) -> QuerySet[BreakGlass]:
    qs = BreakGlass.objects.select_related("case", "user", "reviewed_by").order_by("-at")
    if unreviewed_only:
        qs = qs.filter(reviewed_at__isnull=True)
    return qs


def active_break_glass(*, case: Case, user) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(case=case, user=user, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def is_named_on(*, case: Case, user) -> bool:
    return case.owner_id == user.pk or CaseAccess.objects.filter(case=case, user=user).exists()
