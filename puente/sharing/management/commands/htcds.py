"""`puente htcds`: HTCDS exchange files on the server, printing progress.

    puente htcds export --as ana --format xlsx --out cases.xlsx [--status active]
                        [--imminent-danger] [--mine] [--restricted] [--search WORDS]
                        [--language es]
    puente htcds import FILE --as ana [--dry-run] [--only-valid]
    puente htcds undo IMPORT_ID --as ana [--include-changed]

`--as` names the staff account the work is done for: an export holds only the cases that
person may open (restricted ones too, only where they are named), an import's cases are
theirs, and the audit trail says it was them, through the command line. The same work
runs in the worker when it is asked for on the web.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from puente.accounts.models import User
from puente.core.choices import CaseStatus
from puente.core.permissions import Perm
from puente.sharing.htcds import domain
from puente.sharing.htcds.reading import FileRefused
from puente.sharing.models.htcds import FileFormat, HtcdsImport, ImportStatus

PROBLEMS_PRINTED = 20


class Command(BaseCommand):
    help = "Export cases as an HTCDS file, import one, or undo an import, printing progress."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the cases a person may open to a file.")
        export.add_argument("--as", dest="username", required=True)
        export.add_argument("--format", choices=FileFormat.values, default=FileFormat.XLSX)
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--status", choices=CaseStatus.values, default="")
        export.add_argument("--imminent-danger", action="store_true")
        export.add_argument("--mine", action="store_true")
        export.add_argument("--restricted", action="store_true")
        export.add_argument("--search", default="")
        export.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="en"
        )
        imp = sub.add_parser("import", help="Check a file and import its cases.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--as", dest="username", required=True)
        imp.add_argument("--dry-run", action="store_true", help="Check only; create nothing.")
        imp.add_argument(
            "--only-valid",
            action="store_true",
            help="Import the valid cases, leave out the others.",
        )
        undo = sub.add_parser("undo", help="Remove the cases an import created.")
        undo.add_argument("import_id", type=int)
        undo.add_argument("--as", dest="username", required=True)
        undo.add_argument("--include-changed", action="store_true")

    def _user(self, username: str, perm: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff account {username!r}.")
        if not user.can(perm):
            raise CommandError(f"{username} may not do this (needs {perm}).")
        return user

    def handle(self, *args, action, **options):
        if action == "export":
            self._export(**options)
        elif action == "import":
            self._import(**options)
        else:
            self._undo(**options)

    def _progress(self, step: domain.Progress) -> None:
        percent = int(100 * step.done / step.total) if step.total else 100
        self.stdout.write(f"  [{step.done}/{step.total}] {percent:3d}% {step.what}")
        self.stdout.flush()

    def _export(self, *, username, format, out, language, search, **options):
        user = self._user(username, Perm.HTCDS_EXPORT)
        selection = domain.Selection(
            status=options["status"],
            imminent_danger=options["imminent_danger"],
            mine=options["mine"],
            restricted=options["restricted"],
            q=search.strip(),
        )
        try:
            job = domain.request_export(
                by=user, selection=selection, file_format=format, language=language, via="cli"
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Export #{job.pk}: {job.cases_total} cases as {format}"
            + (f" ({job.left_out} restricted cases left out)" if job.left_out else "")
        )
        try:
            job = domain.write_export(export_id=job.pk, progress=self._progress, out=out)
        except Exception as exc:
            raise CommandError(f"Export #{job.pk} failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Export #{job.pk} done: {job.rows_written} rows in {out}")
        )

    def _import(self, *, username, file, dry_run, only_valid, **options):
        user = self._user(username, Perm.HTCDS_IMPORT)
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            batch = domain.import_file_for_cli(by=user, path=file)
        except FileRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import #{batch.pk}: checking {file.name}")
        batch = domain.check_import(import_id=batch.pk, progress=self._progress)
        if batch.status == ImportStatus.FAILED:
            raise CommandError(batch.error)
        self._print_check(batch)
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Import #{batch.pk}: checked, nothing created (dry run).")
            )
            return
        try:
            batch = domain.confirm_import(batch=batch, by=user, only_valid=only_valid)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        batch = domain.run_import(import_id=batch.pk, progress=self._progress)
        if batch.status != ImportStatus.IMPORTED:
            raise CommandError(f"Import #{batch.pk} failed, nothing kept: {batch.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Import #{batch.pk} done: {batch.cases_created} cases created, "
                f"{batch.cases_skipped} left out. Undo: puente htcds undo {batch.pk} --as {username}"
            )
        )

    def _print_check(self, batch: HtcdsImport) -> None:
        s = batch.summary
        self.stdout.write(
            f"  {s['rows']} rows, {s['cases']} cases ({s['valid_cases']} valid, "
            f"{s['invalid_cases']} with problems), {s['persons']} people; "
            f"{s['errors']} errors, {s['warnings']} warnings"
        )
        for problem in batch.problems[:PROBLEMS_PRINTED]:
            where = f"row {problem['row']}" if problem["row"] else "header"
            column = f" {problem['column']}" if problem["column"] else ""
            self.stdout.write(f"  {problem['severity']}: {where}{column}: {problem['message']}")
        hidden = s["errors"] + s["warnings"] - min(len(batch.problems), PROBLEMS_PRINTED)
        if hidden > 0:
            self.stdout.write(f"  … and {hidden} more (see the import's page)")

    def _undo(self, *, username, import_id, include_changed, **options):
        user = self._user(username, Perm.HTCDS_IMPORT)
        batch = HtcdsImport.objects.filter(pk=import_id).first()
        if batch is None:
            raise CommandError(f"No import #{import_id}.")
        try:
            removed, kept = domain.undo_import(
                batch=batch, by=user, include_changed=include_changed
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(self.style.SUCCESS(f"Import #{import_id}: {removed} cases removed."))
        if kept:
            self.stdout.write(
                f"  {kept} cases worked on since the import were kept; --include-changed removes them too."
            )
