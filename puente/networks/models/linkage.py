"""The networks app's linkage models: the runs of probabilistic matching and the pairs of
persons they propose as one, with the analysts' decisions on them.

A pair is stored once, lower person id first, whatever its status: a rejected pair stays
so that no later run proposes it again, a confirmed one stays across runs. Helper views
(the network graph) read `PersonLink` by its status and match weight."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.cases.models import Person

__all__ = ["LinkStatus", "LinkageRun", "LinkageRunStatus", "PersonLink"]


class LinkageRunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("matching run", "Queued")
    RUNNING = "running", pgettext_lazy("matching run", "Running")
    DONE = "done", pgettext_lazy("matching run", "Done")
    FAILED = "failed", pgettext_lazy("matching run", "Failed")


class LinkageRun(models.Model):
    """One run of the matching: who asked, with which threshold, what it found."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(
        max_length=8, choices=LinkageRunStatus.choices, default=LinkageRunStatus.QUEUED
    )
    persons_compared = models.PositiveIntegerField(_("persons compared"), default=0)
    pairs_scored = models.PositiveBigIntegerField(_("pairs scored"), default=0)
    pairs_proposed = models.PositiveIntegerField(_("pairs proposed"), default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class LinkStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("person link", "Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("person link", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("person link", "Rejected")


class PersonLink(models.Model):
    """Two persons, in different cases, probably the same one (or decided so, or not)."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.PROPOSED
    )
    # Splink's total match weight (log2 of the Bayes factor, prior included) and its
    # probability; `evidence` holds each comparison's level and weight, for display.
    match_weight = models.FloatField(_("match weight"))
    match_probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(default=list, blank=True)
    run = models.ForeignKey(
        LinkageRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-match_weight", "id"]
        verbose_name = _("person link")
        verbose_name_plural = _("person links")
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="personlink_ordered_pair"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"], name="personlink_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(status=LinkStatus.PROPOSED) | Q(decided_at__isnull=False),
                name="personlink_decided_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-match_weight"], name="personlink_queue_idx"),
            models.Index(fields=["person_b"], name="personlink_person_b_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id}–{self.person_b_id} {self.status}"
