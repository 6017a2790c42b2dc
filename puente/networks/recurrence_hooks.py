"""Registrations for the networks app's recurrence part (called from NetworksConfig.ready()):
how the audit trail names a lookup of where an identifier recurs and a look at the
network view, and who may read those entries' content."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_field_labels, add_object_label, add_reason_pattern
from puente.audit.visibility import add_content_reader, readable_with
from puente.core.permissions import Perm


def register() -> None:
    # A phone is audited as the phone lookup audits it (object type "phone", intake's
    # labels and reader). Any other identifier, and what the network view was asked
    # (filters, a searched identifier), are readable by whoever may look at the network.
    add_content_reader(
        object_types=["recurring_identifier", "network"], may_read=readable_with(Perm.NETWORK_VIEW)
    )
    add_object_label("recurring_identifier", _("identifier searched for where it recurs"))
    add_object_label("network", _("Network view (groups of cases)"))
    add_field_labels("recurring_identifier", {"value": _("identifier")})
    add_field_labels("network", {"search": _("search")})
    add_reason_pattern(
        r"intake: (?P<total>\d+) cases, (?P<hidden>\d+) not openable",
        _("in %(total)s cases, %(hidden)s of them not openable"),
    )
    add_reason_pattern(
        r"recurring identifiers: (?P<recurring>\d+) of (?P<all>\d+), in (?P<cases>\d+) other case entries",
        _("identifiers that recur: %(recurring)s of %(all)s, in %(cases)s other cases"),
    )
