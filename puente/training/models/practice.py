"""The training app's practice models: one practice call (a trainee taking a scripted
scenario in the sandbox) and the scenarios a supervisor requires of someone before they
take live calls.

Scenarios themselves are curriculum shipped with the code (puente/training/scenarios/),
named by slug, so a call and a requirement hold the slug; a call also keeps the content
hash of the scenario it was scored against, so an old score keeps the meaning it had.
What the trainee recorded lives in the sandbox database, never here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PracticeStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")


class PracticeCall(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_calls",
        verbose_name=_("trainee"),
    )
    scenario = models.CharField(_("scenario"), max_length=80)
    scenario_version = models.CharField(_("scenario version"), max_length=16)
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PracticeStatus.choices,
        default=PracticeStatus.IN_PROGRESS,
    )
    # The node the caller is at, and every turn so far: [{"node": id, "choice": id}, ...].
    node = models.CharField(max_length=80)
    path = models.JSONField(default=list)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Out of 100; `passed` against the scenario's pass mark. `result` holds each criterion
    # and the feedback per step, as the engine scored it.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["trainee", "scenario"], name="practice_trainee_idx")]
        constraints = [
            # One call at a time: the sandbox screens act for the call in progress.
            models.UniqueConstraint(
                fields=["trainee"],
                condition=models.Q(status="in_progress"),
                name="practice_one_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.trainee_id})"


class PracticeRequirement(models.Model):
    """A scenario someone must pass before taking live calls."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_requirements",
        verbose_name=_("person"),
    )
    scenario = models.CharField(_("scenario"), max_length=80)
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("required by"),
    )
    created_at = models.DateTimeField(_("required on"), auto_now_add=True)

    class Meta:
        ordering = ["scenario"]
        constraints = [
            models.UniqueConstraint(fields=["person", "scenario"], name="practice_requirement_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.scenario}"
