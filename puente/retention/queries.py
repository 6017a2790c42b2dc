"""What is due under a rule, and what a dry run shows: counts and dates, never content.

Only the categories whose records live in apps below this one are selected here (drafts,
contacts, cases). The exchange's payloads and refusal summaries are selected and
deleted by the federation app itself (`puente.federation.domain.purge_exchange_payloads`,
`purge_refusal_summaries`), so a dry run cannot count them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, QuerySet

from puente.accounts.models import User
from puente.cases.models import Case
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.federation.models import CrossBorderReferral
from puente.intake.models import Contact, IntakeDraft
from puente.retention.models import PurgeRun
from puente.retention.rules import Category

# The field each local category's clock reads.
CLOCK: dict[str, str] = {
    Category.DRAFTS: "updated_at",
    Category.UNLINKED_CONTACTS: "started_at",
    Category.CLOSED_CASES: "closed_at",
}
LOCAL_CATEGORIES = tuple(CLOCK)


@dataclass(frozen=True)
class Preview:
    """What a purge would delete now: how many, the oldest and newest clock among them,
    and how many are past their time but held back (a closed case a cross-border
    referral still points to)."""

    due: int
    oldest: datetime | None
    newest: datetime | None
    held: int = 0


def _closed_before(cutoff: datetime) -> QuerySet[Case]:
    return Case.objects.filter(status=c.CaseStatus.CLOSED, closed_at__lt=cutoff)


def _held_by_the_exchange() -> QuerySet[Any]:
    # A cross-border referral protects its case (on_delete=PROTECT): the referral is the
    # record both hotlines share, and goes under the exchange's own rules first.
    return CrossBorderReferral.objects.filter(case__isnull=False).values("case_id")


def due(*, category: str, cutoff: datetime) -> QuerySet[Any]:
    """The records of a local category whose clock is before `cutoff`, oldest first."""
    clock = CLOCK[category]
    rows: QuerySet[Any]
    if category == Category.DRAFTS:
        rows = IntakeDraft.objects.filter(updated_at__lt=cutoff)
    elif category == Category.UNLINKED_CONTACTS:
        rows = Contact.objects.filter(case__isnull=True, started_at__lt=cutoff)
    else:
        rows = _closed_before(cutoff).exclude(pk__in=_held_by_the_exchange())
    return rows.order_by(clock, "pk")


def preview(*, category: str, cutoff: datetime) -> Preview:
    clock = CLOCK[category]
    found = (
        due(category=category, cutoff=cutoff)
        .order_by()
        .aggregate(due=Count("pk"), oldest=Min(clock), newest=Max(clock))
    )
    held = 0
    if category == Category.CLOSED_CASES:
        held = _closed_before(cutoff).filter(pk__in=_held_by_the_exchange()).count()
    return Preview(due=found["due"], oldest=found["oldest"], newest=found["newest"], held=held)


def contacts_of_cases(*, case_ids: list[int]) -> list[int]:
    return list(Contact.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))


def recent_runs(*, limit: int = 10) -> list[PurgeRun]:
    return list(PurgeRun.objects.order_by("-started_at", "-id")[:limit])


def may_manage_retention(*, user: User) -> bool | None:
    """The home page's link to the rules, for those who may change them (else None)."""
    return True if user.can(Perm.RETENTION_MANAGE) else None
