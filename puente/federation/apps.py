from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.checks import add_configuration_check
from puente.core.home import add_home_section


class FederationConfig(AppConfig):
    name = "puente.federation"
    label = "federation"
    verbose_name = _("Partner hotlines")

    def ready(self) -> None:
        from puente.cases.timeline import add_timeline_source
        from puente.federation.partners import insecure_partner_urls
        from puente.federation.queries import home_referrals_to_approve
        from puente.federation.timeline import cross_border_entries

        add_configuration_check(insecure_partner_urls)
        add_timeline_source(cross_border_entries)  # the case page's timeline
        add_home_section(
            name="cross_border_approvals",
            order=16,
            template="federation/_home.html",
            load=home_referrals_to_approve,
        )

        from puente.audit.labels import add_object_label, add_picklist, add_reason_pattern

        add_object_label("incoming referrals", _("incoming cross-border referrals"))
        add_reason_pattern("cross-border send page", _("cross-border send page"))
        add_reason_pattern(r"retry message (?P<id>\S+)", _("message %(id)s sent again"))
        add_picklist(
            [("cross_border_approvals", _("cross-border referrals to approve"))],
            object_type="home",
            field="sections",
        )
