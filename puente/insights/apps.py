from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "puente.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # Dashboards and the periodic reports each register their own home sections and
        # audit labels.
        from puente.insights import dashboard_hooks, report_hooks

        dashboard_hooks.register()
        report_hooks.register()
