"""The reports' own picklists: stored as codes, labelled here, translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    SEMI_ANNUAL = "semi_annual", _("Semi-annual report")
    ANNUAL = "annual", _("Annual report")


class RunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("report status", "Waiting to start")
    RUNNING = "running", pgettext_lazy("report status", "Being generated")
    DONE = "done", pgettext_lazy("report status", "Ready")
    FAILED = "failed", pgettext_lazy("report status", "Failed")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", _("Spreadsheet (XLSX)")
    PDF = "pdf", _("PDF")


FINISHED = (RunStatus.DONE, RunStatus.FAILED)
