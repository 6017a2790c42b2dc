"""What each role's home page shows: the work waiting for this person, most urgent first.
Every list is a bounded, indexed query; the page costs the same number of queries
however many rows each list holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from puente.accounts.roles import Perm
from puente.cases.access import (
    openable_cases,
    restricted_cases_opened_by,
    visible_through_case_q,
)
from puente.cases.models import BreakGlass, Case, Task
from puente.intake.models import Contact, IntakeDraft
from puente.intake.queries import visible_contacts

QUEUE_LENGTH = 20


@dataclass
class HomeQueues:
    imminent_danger: list[Case] = field(default_factory=list)
    my_tasks: list[Task] = field(default_factory=list)
    my_cases: list[Case] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    my_recent_contacts: list[Contact] = field(default_factory=list)
    recent_contacts: list[Contact] = field(default_factory=list)
    my_drafts: list[IntakeDraft] = field(default_factory=list)
    break_glass_to_review: list[BreakGlass] = field(default_factory=list)
    today: object = None


def home_queues(*, user) -> HomeQueues:
    queues = HomeQueues(today=timezone.localdate())
    opened = restricted_cases_opened_by(user)
    if user.can(Perm.CASE_VIEW):
        open_cases = (
            openable_cases(user, opened)
            .filter(~Q(status="closed"))
            .select_related("owner")
            .order_by("-imminent_danger", "-updated_at")
        )
        queues.imminent_danger = list(open_cases.filter(imminent_danger=True)[:QUEUE_LENGTH])
        queues.my_cases = list(open_cases.filter(owner=user)[:QUEUE_LENGTH])
        if user.can(Perm.CASE_RESTRICT) or not user.can(Perm.CONTACT_CREATE):
            # Supervisors watch the whole floor; analysts and liaisons see the open work.
            queues.open_cases = list(open_cases[:QUEUE_LENGTH])
        queues.my_tasks = list(
            Task.objects.filter(
                visible_through_case_q(user, opened=opened), assignee=user, done_at__isnull=True
            )
            .select_related("case")
            .order_by("due_date", "id")[:QUEUE_LENGTH]
        )
    if user.can(Perm.CONTACT_VIEW):
        contacts = visible_contacts(user, opened).select_related("case").order_by("-started_at")
        if user.can(Perm.CONTACT_CREATE):
            queues.my_recent_contacts = list(contacts.filter(taken_by=user)[:QUEUE_LENGTH])
            queues.my_drafts = list(
                IntakeDraft.objects.filter(owner=user).order_by("-updated_at")[:5]
            )
        if user.can(Perm.CASE_RESTRICT) or not user.can(Perm.CONTACT_CREATE):
            queues.recent_contacts = list(contacts[:QUEUE_LENGTH])
    if user.can(Perm.CASE_RESTRICT):
        queues.break_glass_to_review = list(
            BreakGlass.objects.filter(reviewed_at__isnull=True)
            .select_related("case", "user")
            .order_by("-at")[:QUEUE_LENGTH]
        )
    return queues
