from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "puente.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from puente.audit.receivers import connect
        from puente.audit.visibility import add_content_reader, readable_by_auditors

        # Django's documented place to connect receivers: models are loaded by now.
        connect()
        # The trail's own entries (reviews of it, refused pages, home pages shown) name
        # filters, permissions and queues, not people.
        add_content_reader(
            object_types=["audit", "url", "api", "home"], may_read=readable_by_auditors
        )
