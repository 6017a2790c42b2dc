from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from puente.insights.reports.choices import ReportKind, RunStatus


class ReportRun(models.Model):
    """One periodic report generated (or waiting to be): its period, language, progress,
    figures and files. Figures are counts only, and each keeps the definition of its row
    as it was, so the list behind a figure counts what the report counted. Its files
    live in `PUENTE_REPORTS_DIR`, served only through the audited download."""

    kind = models.CharField(_("report"), max_length=12, choices=ReportKind.choices)
    # How the period was named ("2026-01", "2026-H1", "2026", or "2026-01-01..2026-03-31").
    period = models.CharField(_("period"), max_length=24)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    formats = models.JSONField(_("files"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    # What the generation is busy with now (a section's code, "xlsx", "pdf").
    step = models.CharField(max_length=60, blank=True)
    # {"sections": [{"code", "labels", "rows": [{"code", "labels", "counts", "where",
    # "unless", "value"}]}]}: numbers and codes, never a record.
    figures = models.JSONField(default=dict, blank=True)
    # The database alias the figures were read from (the replica, when there is one).
    read_from = models.CharField(max_length=40, blank=True)
    xlsx_file = models.CharField(max_length=200, blank=True)
    pdf_file = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(max_length=10)  # web, cli
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(steps_done__lte=F("steps_total")), name="report_progress_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} ({self.language})"

    @property
    def percent(self) -> int:
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    def file_for(self, fmt: str) -> str:
        return {"xlsx": self.xlsx_file, "pdf": self.pdf_file}.get(fmt, "")
