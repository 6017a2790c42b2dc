from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class CasesConfig(AppConfig):
    name = "puente.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from puente.cases.queries import home_case_queues

        add_home_section(name="cases", order=20, template="cases/_home.html", load=home_case_queues)
