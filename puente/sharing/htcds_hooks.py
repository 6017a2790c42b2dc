"""Registrations for the sharing app's HTCDS part (called from SharingConfig.ready()):
how the audit trail names its records and fields, and who may read their content."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_field_labels, add_picklist
from puente.audit.visibility import add_content_reader, readable_with
from puente.core.permissions import Perm
from puente.sharing.models.htcds import FileFormat, ImportStatus


def register() -> None:
    # An export's entry holds its filter or search words (which may be a name) and counts;
    # an import's, the file's name and counts: readable by whoever holds the permission.
    add_content_reader(object_types=["htcdsexport"], may_read=readable_with(Perm.HTCDS_EXPORT))
    add_content_reader(object_types=["htcdsimport"], may_read=readable_with(Perm.HTCDS_IMPORT))
    add_field_labels(
        "htcdsexport",
        {
            "selection": _("cases chosen by"),
            "cases": _("cases"),
            "rows": _("rows"),
            "left_out": _("restricted cases left out"),
            "file": _("file downloaded"),
        },
    )
    add_field_labels(
        "htcdsimport",
        {
            "cases_created": _("cases created"),
            "cases_skipped": _("cases left out"),
            "cases_removed": _("cases removed"),
            "cases_kept": _("cases kept (worked on since)"),
        },
    )
    add_picklist(FileFormat, object_type="htcdsexport", field="file_format")
    add_picklist(FileFormat, object_type="htcdsexport", field="file")
    add_picklist(ImportStatus, object_type="htcdsimport", field="status")
