"""HTCDS exchange files: exporting the cases a person may open, and importing other
organisations' files as an import batch that can be undone.

Export: `request_export` records which cases (a case-list filter or a search, as asked)
and queues it; `write_export` (the worker, or `puente htcds export`) writes the file a
chunk at a time, telling its progress, and audits the export — what, how many, by whom.
A restricted case the person may not open is never in the file. `record_download`
audits each download.

Import: `receive_file` keeps the upload (refusing what is not CSV, XLSX or JSON, too
large, or too long) and `check_import` runs the dry run — every problem per row and
column, what would be created — writing nothing else. `confirm_import` then queues the
import of every case (only when none has a problem) or, if the person says so, of the
valid ones; `run_import` creates each case through the cases app's domain functions, so
numbering, versions, the audit trail and the search index stay right. `undo_import`
removes the batch's cases — those changed since only when asked.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases import domain as cases
from puente.cases.access import openable_cases, restricted_cases_opened_by
from puente.cases.models import Case
from puente.cases.queries import cases_for_list
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.intake.models import Contact
from puente.search.indexing import forget_entries
from puente.search.models import SearchEntry
from puente.search.queries import search
from puente.sharing.htcds import planning, reading, writing
from puente.sharing.models.htcds import (
    ExportStatus,
    FileFormat,
    HtcdsExport,
    HtcdsImport,
    ImportedCase,
    ImportStatus,
)

logger = logging.getLogger("puente.sharing")

# A search finds at most this many cases to export (search is for finding, not for
# selecting thousands: a filter does that).
SEARCH_LIMIT = 200
# The first problems are kept to show; all are counted.
PROBLEMS_KEPT = 2000
PREVIEW_CASES = 50
# Exported files are removed this long after they were written.
EXPORT_KEPT_HOURS = 24
CONTENT_TYPES: dict[str, str] = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.JSON: "application/json",
}
SELECTION_KEYS = ("status", "imminent_danger", "mine", "restricted", "q")


def files_dir() -> Path:
    return Path(settings.DATA_DIR) / "htcds"


def _write_private(path: Path, write: Callable[[Path], Any]) -> Any:
    """Written beside its final name, mode 600, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".htcds-")
    os.close(handle)
    try:
        os.chmod(temporary, 0o600)
        result = write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


# --- which cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The case-list filter or the search the export was asked from."""

    status: str = ""
    imminent_danger: bool = False
    mine: bool = False
    restricted: bool = False
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> Selection:
        def flag(name: str) -> bool:
            return str(params.get(name, "")).lower() in {"on", "true", "1", "yes"}

        status = str(params.get("status") or "")
        return cls(
            status=status if status in c.CaseStatus.values else "",
            imminent_danger=flag("imminent_danger"),
            mine=flag("mine"),
            restricted=flag("restricted"),
            q=str(params.get("q") or "").strip()[:200],
        )

    def as_stored(self) -> dict[str, Any]:
        stored = {key: getattr(self, key) for key in SELECTION_KEYS}
        return {key: value for key, value in stored.items() if value}

    def as_params(self) -> dict[str, str]:
        return {k: ("on" if v is True else str(v)) for k, v in self.as_stored().items()}


@dataclass(frozen=True)
class Chosen:
    case_ids: list[int] | QuerySet[Case, int]
    count: int
    left_out: int  # restricted cases matched that the person may not open


def choose_cases(*, user: User, selection: Selection) -> Chosen:
    """The cases of the filter or search that `user` may open, oldest first; and how many
    the filter matched that they may not (restricted, not named on them)."""
    opened = restricted_cases_opened_by(user)
    if selection.q:
        found = search(user=user, query=selection.q, limit=SEARCH_LIMIT)
        ids = [case.pk for case in found.cases]
        # search() already leaves out what the user may not open: say how many it hid.
        return Chosen(case_ids=sorted(ids), count=len(ids), left_out=0)
    listed = cases_for_list(
        user=user,
        status=selection.status,
        imminent_danger=selection.imminent_danger,
        mine=selection.mine,
        restricted=selection.restricted,
    )
    allowed = openable_cases(user, opened).filter(pk__in=listed.values("pk"))
    ordered = allowed.order_by("id").values_list("pk", flat=True)
    count = allowed.count()
    return Chosen(case_ids=ordered, count=count, left_out=listed.count() - count)


# --- export ----------------------------------------------------------------------------


