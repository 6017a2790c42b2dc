"""Registrations for the training app's quality part (called from TrainingConfig.ready()):
how the audit trail names a rubric, a sample and a review, and who may read them."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import (
    add_field_labels,
    add_object_label,
    add_reason_pattern,
)
from puente.audit.visibility import add_content_reader, readable_by_auditors, readable_with
from puente.core.permissions import Perm


def register() -> None:
    # A rubric's entry holds its version and sizes; a sample's, whose contacts and which
    # period; a review's, its scores: the last two are about a colleague's work, so
    # they are for the supervisors who review, the rubric for any auditor.
    add_content_reader(object_types=["rubric"], may_read=readable_by_auditors)
    add_content_reader(
        object_types=["reviewsample", "review"], may_read=readable_with(Perm.QUALITY_REVIEW)
    )
    add_object_label("rubric", _("quality rubric"))
    add_object_label("reviewsample", _("sample of contacts for review"))
    add_object_label("review", _("quality review of a contact"))
    add_field_labels(
        "rubric",
        {
            "version": _("version"),
            "criteria": _("criteria"),
            "scale_max": _("highest score"),
            "pending_moved": _("reviews moved to this version"),
        },
    )
    add_field_labels(
        "reviewsample",
        {
            "advocate": _("advocate"),
            "period": _("period"),
            "size": _("sample size"),
            "drawn": _("contacts drawn"),
        },
    )
    add_field_labels(
        "review", {"score": _("score, as a percentage"), "scores": _("scores by criterion")}
    )
    add_reason_pattern(r"quality review", _("for a quality review"))
