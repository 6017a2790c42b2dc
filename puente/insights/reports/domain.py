"""Periodic reports: asking for one, generating it with its progress, and the audited
reads of what it holds (the list behind a figure, a file downloaded).

`request_report` records the request (audited) and leaves the run queued; the worker
(`tasks.generate_report`) or `puente report` then calls `generate_report`, which claims
the run, counts each section on the analysis database (a read replica when there is
one), writes the files and reports progress after every step, each step committed on
its own so a page polling the run sees it move.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.core.analysis_db import analysis_database
from puente.core.permissions import Perm
from puente.insights.models import ReportRun
from puente.insights.queries import InsightFilter
from puente.insights.reports import periods
from puente.insights.reports.choices import FileFormat, ReportKind, RunStatus
from puente.insights.reports.definitions import (
    DefinitionError,
    Definitions,
    Row,
    current_definitions,
)
from puente.insights.reports.document import Document, DocumentRow, DocumentSection
from puente.insights.reports.figures import FigureList, count_section, list_behind
from puente.insights.reports.pdf import write_pdf
from puente.insights.reports.xlsx import write_xlsx

logger = logging.getLogger("puente.insights")

WRITERS: dict[str, Callable[[Document], bytes]] = {
    FileFormat.XLSX: write_xlsx,
    FileFormat.PDF: write_pdf,
}
CONTENT_TYPES: dict[str, str] = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PDF: "application/pdf",
}
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class Progress:
    """Told after every step: a section counted or a file written."""

    run: ReportRun
    done: int
    total: int
    step: str


# --- Asking for a report ------------------------------------------------------------------


def report_period(
    *, kind: str, period: str, definitions: Definitions | None = None
) -> periods.Period:
    """`period` as written ("2026-01", "2026-H1", "2026", "2026-01-01..2026-03-31") for a
    report of `kind`, on this hotline's fiscal year."""
    definitions = definitions or current_definitions()
    return periods.parse_period(
        period, kind=kind, start_month=definitions.fiscal_start(settings.PUENTE_COUNTRY)
    )


def check_request(
    *, kind: str, period: periods.Period, language: str, formats: list[str], today: date
) -> None:
    errors: dict[str, Any] = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose a monthly, semi-annual or annual report.")
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose English or Spanish.")
    if not formats or any(fmt not in FileFormat.values for fmt in formats):
        errors["formats"] = _("Choose the spreadsheet, the PDF or both.")
    if period.start > today:
        errors["period_start"] = _("The period has not started yet.")
    if errors:
        raise ValidationError(errors)


def request_report(
    *,
    by: User | None,
    kind: str,
    period: periods.Period,
    language: str,
    formats: list[str],
    via: str = "web",
    request: HttpRequest | None = None,
) -> ReportRun:
    """Queue a report (the caller queues its generation once this commits). `by` is None
    only for `puente report` run on the server, which needs no account."""
    if by is not None and not by.can(Perm.INSIGHTS_VIEW):
        raise PermissionDenied
    try:
        definitions = current_definitions()
    except DefinitionError as exc:
        raise ValidationError(
            _("The report definitions cannot be used: %(problems)s")
            % {"problems": "; ".join(exc.problems)}
        ) from exc
    formats = [fmt for fmt in FileFormat.values if fmt in formats]
    check_request(
        kind=kind, period=period, language=language, formats=formats, today=timezone.localdate()
    )
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=kind,
            period=period.token,
            period_start=period.start,
            period_end=period.end,
            language=language,
            formats=formats,
            steps_total=len(definitions.kinds[kind].sections) + len(formats),
            requested_by=by,
            via=via,
        )
        record_event(
            action="create",
            actor=by,
            obj=run,
            object_ref=period.token,
            changes=[
                {"field": "kind", "old": None, "new": kind},
                {"field": "period", "old": None, "new": period.token},
                {"field": "language", "old": None, "new": language},
                {"field": "formats", "old": None, "new": formats},
            ],
            request=request,
            via=via if request is None else "",
        )
    return run


# --- Generating it --------------------------------------------------------------------------


def _advance(run: ReportRun, *, step: str, progress: Callable[[Progress], object] | None) -> None:
    run.steps_done = min(run.steps_done + 1, run.steps_total)
    run.step = step
    ReportRun.objects.filter(pk=run.pk).update(steps_done=run.steps_done, step=step)
    if progress:
        progress(Progress(run=run, done=run.steps_done, total=run.steps_total, step=step))


def _stored_path(run: ReportRun, fmt: str) -> Path:
    return (
        Path(settings.PUENTE_REPORTS_DIR)
        / f"{run.pk}-{run.kind}-{run.period_start}-{run.period_end}-{run.language}.{fmt}"
    )


