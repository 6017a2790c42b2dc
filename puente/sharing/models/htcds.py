"""HTCDS exchange files: each export asked for, each file imported (an import batch, the
unit an undo removes) and the cases each import created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "ExportStatus",
    "FileFormat",
    "HtcdsExport",
    "HtcdsImport",
    "ImportStatus",
    "ImportedCase",
]


class FileFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Spreadsheet (XLSX, the HTCDS template's layout)")
    JSON = "json", _("JSON")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export status", "Waiting")
    RUNNING = "running", pgettext_lazy("export status", "Writing")
    DONE = "done", pgettext_lazy("export status", "Ready")
    FAILED = "failed", pgettext_lazy("export status", "Failed")


class ImportStatus(models.TextChoices):
    CHECKING = "checking", pgettext_lazy("import status", "Checking")
    CHECKED = "checked", pgettext_lazy("import status", "Checked, not imported")
    IMPORTING = "importing", pgettext_lazy("import status", "Importing")
    IMPORTED = "imported", pgettext_lazy("import status", "Imported")
    FAILED = "failed", pgettext_lazy("import status", "Failed")
    UNDONE = "undone", pgettext_lazy("import status", "Undone")
    CANCELLED = "cancelled", pgettext_lazy("import status", "Not imported")


class HtcdsExport(models.Model):
    """One export asked for: which cases (the filter or search, as asked), the format,
    how far the file is written. The file lives in PUENTE_DATA_DIR/htcds/, served only
    through the audited download."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(max_length=10)  # web, cli
    # The filter or search as asked ({"status": "active", "q": "…"}): codes and words.
    selection = models.JSONField(default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    language = models.CharField(_("language of the labels"), max_length=5)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    cases_total = models.PositiveIntegerField(default=0)
    cases_done = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # Restricted cases the filter matched that the person may not open: never exported.
    left_out = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HTCDS export")
        verbose_name_plural = _("HTCDS exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(cases_done__lte=F("cases_total")), name="htcds_export_progress"
            )
        ]

    def __str__(self) -> str:
        return f"HTCDS export {self.pk} ({self.file_format})"

    @property
    def percent(self) -> int:
        return int(100 * self.cases_done / self.cases_total) if self.cases_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class HtcdsImport(models.Model):
    """One file brought in: checked first (the dry run: what would be created, every
    problem per row and column), then imported whole — or only its valid cases, if the
    person asked — and undone as a unit."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(max_length=10)
    original_name = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    only_valid = models.BooleanField(_("only the valid cases"), default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The dry run: {"rows", "cases", "valid_cases", "invalid_cases", "persons",
    # "valid_persons", "errors", "warnings", "columns": [...], "ignored": [...],
    # "notices": [...], "cases_preview": [...]}
    summary = models.JSONField(default=dict, blank=True)
    # Every problem, [{"row", "column", "message", "severity", "case"}], the first
    # PROBLEMS_KEPT of them; `summary` counts them all.
    problems = models.JSONField(default=list, blank=True)
    cases_created = models.PositiveIntegerField(default=0)
    cases_skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HTCDS import")
        verbose_name_plural = _("HTCDS imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="htcds_import_progress"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def is_busy(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)


class ImportedCase(models.Model):
    """A case an import created, with what it looked like when the import finished: undo
    compares, so a case someone has worked on since is not removed without being asked."""

    batch = models.ForeignKey(HtcdsImport, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=20)
    # The case's reference in the file (ext_CaseReference), or its first row's number.
    source = models.CharField(max_length=60, blank=True)
    first_row = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["batch", "case"], name="imported_case_once")]

    def __str__(self) -> str:
        return self.reference
