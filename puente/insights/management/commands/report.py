"""`puente report`: generate a periodic report now, printing its progress.

    puente report --kind monthly --period 2026-01 --format xlsx,pdf --language es --out DIR

`--period` is a month (2026-01), half a fiscal year (2026-H1), a fiscal year (2026) or
any days (2026-01-01..2026-03-31); without it, the most recent whole period of the kind.
The files are kept with the others (PUENTE_REPORTS_DIR, downloadable from the Reports
page) and, with `--out`, copied to DIR. The same generation runs in the worker when a
report is asked for on the web; this command runs it here and now.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from puente.insights.reports import domain, queries
from puente.insights.reports.choices import FileFormat, ReportKind
from puente.insights.reports.definitions import DefinitionError
from puente.insights.reports.periods import PeriodError


class Command(BaseCommand):
    help = "Generate a periodic report (XLSX and/or PDF), printing its progress."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReportKind.values, default=ReportKind.MONTHLY)
        parser.add_argument(
            "--period",
            help="2026-01, 2026-H1, 2026 (fiscal year) or 2026-01-01..2026-03-31. "
            "Default: the most recent whole period of the kind.",
        )
        parser.add_argument(
            "--format",
            default="xlsx,pdf",
            help="xlsx, pdf or both, comma-separated (default: xlsx,pdf).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the report (default: the hotline's, PUENTE_DEFAULT_LANGUAGE).",
        )
        parser.add_argument("--out", type=Path, help="Also copy the files to this folder.")

    def handle(self, *args, kind, period, format, language, out, **options):
        formats = [part.strip().lower() for part in format.split(",") if part.strip()]
        unknown = [fmt for fmt in formats if fmt not in FileFormat.values]
        if unknown or not formats:
            raise CommandError(f"--format: choose xlsx, pdf or both (not {', '.join(unknown)})")
        try:
            chosen = (
                domain.report_period(kind=kind, period=period)
                if period
                else queries.last_complete_period(kind=kind)
            )
            run = domain.request_report(
                by=None,
                kind=kind,
                period=chosen,
                language=language or settings.LANGUAGE_CODE,
                formats=formats,
                via="cli",
            )
        except (PeriodError, DefinitionError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Report #{run.pk}: {run.kind} {chosen.token} "
            f"({chosen.start.isoformat()} to {chosen.end.isoformat()}), {run.language}, "
            f"{', '.join(run.formats)}"
        )
        try:
            run = domain.generate_report(run_id=run.pk, progress=self._progress)
        except Exception as exc:
            raise CommandError(f"Report #{run.pk} failed: {exc}") from exc
        folder = Path(settings.PUENTE_REPORTS_DIR)
        for fmt in run.formats:
            self.stdout.write(f"  {fmt}: {folder / run.file_for(fmt)}")
        if out:
            for path in domain.export_files(run=run, out=out):
                self.stdout.write(f"  copied to {path}")
        self.stdout.write(self.style.SUCCESS(f"Report #{run.pk} done."))

    def _progress(self, step: domain.Progress) -> None:
        percent = int(100 * step.done / step.total) if step.total else 100
        what = f"{step.step} written" if step.step in FileFormat.values else f"{step.step} counted"
        self.stdout.write(f"  [{step.done}/{step.total}] {percent:3d}% {what}")
        self.stdout.flush()
