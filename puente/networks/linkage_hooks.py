"""Registrations for the networks app's linkage part (called from NetworksConfig.ready()):
how the audit trail names matching runs, decisions on proposed matches and looks at the
review queue, and who may read those entries."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_field_labels, add_object_label, add_picklist
from puente.audit.visibility import add_content_reader, readable_by_auditors, readable_with
from puente.core.permissions import Perm
from puente.networks.models.linkage import LinkageRunStatus, LinkStatus


def register() -> None:
    # A run's entry holds counts and codes only.
    add_content_reader(object_types=["linkagerun"], may_read=readable_by_auditors)
    # A decision's entry holds person ids and the reviewer's note (which may name
    # someone): for those who review matches.
    add_content_reader(
        object_types=["personlink", "personlink_queue"], may_read=readable_with(Perm.LINK_REVIEW)
    )
    add_object_label("linkagerun", _("matching of persons across cases"))
    add_object_label("personlink", _("proposed match between persons"))
    add_object_label("personlink_queue", _("proposed matches between persons"))
    add_field_labels(
        "linkagerun",
        {
            "threshold": _("threshold"),
            "persons_compared": _("persons compared"),
            "pairs_proposed": _("pairs proposed"),
            "status": _("status"),
        },
    )
    add_field_labels(
        "personlink",
        {"status": _("status"), "persons": _("persons")},
    )
    add_field_labels(
        "personlink_queue",
        {"status": _("status"), "persons": _("persons shown"), "hidden": _("pairs not shown")},
    )
    add_picklist(list(LinkageRunStatus.choices), object_type="linkagerun", field="status")
    add_picklist(list(LinkStatus.choices), object_type="personlink", field="status")
    add_picklist(list(LinkStatus.choices), object_type="personlink_queue", field="status")
