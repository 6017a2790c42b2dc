"""Registrations for the networks app's psi part (called from NetworksConfig.ready()):
the exchange's two identifier-match messages and the audit trail's words for what this
part records."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import (
    add_field_labels,
    add_object_label,
    add_picklist,
    add_reason_pattern,
)
from puente.federation import schema
from puente.networks import psi
from puente.networks.models.psi import RunStatus, ServedOutcome


def register() -> None:
    schema.add_message_type(
        schema.MessageKind(
            type=psi.REQUEST_TYPE,
            label=_("Identifier match request"),
            since_version=psi.SINCE_VERSION,
            read_body=psi.read_request,
            apply=psi.receive_request,
        )
    )
    schema.add_message_type(
        schema.MessageKind(
            type=psi.RESPONSE_TYPE,
            label=_("Identifier match answer"),
            since_version=psi.SINCE_VERSION,
            read_body=psi.read_response,
            apply=psi.receive_response,
        )
    )
    add_object_label("identifier_matches", _("identifier matches across the border"))
    add_picklist(RunStatus, object_type="matchrun", field="status")
    add_picklist(ServedOutcome, object_type="servedmatch", field="outcome")
    add_picklist(psi.Refusal, object_type="matchrun", field="refusal")
    add_field_labels(
        "matchrun",
        {
            "matched": _("identifiers shared"),
            "asked": _("identifiers asked"),
            "left_out": _("identifiers left out"),
        },
    )
    add_field_labels("servedmatch", {"asked": _("identifiers asked")})
    add_reason_pattern(
        r"identifier match request to (?P<partner>.+), message (?P<id>\S+)",
        _("identifier match asked of %(partner)s (message %(id)s)"),
    )
    add_reason_pattern(
        r"identifier match answered to (?P<partner>.+), (?P<n>\d+) message\(s\) from (?P<id>\S+)",
        _("identifier match answered to %(partner)s (%(n)s message(s) from %(id)s)"),
    )
    add_reason_pattern(
        r"identifier match refused to (?P<partner>.+): (?P<code>[a-z_]+), message (?P<id>\S+)",
        _("identifier match refused to %(partner)s: %(code)s (message %(id)s)"),
    )
    add_reason_pattern(
        r"identifier match (?P<status>answered|refused|failed|expired)",
        _("identifier match finished: %(status)s"),
    )
    add_reason_pattern(
        r"identifier match (?P<status>answered|refused|failed|expired): (?P<code>[a-z_]+)",
        _("identifier match finished: %(status)s (%(code)s)"),
    )
    add_reason_pattern(
        r"identifier match (?P<run>[0-9a-f-]{36}) with (?P<partner>.+)",
        _("task from identifier match %(run)s with %(partner)s"),
    )
    add_reason_pattern(
        r"identifiers\.match_(?P<what>request|response) (?P<id>\S+) signed by (?P<key>\S+)",
        _("identifier match message received (%(what)s, message %(id)s, key %(key)s)"),
    )
