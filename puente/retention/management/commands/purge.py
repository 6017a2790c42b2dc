"""`puente purge`: apply the retention rules now.

    puente purge --dry-run      how many records of each kind would go, oldest and newest
    puente purge                delete them, batch by batch, printing progress

Each batch is its own transaction and is audited (counts only), so an interrupted purge
keeps what it finished and a second run carries on with the rest. The worker runs the
same purge on its schedule (settings.PUENTE_SCHEDULE); this command is for the first
run, a check, or a hotline that runs no worker.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from puente.retention import domain
from puente.retention.domain import CategoryReport, Progress
from puente.retention.rules import Category


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


class Command(BaseCommand):
    help = "Apply the retention rules: --dry-run lists what would go; without it, deletes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )
        parser.add_argument(
            "--category",
            action="append",
            choices=list(domain.ORDER),
            help="Only this kind of record (repeat for several). Default: all.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=domain.DEFAULT_BATCH_SIZE,
            help=f"Records per transaction (default {domain.DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args, dry_run, category, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        chosen = tuple(c for c in domain.ORDER if not category or c in category)
        self.stdout.write(
            "Dry run: nothing is deleted." if dry_run else "Purging records past their time."
        )
        result = domain.purge_due(
            dry_run=dry_run,
            batch_size=batch_size,
            progress=self._progress,
            categories=chosen,
            via="cli",
        )
        for report in result.categories:
            self._report(report)
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Dry run #{result.run.pk} done: nothing changed.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Purge #{result.run.pk} done: {result.purged} records deleted.")
            )

    def _progress(self, step: Progress) -> None:
        of = f" of {step.due}" if step.due is not None else ""
        self.stdout.write(f"  {step.category}: batch {step.batch}, {step.purged}{of} purged")

    def _report(self, report: CategoryReport) -> None:
        label = f"{Category(report.category).label} ({report.category})"
        if not report.enabled:
            self.stdout.write(f"{label}: switched off, nothing purged")
            return
        before = f"before {_day(report.cutoff)}"
        if report.due is None:
            counted = "not counted here (the federation app chooses them as it purges)"
        else:
            counted = (
                f"{report.due} due, oldest {_day(report.oldest)}, newest {_day(report.newest)}"
            )
        held = f"; {report.held} held by a cross-border referral" if report.held else ""
        line = f"{label}, {before}: {counted}{held}"
        if not report.dry_run:
            line += f"; {report.purged} purged"
        self.stdout.write(line)
