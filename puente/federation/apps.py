from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.checks import add_configuration_check


class FederationConfig(AppConfig):
    name = "puente.federation"
    label = "federation"
    verbose_name = _("Partner hotlines")

    def ready(self) -> None:
        from puente.federation.partners import insecure_partner_urls

        add_configuration_check(insecure_partner_urls)
