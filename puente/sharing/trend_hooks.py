"""Registrations for the sharing app's trend part (called from SharingConfig.ready()):
the exchange's `trends.release` message, the page beside the dashboards, and the audit
trail's words for what this part records."""

from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_object_label, add_reason_pattern
from puente.core.permissions import Perm
from puente.federation import schema
from puente.insights.dashboards import DashboardPage, add_dashboard_page
from puente.sharing import releases, trends


def register() -> None:
    # A release made for a partner is sent as it is confirmed (releases.confirm_release).
    releases.send_partner_releases_with(trends.send_release)
    schema.add_message_type(
        schema.MessageKind(
            type=trends.MESSAGE_TYPE,
            label=_("Trends release"),
            since_version=trends.SINCE_VERSION,
            read_body=trends.read_release_document,
            apply=trends.receive_release,
        )
    )
    add_dashboard_page(
        DashboardPage(
            url_name="sharing:trends",
            title=_("Across the border"),
            description=_(
                "Our figures and the partner hotline's side by side, from the releases "
                "each sends the other every month, with how each number was protected."
            ),
            perm=Perm.INSIGHTS_VIEW,
        )
    )
    add_object_label("cross_border_trends", _("cross-border trends"))
    add_reason_pattern(
        r"trends release to (?P<partner>.+), message (?P<id>\S+)",
        _("trends release sent to %(partner)s (message %(id)s)"),
    )
    add_reason_pattern(
        r"trends\.release (?P<id>\S+) signed by (?P<key>\S+)",
        _("trends release received (message %(id)s, key %(key)s)"),
    )
