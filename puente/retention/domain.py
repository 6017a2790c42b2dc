"""Retention: the rules administrators set, and the purge that applies them.

`purge` applies one category's rule in bounded batches. Each batch is its own
transaction: it chooses the oldest due records (locking them, so a case reopened at that
moment is either purged before the reopen or not at all), has the app that owns them
delete them, removes their search entries, forgets the content of every audit entry
about every row that went, and writes its own audit entry with the count — never the
content. A run stopped half-way (Ctrl+C, a crash, a deploy) has committed whole batches
only, so running it again simply carries on with what is still due.

`purge_due` runs every category (`puente purge`, and the worker on the schedule in
`settings.PUENTE_SCHEDULE`), recording the run and its counts (`PurgeRun`) and auditing
its start and end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit import domain as audit
from puente.cases import domain as cases
from puente.core.permissions import Perm
from puente.core.purging import Deleted
from puente.federation import domain as federation
from puente.intake import domain as intake
from puente.retention import queries
from puente.retention.models import PurgeRun, RetentionRule
from puente.retention.rules import (
    DEFAULT_FOR,
    DEFAULTS,
    MAXIMUM_DAYS,
    MINIMUM_DAYS,
    Category,
    Unit,
    cutoff,
    length_in_days,
)
from puente.search.indexing import compact_index, forget_entries
from puente.search.models import SearchEntry

DEFAULT_BATCH_SIZE = 500
# The order categories are purged in: a closed case takes its contacts with it, so cases
# go before the contacts that are left unlinked.
ORDER: tuple[str, ...] = (
    Category.CLOSED_CASES,
    Category.UNLINKED_CONTACTS,
    Category.DRAFTS,
    Category.EXCHANGE_PAYLOADS,
    Category.REFUSAL_SUMMARIES,
)
RULE_FIELDS = ("keep_for", "unit", "enabled")


# --- The rules ---------------------------------------------------------------------------


def current_rules() -> list[RetentionRule]:
    """Every category's rule, in the order of `DEFAULTS`; a category never set yet gets
    its shipped default (stored, so the page and the purge read the same row)."""
    stored = {rule.category: rule for rule in RetentionRule.objects.all()}
    missing = [d for d in DEFAULTS if d.category not in stored]
    if missing:
        RetentionRule.objects.bulk_create(
            [RetentionRule(category=d.category, keep_for=d.keep_for, unit=d.unit) for d in missing],
            ignore_conflicts=True,  # another process made them first: same defaults
        )
        stored = {rule.category: rule for rule in RetentionRule.objects.all()}
    return [stored[d.category] for d in DEFAULTS]


def rule_for(*, category: str) -> RetentionRule:
    return next(rule for rule in current_rules() if rule.category == category)


def check_rule(*, category: str, keep_for: int, unit: str) -> None:
    """A keep shorter than the category's floor, or longer than 30 years, is refused."""
    if unit not in Unit.values:
        raise ValidationError({"unit": _("Choose days or months.")})
    if keep_for < 1:
        raise ValidationError({"keep_for": _("Keep records for at least one day.")})
    days = length_in_days(keep_for=keep_for, unit=unit)
    if days < MINIMUM_DAYS[category]:
        raise ValidationError(
            {
                "keep_for": _("%(records)s must be kept at least %(days)s days.")
                % {"records": Category(category).label, "days": MINIMUM_DAYS[category]}
            }
        )
    if days > MAXIMUM_DAYS:
        raise ValidationError(
            {"keep_for": _("At most 30 years; to keep these records forever, switch purging off.")}
        )


def update_rule(
    *,
    rule: RetentionRule,
    by: User,
    keep_for: int,
    unit: str,
    enabled: bool,
    request: HttpRequest | None = None,
) -> RetentionRule:
    """Change how long one kind of record is kept; audited with the old and new values."""
    if not by.can(Perm.RETENTION_MANAGE):
        raise PermissionDenied
    check_rule(category=rule.category, keep_for=keep_for, unit=unit)
    with transaction.atomic():
        current = RetentionRule.objects.select_for_update().get(pk=rule.pk)
        before = {name: getattr(current, name) for name in RULE_FIELDS}
        after = {"keep_for": keep_for, "unit": unit, "enabled": enabled}
        changes = audit.field_changes(before, after)
        if not changes:
            return current
        for name, value in after.items():
            setattr(current, name, value)
        current.changed_by = by
        current.changed_at = timezone.now()
        current.save()
        audit.record_event(
            action="change",
            actor=by,
            obj=current,
            object_ref=current.category,
            changes=changes,
            request=request,
        )
    return current


# --- The purge ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Told after every committed batch."""

    category: str
    batch: int
    purged: int  # in this run so far, this category
    due: int | None  # due when the category began (None: the owning app does not say)


@dataclass
class CategoryReport:
    category: str
    enabled: bool
    dry_run: bool
    cutoff: datetime | None = None
    due: int | None = None  # None: not counted (the exchange's categories in a dry run)
    oldest: datetime | None = None
    newest: datetime | None = None
    held: int = 0
    purged: int = 0
    batches: int = 0
    complete: bool = True  # False: stopped at max_batches with more still due

    def as_counts(self) -> dict[str, Any]:
        """For PurgeRun.counts and the audit trail: numbers and dates only."""
        row = asdict(self)
        for key in ("cutoff", "oldest", "newest"):
            row[key] = row[key].isoformat() if row[key] else None
        return row


def _forget(deleted: Deleted) -> None:
    """Every audit entry about every row that went loses its content; the chain stays."""
    for object_type, ids in deleted.items():
        audit.forget_content(object_type=object_type, object_ids=ids)


