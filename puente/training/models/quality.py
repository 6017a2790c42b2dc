"""The training app's quality models: a rubric (frozen once a review uses it), the
samples a supervisor draws, a review of one contact and its score per criterion.

A rubric is never changed in place: a supervisor editing it writes a new Rubric (the
next version) and the old one stays, with its criteria, for the reviews scored on it,
so an old score keeps the meaning it had. Reviews point at the user who took the
contact (`advocate`), whatever role that person holds — a trainee's practice reviews
can use the same rows later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _spanish() -> bool:
    return (get_language() or "en").startswith("es")


class Rubric(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    # Scores run from 1 to scale_max on every criterion.
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=4)
    # The one rubric new reviews use; only one at a time.
    current = models.BooleanField(default=False)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["current"], condition=models.Q(current=True), name="rubric_one_current"
            ),
            models.CheckConstraint(
                condition=models.Q(scale_max__gte=2, scale_max__lte=10), name="rubric_scale_range"
            ),
        ]

    def __str__(self) -> str:
        return f"rubric v{self.version}"


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    label_en = models.CharField(_("criterion (English)"), max_length=200)
    label_es = models.CharField(_("criterion (Spanish)"), max_length=200)
    guidance_en = models.CharField(_("what to look for (English)"), max_length=500, blank=True)
    guidance_es = models.CharField(_("what to look for (Spanish)"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "position"], name="criterion_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1), name="criterion_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.label_en

    @property
    def label(self) -> str:
        return self.label_es if _spanish() else self.label_en

    @property
    def guidance(self) -> str:
        return self.guidance_es if _spanish() else self.guidance_en


class ReviewSample(models.Model):
    """A random draw of one advocate's contacts in a period."""

    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    size = models.PositiveSmallIntegerField(_("sample size"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"sample {self.pk} of user {self.advocate_id}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    DONE = "done", _("Reviewed")


class Review(models.Model):
    contact = models.OneToOneField(
        "intake.Contact", on_delete=models.CASCADE, related_name="quality_review"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sample = models.ForeignKey(
        ReviewSample, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(
        max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comments = models.TextField(_("feedback for the advocate"), blank=True)
    # Weighted mean of the criteria, as a percentage of the rubric's highest score.
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # The contact's start, copied: quality over time is counted by when the call was.
    contact_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-contact_at"]
        indexes = [
            models.Index(fields=["advocate", "status", "contact_at"], name="review_advocate_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | models.Q(score__isnull=False, reviewed_at__isnull=False),
                name="review_done_has_score",
            )
        ]

    def __str__(self) -> str:
        return f"review of contact {self.contact_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=1), name="score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"