def _require(user: User | None, perm: str) -> None:
    if user is not None and not user.can(perm):
        raise PermissionDenied(f"needs {perm}")


def request_export(
    *,
    by: User,
    selection: Selection,
    file_format: str,
    language: str = "en",
    via: str = "web",
) -> HtcdsExport:
    """Record an export to be written (the caller queues the writing once committed)."""
    _require(by, Perm.HTCDS_EXPORT)
    if file_format not in FileFormat.values:
        raise ValidationError({"file_format": _("Choose CSV, XLSX or JSON.")})
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose English or Spanish.")})
    chosen = choose_cases(user=by, selection=selection)
    return HtcdsExport.objects.create(
        requested_by=by,
        via=via,
        selection=selection.as_stored(),
        file_format=file_format,
        language=language,
        cases_total=chosen.count,
        left_out=chosen.left_out,
    )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    what: str


def export_filename(export: HtcdsExport) -> str:
    return f"htcds-{settings.PUENTE_COUNTRY.lower()}-{export.created_at:%Y%m%d-%H%M}-{export.pk}.{export.file_format}"


def write_export(
    *,
    export_id: int,
    progress: Callable[[Progress], object] | None = None,
    out: Path | None = None,
) -> HtcdsExport:
    """Write the file (to `out`, or to the private store for the download), telling
    progress after every chunk of cases; audit it. The cases are chosen again, as the
    requester may open them now: a case restricted since the request is left out."""
    claimed = HtcdsExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    export = HtcdsExport.objects.select_related("requested_by").get(pk=export_id)
    if not claimed:
        return export
    try:
        user = export.requested_by
        if user is None or not user.can(Perm.HTCDS_EXPORT):
            raise PermissionDenied("the requester may no longer export")
        chosen = choose_cases(user=user, selection=Selection.from_params(export.selection))
        export.cases_total, export.left_out = chosen.count, chosen.left_out
        HtcdsExport.objects.filter(pk=export.pk).update(
            cases_total=chosen.count, left_out=chosen.left_out
        )

        def on_cases(n: int) -> None:
            export.cases_done = min(export.cases_done + n, export.cases_total)
            HtcdsExport.objects.filter(pk=export.pk).update(cases_done=export.cases_done)
            if progress:
                progress(Progress(export.cases_done, export.cases_total, "cases"))

        target = out or files_dir() / f"export-{export.pk}-{uuid.uuid4().hex}.{export.file_format}"
        rows = writing.iter_rows(_iterate(chosen.case_ids), on_cases=on_cases)
        meta = {
            "standard": "HTCDS",
            "version": "2.0",
            "credit": "Human Trafficking Case Data Standard (HTCDS) by IOM, CC BY 4.0",
            "exported_by": settings.PUENTE_HOTLINE_NAME,
            "exported_at": timezone.now().isoformat(),
            "cases": chosen.count,
        }

        def write(path: Path) -> int:
            if export.file_format == FileFormat.XLSX:
                return writing.write_xlsx(rows, path, language=export.language)
            with path.open("w", encoding="utf-8", newline="") as handle:
                if export.file_format == FileFormat.JSON:
                    return writing.write_json(rows, handle, meta=meta)
                return writing.write_csv(rows, handle, language=export.language)

        written = _write_private(target, write)
        export.rows_written = written
        export.file_name = "" if out else target.name
        export.status = ExportStatus.DONE
        export.finished_at = timezone.now()
        HtcdsExport.objects.filter(pk=export.pk).update(
            rows_written=written,
            file_name=export.file_name,
            status=export.status,
            finished_at=export.finished_at,
        )
        record_event(
            action="export",
            actor=user,
            obj=export,
            object_ref=f"HTCDS {export.file_format}",
            changes=[
                {"field": "file_format", "old": None, "new": export.file_format},
                {"field": "selection", "old": None, "new": export.selection},
                {"field": "cases", "old": None, "new": chosen.count},
                {"field": "rows", "old": None, "new": written},
                {"field": "left_out", "old": None, "new": chosen.left_out},
            ],
            via=export.via,
        )
    except Exception as exc:
        logger.exception("HTCDS export %s failed", export.pk)
        export.status = ExportStatus.FAILED
        export.error = f"{type(exc).__name__}: {exc}"[:1000]
        HtcdsExport.objects.filter(pk=export.pk).update(
            status=export.status, error=export.error, finished_at=timezone.now()
        )
        raise
    return export