def _write_file(path: Path, content: bytes) -> None:
    """Written beside its final name, then moved into place: a reader never finds half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".report-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_document(run: ReportRun, *, language: str | None = None) -> Document:
    """The run's figures as the files print them, in `language` (the run's own)."""
    language = language or run.language
    figures = run.figures
    period = periods.Period(
        kind=run.kind, start=run.period_start, end=run.period_end, token=run.period
    )
    due = figures.get("due")

    def label(labels: dict[str, str]) -> str:
        return labels.get(language) or labels.get("en", "")

    return Document(
        language=language,
        title=label(figures.get("title", {})),
        kind_label=label(figures.get("kind_label", {})),
        hotline=settings.PUENTE_HOTLINE_NAME,
        period_label=period.label(language),
        start=run.period_start,
        end=run.period_end,
        due=date.fromisoformat(due) if due else None,
        generated_at=run.finished_at or run.started_at or run.created_at,
        sections=[
            DocumentSection(
                code=section["code"],
                label=label(section["labels"]),
                rows=[
                    DocumentRow(code=row["code"], label=label(row["labels"]), value=row["value"])
                    for row in section["rows"]
                ],
            )
            for section in figures.get("sections", [])
        ],
    )


def _kind_labels(kind: str) -> dict[str, str]:
    labels = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            labels[language] = str(ReportKind(kind).label)
    return labels


def generate_report(
    *,
    run_id: int,
    progress: Callable[[Progress], object] | None = None,
    using: str | None = None,
) -> ReportRun:
    """Count, then write the files. A run already claimed (by another worker, or run
    twice) is left alone. A failure marks the run failed with the reason, then raises."""
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    run = ReportRun.objects.get(pk=run_id)
    if not claimed:
        return run
    using = using or analysis_database()
    try:
        definitions = current_definitions()
        kind = definitions.kinds[run.kind]
        f = InsightFilter(start=run.period_start, end=run.period_end)
        period = periods.Period(
            kind=run.kind, start=run.period_start, end=run.period_end, token=run.period
        )
        sections = []
        for section in definitions.sections_of(run.kind):
            counts = count_section(section=section, f=f, using=using)
            sections.append(
                {
                    "code": section.code,
                    "labels": section.labels,
                    "rows": [
                        {**row.as_stored(), "value": counts[row.code]} for row in section.rows
                    ],
                }
            )
            _advance(run, step=section.code, progress=progress)
        run.figures = {
            "title": kind.labels,
            "kind_label": _kind_labels(run.kind),
            "due": periods.due_date(
                period, months_after_end=kind.due_months_after_end, day=kind.due_day
            ).isoformat(),
            "sections": sections,
        }
        run.read_from = using
        run.finished_at = timezone.now()
        ReportRun.objects.filter(pk=run.pk).update(
            figures=run.figures, read_from=using, finished_at=run.finished_at
        )
        document = build_document(run)
        for fmt in run.formats:
            path = _stored_path(run, fmt)
            _write_file(path, WRITERS[fmt](document))
            setattr(run, f"{fmt}_file", path.name)
            ReportRun.objects.filter(pk=run.pk).update(**{f"{fmt}_file": path.name})
            _advance(run, step=fmt, progress=progress)
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        ReportRun.objects.filter(pk=run.pk).update(status=run.status, finished_at=run.finished_at)
    except Exception as exc:
        logger.exception("Report %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:1000]
        run.finished_at = timezone.now()
        ReportRun.objects.filter(pk=run.pk).update(
            status=run.status, error=run.error, finished_at=run.finished_at
        )
        raise
    return run


# --- Reading what it holds (audited) ---------------------------------------------------------


def stored_row(run: ReportRun, row_code: str) -> Row | None:
    """A row as the run counted it (None: the run has no such row)."""
    for section in run.figures.get("sections", []):
        for row in section["rows"]:
            if row["code"] == row_code:
                return Row.from_stored(row)
    return None


def stored_value(run: ReportRun, row_code: str) -> int | None:
    for section in run.figures.get("sections", []):
        for row in section["rows"]:
            if row["code"] == row_code:
                return int(row["value"])
    return None


def open_figure_list(
    *,
    run: ReportRun,
    row: Row,
    by: User,
    page_number: str | int | None = 1,
    request: HttpRequest | None = None,
) -> FigureList:
    """The records behind one figure, as `by` may see them; the opening is audited with
    how many were listed and how many withheld (restricted cases)."""
    if not by.can(Perm.INSIGHTS_VIEW):
        raise PermissionDenied
    found = list_behind(
        user=by,
        row=row,
        f=InsightFilter(start=run.period_start, end=run.period_end),
        using=analysis_database(),
        page_number=page_number,
    )
    record_event(
        action="view",
        actor=by,
        object_type="report_figure",
        object_id=run.pk,
        object_ref=run.period,
        changes=[
            {"field": "row", "old": None, "new": row.code},
            {"field": "page", "old": None, "new": found.page.number},
            {"field": "listed", "old": None, "new": len(found.cells)},
            {"field": "not_shown", "old": None, "new": found.not_shown},
        ],
        request=request,
    )
    return found


def record_download(
    *, run: ReportRun, fmt: str, by: User, request: HttpRequest | None = None
) -> Path:
    """The stored file of `fmt`, its leaving the system audited as an export."""
    if not by.can(Perm.INSIGHTS_VIEW):
        raise PermissionDenied
    name = run.file_for(fmt)
    path = Path(settings.PUENTE_REPORTS_DIR) / name
    if not name or not path.is_file():
        raise FileNotFoundError(name or fmt)
    record_event(
        action="export",
        actor=by,
        obj=run,
        object_ref=run.period,
        changes=[{"field": "file", "old": None, "new": fmt}],
        request=request,
    )
    return path


def download_name(run: ReportRun, fmt: str) -> str:
    period = run.period.replace("..", "_")
    return f"{run.kind.replace('_', '-')}-report-{period}-{run.language}.{fmt}"


def export_files(*, run: ReportRun, out: Path) -> list[Path]:
    """`puente report --out DIR`: copy the run's files there, each copy audited as an
    export made on the server (no account: whoever runs the command holds the server)."""
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for fmt in run.formats:
        source = Path(settings.PUENTE_REPORTS_DIR) / run.file_for(fmt)
        target = out / download_name(run, fmt)
        _write_file(target, source.read_bytes())
        record_event(
            action="export",
            obj=run,
            object_ref=run.period,
            changes=[{"field": "file", "old": None, "new": fmt}],
            via="cli",
        )
        copied.append(target)
    return copied
