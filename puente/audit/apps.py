from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "puente.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from puente.audit.receivers import connect

        # Django's documented place to connect receivers: models are loaded by now.
        connect()