def _iterate(ids: list[int] | QuerySet[Case, int]) -> Any:
    # A queryset of ids is streamed (a server-side cursor on PostgreSQL), never held whole.
    return ids if isinstance(ids, list) else ids.iterator(chunk_size=writing.CHUNK)


def export_path(export: HtcdsExport) -> Path:
    if export.status != ExportStatus.DONE or not export.file_name:
        raise FileNotFoundError(export.pk)
    path = files_dir() / export.file_name
    if not path.is_file():
        raise FileNotFoundError(export.pk)
    return path


def record_download(*, export: HtcdsExport, by: User, request: HttpRequest | None = None) -> Path:
    """The file, if `by` asked for it; its leaving the system audited as an export."""
    _require(by, Perm.HTCDS_EXPORT)
    if export.requested_by_id != by.pk:
        # Someone else's selection may hold cases this person may not open.
        raise PermissionDenied("only the person who asked for an export downloads it")
    path = export_path(export)
    record_event(
        action="export",
        actor=by,
        obj=export,
        object_ref=f"HTCDS {export.file_format}",
        changes=[
            {"field": "file", "old": None, "new": export.file_format},
            {"field": "cases", "old": None, "new": export.cases_total},
        ],
        request=request,
    )
    return path


def remove_expired_exports(*, now: Any = None) -> int:
    """Exported files hold people's data: each goes EXPORT_KEPT_HOURS after it was written."""
    cutoff = (now or timezone.now()) - timedelta(hours=EXPORT_KEPT_HOURS)
    gone = 0
    for export in HtcdsExport.objects.filter(finished_at__lt=cutoff).exclude(file_name=""):
        (files_dir() / export.file_name).unlink(missing_ok=True)
        HtcdsExport.objects.filter(pk=export.pk).update(file_name="")
        gone += 1
    return gone


# --- import: receiving and checking ----------------------------------------------------


def receive_file(
    *,
    by: User,
    name: str,
    chunks: Any,
    size: int,
    via: str = "web",
    request: HttpRequest | None = None,
) -> HtcdsImport:
    """Keep an uploaded file (private, beside the exports) and record the batch; the
    caller queues its check. FileRefused for a file that cannot be an HTCDS file."""
    _require(by, Perm.HTCDS_IMPORT)
    reading.check_size(size)
    stored = files_dir() / f"import-{uuid.uuid4().hex}"

    def write(path: Path) -> int:
        written = 0
        with path.open("wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > reading.MAX_FILE_BYTES:
                    raise reading.FileRefused(_("The file is too large."))
                out.write(chunk)
        return written

    written = _write_private(stored, write)
    with stored.open("rb") as handle:
        head = handle.read(8192)
    try:
        fmt = reading.sniff_format(head, name)
    except reading.FileRefused:
        stored.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        batch = HtcdsImport.objects.create(
            uploaded_by=by,
            via=via,
            original_name=Path(name).name[:200],
            stored_name=stored.name,
            file_format=fmt,
            size=written,
        )
        record_event(
            action="create",
            actor=by,
            obj=batch,
            object_ref=batch.original_name[:60],
            changes=[
                {"field": "original_name", "old": None, "new": batch.original_name},
                {"field": "size", "old": None, "new": written},
            ],
            request=request,
            via=via if request is None else "",
        )
    return batch


def _stored_path(batch: HtcdsImport) -> Path:
    return files_dir() / batch.stored_name


def _plan(
    batch: HtcdsImport, *, on_row: Callable[[int], object] | None = None
) -> tuple[reading.OpenedFile, list[planning.PlannedCase]]:
    opened = reading.open_file(_stored_path(batch), filename=batch.original_name)
    return opened, list(planning.plan_cases(opened.rows, on_row=on_row))


def check_import(
    *, import_id: int, progress: Callable[[Progress], object] | None = None
) -> HtcdsImport:
    """The dry run: read every row, name every problem, count what would be created.
    Nothing is written but the batch's own summary."""
    batch = HtcdsImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.status != ImportStatus.CHECKING:
        return batch
    path = _stored_path(batch)
    total = reading.estimate_rows(path, batch.file_format)
    HtcdsImport.objects.filter(pk=batch.pk).update(progress_total=total, progress_done=0)
    last: list[float] = [time.monotonic(), 0]

    def on_row(number: int) -> None:
        last[1] += 1
        if time.monotonic() - last[0] >= 0.5:
            last[0] = time.monotonic()
            done = int(min(last[1], total))
            HtcdsImport.objects.filter(pk=batch.pk).update(progress_done=done)
            if progress:
                progress(Progress(done, total, "rows"))

    try:
        # The problems are written in the uploader's language: they read the preview.
        with translation.override(_language_of(batch.uploaded_by)):
            opened, planned = _plan(batch, on_row=on_row)
    except reading.FileRefused as exc:
        batch.status = ImportStatus.FAILED
        batch.error = str(exc)
        HtcdsImport.objects.filter(pk=batch.pk).update(status=batch.status, error=batch.error)
        return batch
    problems: list[dict[str, Any]] = []
    errors = warnings = 0
    for notice in opened.layout.notices:
        problems.append(
            {
                "row": 0,
                "column": notice.column,
                "message": notice.message,
                "severity": "warning",
                "case": "",
            }
        )
        warnings += 1
    for case in planned:
        for problem in case.problems:
            if problem.severity == planning.ERROR:
                errors += 1
            else:
                warnings += 1
            if len(problems) < PROBLEMS_KEPT:
                problems.append(problem.as_stored(case.source or case.key))
    valid = [case for case in planned if case.valid]
    rows = sum(len(case.rows) for case in planned)
    batch.summary = {
        "rows": rows,
        "cases": len(planned),
        "valid_cases": len(valid),
        "invalid_cases": len(planned) - len(valid),
        "persons": sum(len(case.persons) for case in planned),
        "valid_persons": sum(len(case.persons) for case in valid),
        "errors": errors,
        "warnings": warnings,
        "columns": [col.name for col in opened.layout.fields if col is not None],
        "ignored": opened.layout.ignored,
        "cases_preview": [case.describe() for case in planned[:PREVIEW_CASES]],
    }
    batch.problems = problems
    batch.status = ImportStatus.CHECKED
    batch.progress_total = batch.progress_done = max(rows, 1)
    HtcdsImport.objects.filter(pk=batch.pk).update(
        summary=batch.summary,
        problems=problems,
        status=batch.status,
        progress_total=batch.progress_total,
        progress_done=batch.progress_done,
    )
    if progress:
        progress(Progress(rows, rows, "rows"))
    return batch


def _language_of(user: User | None) -> str:
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE)[:2]


