from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class RetentionConfig(AppConfig):
    name = "puente.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from puente.retention.queries import may_manage_retention

        add_home_section(
            name="retention", order=91, template="retention/_home.html", load=may_manage_retention
        )
