"""Registrations for the training app's knowledge part (called from TrainingConfig.ready()):
how the audit trail names an article and its changes, and who may read those entries."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import (
    add_field_labels,
    add_object_label,
    add_picklist,
)
from puente.audit.visibility import add_content_reader, readable_by_auditors
from puente.training.models.knowledge import Topic


def register() -> None:
    # An article's entries hold version numbers and the names of the fields that
    # changed (never a person's data): any auditor may read them.
    add_content_reader(object_types=["article"], may_read=readable_by_auditors)
    add_object_label("article", _("knowledge-base article"))
    add_field_labels(
        "article",
        {
            "version": _("version"),
            "published": _("published version"),
            "topic": _("topic"),
            "reasons": _("suggested for reasons for contact"),
            "signaler_types": _("suggested for signaler types"),
            "title_en": _("title (English)"),
            "title_es": _("title (Spanish)"),
            "summary_en": _("summary (English)"),
            "summary_es": _("summary (Spanish)"),
            "body_en": _("text (English)"),
            "body_es": _("text (Spanish)"),
            "sources": _("sources"),
        },
    )
    add_picklist(list(Topic.choices), object_type="article", field="topic")