# --- import: confirming and running ------------------------------------------------------


def may_import_all(batch: HtcdsImport) -> bool:
    summary = batch.summary or {}
    return (
        batch.status == ImportStatus.CHECKED
        and summary.get("invalid_cases") == 0
        and summary.get("cases", 0) > 0
    )


def confirm_import(
    *, batch: HtcdsImport, by: User, only_valid: bool, request: HttpRequest | None = None
) -> HtcdsImport:
    """The person's go-ahead after the dry run: everything (refused while any case has a
    problem) or, said explicitly, only the valid cases."""
    _require(by, Perm.HTCDS_IMPORT)
    if batch.status != ImportStatus.CHECKED:
        raise ValidationError(_("This file is not waiting to be imported."))
    summary = batch.summary or {}
    if not summary.get("valid_cases"):
        raise ValidationError(_("No case in this file can be imported."))
    if not only_valid and not may_import_all(batch):
        raise ValidationError(
            _(
                "%(count)d cases in this file have problems. Correct the file and upload it "
                "again, or choose to import only the valid cases."
            )
            % {"count": summary.get("invalid_cases", 0)}
        )
    updated = HtcdsImport.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING,
        only_valid=only_valid,
        progress_done=0,
        progress_total=summary.get("valid_cases", 0),
    )
    if not updated:
        raise ValidationError(_("This file is not waiting to be imported."))
    batch.refresh_from_db()
    return batch


def cancel_import(*, batch: HtcdsImport, by: User, request: HttpRequest | None = None) -> None:
    """Not imported after all: the file is deleted, the batch stays as a record."""
    _require(by, Perm.HTCDS_IMPORT)
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.FAILED):
        raise ValidationError(_("This file is not waiting to be imported."))
    _stored_path(batch).unlink(missing_ok=True)
    HtcdsImport.objects.filter(pk=batch.pk).update(status=ImportStatus.CANCELLED)
    record_event(
        action="change",
        actor=by,
        obj=batch,
        object_ref=batch.original_name[:60],
        changes=[{"field": "status", "old": batch.status, "new": ImportStatus.CANCELLED}],
        request=request,
    )


