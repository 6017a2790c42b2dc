from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.checks import add_configuration_check
from puente.core.home import add_home_section


class FederationConfig(AppConfig):
    name = "puente.federation"
    label = "federation"
    verbose_name = _("Partner hotlines")

    def ready(self) -> None:
        from puente.federation.partners import insecure_partner_urls
        from puente.federation.queries import home_referrals_to_approve

        add_configuration_check(insecure_partner_urls)
        add_home_section(
            name="cross_border_approvals",
            order=16,
            template="federation/_home.html",
            load=home_referrals_to_approve,
        )
