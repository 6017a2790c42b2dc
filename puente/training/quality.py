"""Quality review's rules: the rubric (a new version on every edit, the old one kept for
the reviews scored on it), drawing a random sample of an advocate's contacts, scoring a
review, the feedback an advocate reads, and quality over time.

Who: supervisors (quality.review) draw samples, review and edit the rubric — the rubric
is the supervisors' own working tool, and administrators, who do not review calls, hold
no quality.review. An advocate reads only the reviews of their own contacts.

A sample holds only contacts the reviewer may read (a restricted case's contact only for
its owner and the staff named on it, puente.cases.access); opening one for review is
checked again and audited like any contact view (puente.intake.queries.contact_for).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases.access import visible_through_case_q
from puente.core import choices as c
from puente.intake.models import Contact
from puente.training.models.quality import (
    Criterion,
    Review,
    ReviewSample,
    ReviewStatus,
    Rubric,
    Score,
)

MAX_SAMPLE = 50
MAX_CRITERIA = 12
# Calls with nothing to review: the caller hung up or dialled a wrong number.
NOT_REVIEWED_REASONS = (c.ReasonForContact.HANG_UP,)


def current_rubric() -> Rubric:
    rubric = Rubric.objects.filter(current=True).first()
    if rubric is None:
        raise ValidationError(_("There is no rubric yet: write one first."), code="no_rubric")
    return rubric


@transaction.atomic
def save_rubric(
    *,
    by: User,
    scale_max: int,
    criteria: list[dict[str, Any]],
    change_note: str = "",
    request: HttpRequest | None = None,
) -> Rubric:
    """A new rubric version, made current. Reviews already scored keep their rubric;
    reviews still waiting (no score yet) move to the new one."""
    criteria = [row for row in criteria if str(row.get("label_en") or "").strip()]
    if not criteria:
        raise ValidationError(_("A rubric needs at least one criterion."), code="empty")
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(
            _("A rubric has at most %(max)s criteria.") % {"max": MAX_CRITERIA}, code="too_many"
        )
    if not 2 <= scale_max <= 10:
        raise ValidationError(_("The highest score must be between 2 and 10."), code="scale")
    for row in criteria:
        if not str(row.get("label_es") or "").strip():
            raise ValidationError(
                _("Every criterion needs its label in both languages."), code="label"
            )
        if int(row.get("weight") or 0) < 1:
            raise ValidationError(_("A weight is a whole number, 1 or more."), code="weight")
    old = Rubric.objects.select_for_update().filter(current=True).first()
    Rubric.objects.filter(current=True).update(current=False)
    top = Rubric.objects.aggregate(top=Max("version"))["top"] or 0
    rubric = Rubric.objects.create(
        version=top + 1, scale_max=scale_max, current=True, change_note=change_note, created_by=by
    )
    Criterion.objects.bulk_create(
        Criterion(
            rubric=rubric,
            position=position,
            label_en=row["label_en"].strip(),
            label_es=row["label_es"].strip(),
            guidance_en=(row.get("guidance_en") or "").strip(),
            guidance_es=(row.get("guidance_es") or "").strip(),
            weight=int(row["weight"]),
        )
        for position, row in enumerate(criteria, start=1)
    )
    moved = 0
    if old is not None:
        moved = Review.objects.filter(rubric=old, status=ReviewStatus.PENDING).update(rubric=rubric)
    record_event(
        action="create",
        actor=by,
        obj=rubric,
        changes=[
            {"field": "version", "new": rubric.version},
            {"field": "criteria", "new": len(criteria)},
            {"field": "scale_max", "new": scale_max},
            {"field": "pending_moved", "new": moved},
        ],
        reason=change_note,
        request=request,
    )
    return rubric


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def reviewable_contacts(
    *, reviewer: User, advocate: User, start: date, end: date
) -> QuerySet[Contact]:
    """The advocate's contacts in the period that the reviewer may read and nobody has
    reviewed or sampled yet."""
    since, until = _day_bounds(start, end)
    return (
        Contact.objects.filter(taken_by=advocate, started_at__gte=since, started_at__lt=until)
        .filter(visible_through_case_q(reviewer))
        .exclude(reason__in=NOT_REVIEWED_REASONS)
        .filter(quality_review__isnull=True)
    )


@transaction.atomic
def draw_sample(
    *,
    by: User,
    advocate: User,
    start: date,
    end: date,
    size: int,
    request: HttpRequest | None = None,
    rng: random.Random | None = None,
) -> ReviewSample:
    if advocate.pk == by.pk:
        raise ValidationError(
            _("Your own contacts are reviewed by another supervisor."), code="self"
        )
    if end < start:
        raise ValidationError(_("The period ends before it starts."), code="period")
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError(
            _("A sample holds between 1 and %(max)s contacts.") % {"max": MAX_SAMPLE}, code="size"
        )
    rubric = current_rubric()
    ids = list(
        reviewable_contacts(reviewer=by, advocate=advocate, start=start, end=end).values_list(
            "pk", flat=True
        )
    )
    # Uniform without replacement; the ids are read once (an advocate's contacts in a
    # period are hundreds, not millions) so both databases draw the same way.
    chosen = (rng or random.SystemRandom()).sample(sorted(ids), min(size, len(ids)))
    sample = ReviewSample.objects.create(
        advocate=advocate, period_start=start, period_end=end, size=size, drawn_by=by
    )
    contacts = Contact.objects.filter(pk__in=chosen).only("pk", "started_at")
    Review.objects.bulk_create(
        Review(
            contact=contact,
            advocate=advocate,
            sample=sample,
            rubric=rubric,
            contact_at=contact.started_at,
        )
        for contact in contacts
    )
    record_event(
        action="create",
        actor=by,
        obj=sample,
        changes=[
            {"field": "advocate", "new": advocate.pk},
            {"field": "period", "new": f"{start.isoformat()}/{end.isoformat()}"},
            {"field": "size", "new": size},
            {"field": "drawn", "new": len(chosen)},
        ],
        request=request,
    )
    return sample


def weighted_score(*, rubric: Rubric, values: dict[int, int], weights: dict[int, int]) -> Decimal:
    """Weighted mean as a percentage of the highest score, one decimal."""
    total_weight = sum(weights.values())
    mean = Decimal(sum(weights[k] * values[k] for k in weights)) / Decimal(total_weight)
    return (mean / Decimal(rubric.scale_max) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_review(
    *,
    review: Review,
    by: User,
    values: dict[int, int],
    comments: str,
    request: HttpRequest | None = None,
) -> Review:
    """Score every criterion of the review's rubric (1 to its highest score) and write
    the feedback; a review already done is rescored (the audit keeps both)."""
    review = Review.objects.select_for_update().select_related("rubric").get(pk=review.pk)
    if review.advocate_id == by.pk:
        raise ValidationError(
            _("Your own contacts are reviewed by another supervisor."), code="self"
        )
    criteria = list(review.rubric.criteria.all())
    weights = {cr.pk: cr.weight for cr in criteria}
    if set(values) != set(weights):
        raise ValidationError(_("Score every criterion."), code="missing")
    if any(not 1 <= v <= review.rubric.scale_max for v in values.values()):
        raise ValidationError(
            _("Scores run from 1 to %(max)s.") % {"max": review.rubric.scale_max}, code="range"
        )
    old_score = review.score
    Score.objects.filter(review=review).delete()
    Score.objects.bulk_create(
        Score(review=review, criterion_id=k, value=v) for k, v in values.items()
    )
    review.score = weighted_score(rubric=review.rubric, values=values, weights=weights)
    review.comments = comments.strip()
    review.status = ReviewStatus.DONE
    review.reviewer = by
    review.reviewed_at = timezone.now()
    review.save()
    record_event(
        action="change",
        actor=by,
        obj=review,
        changes=[
            {"field": "score", "old": old_score, "new": review.score},
            {"field": "scores", "new": [values[cr.pk] for cr in criteria]},
        ],
        request=request,
    )
    return review


def pending_reviews(*, reviewer: User) -> QuerySet[Review]:
    return (
        Review.objects.filter(status=ReviewStatus.PENDING)
        .filter(visible_through_case_q(reviewer, "contact__case"))
        .exclude(advocate=reviewer)
        .select_related("advocate", "contact")
        .order_by("advocate__last_name", "contact_at")
    )


def feedback_for(*, advocate: User) -> QuerySet[Review]:
    return (
        Review.objects.filter(advocate=advocate, status=ReviewStatus.DONE)
        .select_related("reviewer", "rubric", "contact")
        .prefetch_related("scores__criterion")
        .order_by("-reviewed_at")
    )


@dataclass
class QualitySeries:
    name: str
    values: list[Decimal | None]
    counts: list[int]
    months: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, Decimal | None, int]]:
        return list(zip(self.months, self.values, self.counts, strict=True))


@dataclass
class QualityOverTime:
    months: list[str]  # "2026-11"
    series: list[QualitySeries] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(self.series[0].counts) if self.series else True


def _months(end: date, count: int) -> list[str]:
    year, month = end.year, end.month
    months = []
    for _i in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def quality_over_time(
    *, months: int = 6, today: date | None = None, team_label: str
) -> QualityOverTime:
    """Mean review score per month (of the contact) for the whole team and per advocate:
    one query, grouped here (a few hundred reviews a month at most)."""
    today = today or timezone.localdate()
    labels = _months(today, months)
    first = date.fromisoformat(labels[0] + "-01")
    since, _until = _day_bounds(first, today)
    rows = Review.objects.filter(status=ReviewStatus.DONE, contact_at__gte=since).values_list(
        "advocate_id",
        "advocate__first_name",
        "advocate__last_name",
        "advocate__username",
        "contact_at",
        "score",
    )
    team: dict[str, list[Decimal]] = {m: [] for m in labels}
    people: dict[int, tuple[str, dict[str, list[Decimal]]]] = {}
    for advocate_id, first_name, last_name, username, at, score in rows:
        if score is None:  # a review done always has a score (review_done_has_score)
            continue
        month = timezone.localtime(at).strftime("%Y-%m")
        if month not in team:
            continue
        team[month].append(score)
        name = f"{first_name} {last_name}".strip() or username
        people.setdefault(advocate_id, (name, {m: [] for m in labels}))[1][month].append(score)
    result = QualityOverTime(months=labels)
    result.series.append(
        QualitySeries(
            name=team_label,
            values=[_mean(team[m]) for m in labels],
            counts=[len(team[m]) for m in labels],
            months=labels,
        )
    )
    for name, by_month in sorted(people.values(), key=lambda p: p[0].lower()):
        result.series.append(
            QualitySeries(
                name=name,
                values=[_mean(by_month[m]) for m in labels],
                counts=[len(by_month[m]) for m in labels],
                months=labels,
            )
        )
    return result
