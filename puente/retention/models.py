from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.retention.rules import Category, Unit


class RetentionRule(models.Model):
    """How long one kind of record is kept. One row per category, made from the shipped
    default (`puente.retention.rules.DEFAULTS`) the first time it is read."""

    category = models.CharField(_("records"), max_length=24, choices=Category.choices, unique=True)
    keep_for = models.PositiveIntegerField(_("keep for"))
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices)
    enabled = models.BooleanField(_("purge when due"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(condition=Q(keep_for__gte=1), name="retention_keep_at_least_1")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.keep_for} {self.unit}"


class PurgeRun(models.Model):
    """One run of the purge (by `puente purge` or the worker's schedule), with what it
    counted or deleted per category. Never what was deleted: counts and dates only."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    via = models.CharField(_("run by"), max_length=20)  # cli, worker
    # {category: {"due": n, "purged": n, "kept": n, "oldest": iso, "newest": iso, ...}}
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M}"