def _create_case(planned: planning.PlannedCase, *, by: User, batch: HtcdsImport) -> Case:
    """One planned case through the cases app's own functions, in one transaction."""
    with transaction.atomic():
        case = cases.open_case(by=by, opened_at=planned.opened_at, **planned.fields)
        for person in planned.persons:
            cases.add_person(case=case, by=by, identifiers=person.identifiers, **person.fields)
        for kind, value in planned.identifiers:
            cases.add_identifier(case=case, kind=kind, value=value, by=by)
        for location in planned.locations:
            cases.add_location(case=case, by=by, **location)  # type: ignore[arg-type]
        lines = [
            _("Imported from %(file)s (import %(id)d), rows %(rows)s.")
            % {
                "file": batch.original_name,
                "id": batch.pk,
                "rows": ", ".join(str(r) for r in planned.rows),
            }
        ]
        if planned.note_lines:
            cases.add_note(case=case, by=by, body="\n".join([*lines, *planned.note_lines]))
        if planned.restricted:
            cases.restrict_case(case=case, by=by, reason=_("Restricted in the imported file."))
        case.refresh_from_db()
        ImportedCase.objects.create(
            batch=batch,
            case=case,
            reference=case.reference,
            source=planned.source[:60],
            first_row=planned.first_row,
            version=case.version,
            updated_at=case.updated_at,
        )
    return case


def run_import(
    *, import_id: int, progress: Callable[[Progress], object] | None = None
) -> HtcdsImport:
    """Create the batch's cases, each in its own transaction (so the case counter is
    never held for the length of a file, which would stop advocates opening cases).
    Importing everything, a case the domain refuses after all stops the import and the
    cases already created are removed again: nothing stays of a file not wholly valid."""
    batch = HtcdsImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.status != ImportStatus.IMPORTING or batch.imported_at is not None:
        return batch
    by = batch.uploaded_by
    created: list[Case] = []
    skipped = 0
    try:
        if by is None or not by.can(Perm.HTCDS_IMPORT):
            raise PermissionDenied("the person who uploaded the file may no longer import")
        with translation.override(_language_of(by)):
            _opened, planned = _plan(batch)
        to_create = [case for case in planned if case.valid]
        skipped = len(planned) - len(to_create)
        if skipped and not batch.only_valid:
            raise ValidationError(_("The file changed since it was checked."))
        total = len(to_create)
        HtcdsImport.objects.filter(pk=batch.pk).update(progress_total=total, progress_done=0)
        problems = list(batch.problems)
        last = time.monotonic()
        for done, plan in enumerate(to_create, start=1):
            try:
                created.append(_create_case(plan, by=by, batch=batch))
            except ValidationError as exc:
                if not batch.only_valid:
                    raise
                skipped += 1
                problems.append(
                    planning.Problem(plan.first_row, "", "; ".join(exc.messages)).as_stored(
                        plan.source or plan.key
                    )
                )
            if time.monotonic() - last >= 0.5 or done == total:
                last = time.monotonic()
                HtcdsImport.objects.filter(pk=batch.pk).update(progress_done=done)
                if progress:
                    progress(Progress(done, total, "cases"))
    except Exception as exc:
        logger.exception("HTCDS import %s failed", batch.pk)
        _remove_cases([case.pk for case in created])
        ImportedCase.objects.filter(batch=batch).delete()
        batch.status = ImportStatus.FAILED
        batch.error = (
            "; ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else f"{type(exc).__name__}: {exc}"
        )
        HtcdsImport.objects.filter(pk=batch.pk).update(
            status=batch.status, error=batch.error[:1000]
        )
        record_event(
            action="create",
            actor=by,
            obj=batch,
            object_ref=batch.original_name[:60],
            changes=[{"field": "status", "old": ImportStatus.IMPORTING, "new": batch.status}],
            reason=batch.error[:500],
            via=batch.via,
        )
        return batch
    batch.status = ImportStatus.IMPORTED
    batch.imported_at = timezone.now()
    batch.cases_created = len(created)
    batch.cases_skipped = skipped
    batch.problems = problems[:PROBLEMS_KEPT]
    HtcdsImport.objects.filter(pk=batch.pk).update(
        status=batch.status,
        imported_at=batch.imported_at,
        cases_created=batch.cases_created,
        cases_skipped=skipped,
        problems=batch.problems,
    )
    record_event(
        action="create",
        actor=by,
        obj=batch,
        object_ref=batch.original_name[:60],
        changes=[
            {"field": "status", "old": ImportStatus.IMPORTING, "new": batch.status},
            {"field": "only_valid", "old": None, "new": batch.only_valid},
            {"field": "cases_created", "old": None, "new": batch.cases_created},
            {"field": "cases_skipped", "old": None, "new": skipped},
        ],
        via=batch.via,
    )
    return batch