def _purge_local_batch(*, category: str, before: datetime, batch_size: int) -> int:
    """One transaction: the oldest due records of a local category, gone with all trace
    of their content. Returns how many records of the category went (0: none left)."""
    ids = list(
        queries.due(category=category, cutoff=before)
        .select_for_update()
        .values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    if category == Category.DRAFTS:
        return intake.purge_drafts(draft_ids=ids)
    deleted: Deleted = {}
    contact_ids = ids
    if category == Category.CLOSED_CASES:
        contact_ids = queries.contacts_of_cases(case_ids=ids)
    if contact_ids:
        deleted.update(intake.purge_contacts(contact_ids=contact_ids))
        forget_entries(kind=SearchEntry.KIND_CONTACT, object_ids=contact_ids)
    if category == Category.CLOSED_CASES:
        for object_type, gone in cases.purge_cases(case_ids=ids).items():
            deleted[object_type] = sorted({*deleted.get(object_type, []), *gone})
        forget_entries(kind=SearchEntry.KIND_CASE, object_ids=ids)
    _forget(deleted)
    return len(ids)


def _purge_exchange_batch(*, category: str, before: datetime, batch_size: int) -> int:
    # The federation app chooses and clears its own rows. Its audit entries name fields,
    # statuses and message ids, never a payload, so there is no audit content to forget.
    if category == Category.EXCHANGE_PAYLOADS:
        return federation.purge_exchange_payloads(older_than=before, limit=batch_size)
    return federation.purge_refusal_summaries(older_than=before, limit=batch_size)


def purge(
    *,
    category: str,
    now: datetime,
    dry_run: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[Progress], object] | None = None,
    max_batches: int | None = None,
    via: str = "cli",
) -> CategoryReport:
    """Apply one category's rule as of `now`. A dry run counts (how many, oldest, newest)
    and changes nothing. Otherwise deletes in batches of `batch_size`, each committed and
    audited before `progress` is told, stopping after `max_batches` if given."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    rule = rule_for(category=category)
    report = CategoryReport(category=category, enabled=rule.enabled, dry_run=dry_run)
    if not rule.enabled:
        return report
    report.cutoff = before = cutoff(now=now, keep_for=rule.keep_for, unit=rule.unit)
    local = category in queries.LOCAL_CATEGORIES
    if local:
        found = queries.preview(category=category, cutoff=before)
        report.due, report.oldest, report.newest = found.due, found.oldest, found.newest
        report.held = found.held
    if dry_run:
        return report
    step = _purge_local_batch if local else _purge_exchange_batch
    while max_batches is None or report.batches < max_batches:
        with transaction.atomic():
            went = step(category=category, before=before, batch_size=batch_size)
            if went:
                audit.record_event(
                    action="delete",
                    object_type="retention",
                    object_ref=category,
                    changes=[
                        {"field": "purged", "old": None, "new": went},
                        {"field": "before", "old": None, "new": before.isoformat()},
                    ],
                    reason=f"retention: {went} {category} kept past {rule.keep_for} {rule.unit}",
                    via=via,
                )
        if not went:
            return report
        report.batches += 1
        report.purged += went
        if progress:
            progress(
                Progress(
                    category=category, batch=report.batches, purged=report.purged, due=report.due
                )
            )
        if went < batch_size:
            return report  # fewer than asked for: nothing else was due
    report.complete = False
    return report


@dataclass
class RunReport:
    run: PurgeRun
    categories: list[CategoryReport] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(report.complete for report in self.categories)

    @property
    def purged(self) -> int:
        return sum(report.purged for report in self.categories)


def purge_due(
    *,
    now: datetime | None = None,
    dry_run: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[Progress], object] | None = None,
    max_batches: int | None = None,
    categories: tuple[str, ...] = ORDER,
    via: str = "cli",
) -> RunReport:
    """Every category in turn (closed cases first, as they take their contacts). The run
    is recorded (`PurgeRun`) and audited when it starts and ends, with counts only."""
    now = now or timezone.now()
    action = "view" if dry_run else "delete"
    kind = "dry run" if dry_run else "purge"
    run = PurgeRun.objects.create(started_at=timezone.now(), dry_run=dry_run, via=via)
    audit.record_event(
        action=action,
        object_type="retention_run",
        object_id=run.pk,
        reason=f"{kind} started",
        via=via,
    )
    result = RunReport(run=run)
    for category in categories:
        report = purge(
            category=category,
            now=now,
            dry_run=dry_run,
            batch_size=batch_size,
            progress=progress,
            max_batches=max_batches,
            via=via,
        )
        result.categories.append(report)
        run.counts[category] = report.as_counts()
        PurgeRun.objects.filter(pk=run.pk).update(counts=run.counts)
    if any(r.purged for r in result.categories if r.category in queries.LOCAL_CATEGORIES):
        compact_index()  # the search index's own tables forget the words too
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at", "counts"])
    summary = ", ".join(
        f"{r.category}: {r.due if dry_run else r.purged}" for r in result.categories if r.enabled
    )
    audit.record_event(
        action=action,
        object_type="retention_run",
        object_id=run.pk,
        reason=f"{kind} finished ({'due' if dry_run else 'purged'}) — {summary}",
        changes=[
            {"field": c.category, "old": None, "new": c.as_counts()} for c in result.categories
        ],
        via=via,
    )
    return result


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_FOR",
    "ORDER",
    "CategoryReport",
    "Progress",
    "RunReport",
    "check_rule",
    "current_rules",
    "purge",
    "purge_due",
    "rule_for",
    "update_rule",
]
