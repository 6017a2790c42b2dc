"""Registrations for the sharing app's release part (called from SharingConfig.ready()):
how the audit trail names a release and the CTDC file, and who may read those entries."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_field_labels, add_object_label, add_picklist
from puente.audit.visibility import add_content_reader, readable_by_auditors
from puente.sharing.models.releases import ReleaseMethod
from puente.sharing.releases import TABLES


def register() -> None:
    # A release's entry holds codes and counts (table, period, audience, protection),
    # never a name: any auditor may read it.
    add_content_reader(object_types=["release", "ctdc_microdata"], may_read=readable_by_auditors)
    add_object_label("ctdc_microdata", _("case-level file for data collaboratives (CTDC)"))
    add_field_labels(
        "release",
        {
            "table": _("table"),
            "period": _("period"),
            "audience": _("released to"),
            "method": _("protection"),
            "k": _("smallest count published (k)"),
            "epsilon": _("epsilon (ε)"),
            "cell_count": _("cells"),
            "suppressed_count": _("cells hidden"),
        },
    )
    add_picklist(
        [(code, table.title) for code, table in TABLES.items()],
        object_type="release",
        field="table",
    )
    add_picklist(list(ReleaseMethod.choices), object_type="release", field="method")