# --- undo ------------------------------------------------------------------------------


@dataclass
class UndoPlan:
    unchanged: list[ImportedCase]
    changed: list[ImportedCase]  # worked on since the import: kept unless asked
    gone: int  # already deleted (retention, or by hand)


def undo_plan(batch: HtcdsImport) -> UndoPlan:
    """Which of the batch's cases are as the import left them. A case with a new version,
    a later change (a person, note or task added), or a contact filed into it has been
    worked on since."""
    imported = list(ImportedCase.objects.filter(batch=batch).select_related("case"))
    live = [row for row in imported if row.case is not None]
    with_contacts = set(
        Contact.objects.filter(case_id__in=[row.case_id for row in live])
        .values_list("case_id", flat=True)
        .distinct()
    )
    unchanged, changed = [], []
    for row in live:
        case = row.case
        assert case is not None
        if (
            case.version != row.version
            or case.updated_at > row.updated_at
            or case.pk in with_contacts
        ):
            changed.append(row)
        else:
            unchanged.append(row)
    return UndoPlan(unchanged=unchanged, changed=changed, gone=len(imported) - len(live))


def _remove_cases(case_ids: list[int]) -> None:
    if not case_ids:
        return
    cases.purge_cases(case_ids=case_ids)
    forget_entries(kind=SearchEntry.KIND_CASE, object_ids=case_ids)


def undo_import(
    *,
    batch: HtcdsImport,
    by: User,
    include_changed: bool = False,
    request: HttpRequest | None = None,
) -> tuple[int, int]:
    """Remove the batch's cases; those worked on since only with `include_changed` (the
    page names them first). Each removal is in the audit trail. Returns (removed, kept)."""
    _require(by, Perm.HTCDS_IMPORT)
    if batch.status != ImportStatus.IMPORTED:
        raise ValidationError(_("Only an import that was carried out can be undone."))
    plan = undo_plan(batch)
    chosen = plan.unchanged + (plan.changed if include_changed else [])
    kept = [] if include_changed else plan.changed
    with transaction.atomic():
        locked = HtcdsImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.IMPORTED:
            raise ValidationError(_("Only an import that was carried out can be undone."))
        for row in chosen:
            record_event(
                action="delete",
                actor=by,
                object_type="case",
                object_id=row.case_id,
                object_ref=row.reference,
                reason=f"undo of HTCDS import {batch.pk}",
                request=request,
            )
        _remove_cases([row.case_id for row in chosen if row.case_id])
        status = ImportStatus.UNDONE if not kept else ImportStatus.IMPORTED
        HtcdsImport.objects.filter(pk=batch.pk).update(
            status=status,
            undone_at=timezone.now() if not kept else None,
            undone_by=by if not kept else None,
        )
        record_event(
            action="delete",
            actor=by,
            obj=batch,
            object_ref=batch.original_name[:60],
            changes=[
                {"field": "cases_removed", "old": None, "new": len(chosen)},
                {"field": "cases_kept", "old": None, "new": [row.reference for row in kept]},
            ],
            request=request,
        )
    if not kept:
        _stored_path(batch).unlink(missing_ok=True)
    batch.refresh_from_db()
    return len(chosen), len(kept)


def import_file_for_cli(*, by: User, path: Path) -> HtcdsImport:
    """`puente htcds import FILE`: the batch, from a file on the server."""
    with path.open("rb") as handle:
        data = handle.read(reading.MAX_FILE_BYTES + 1)
    return receive_file(by=by, name=path.name, chunks=[data], size=len(data), via="cli")


__all__ = [
    "CONTENT_TYPES",
    "Chosen",
    "Progress",
    "Selection",
    "UndoPlan",
    "cancel_import",
    "check_import",
    "choose_cases",
    "confirm_import",
    "export_filename",
    "export_path",
    "import_file_for_cli",
    "may_import_all",
    "receive_file",
    "record_download",
    "remove_expired_exports",
    "request_export",
    "run_import",
    "undo_import",
    "undo_plan",
    "write_export",
]
