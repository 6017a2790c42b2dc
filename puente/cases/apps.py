from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class CasesConfig(AppConfig):
    name = "puente.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader, readable_by_auditors
        from puente.cases import models
        from puente.cases.access import audit_content_reader
        from puente.cases.queries import home_case_queues

        add_home_section(name="cases", order=20, template="cases/_home.html", load=home_case_queues)
        # The content of audit entries about a case or its parts: as open as the case.
        for model in (
            models.Case,
            models.Person,
            models.Identifier,
            models.CaseLocation,
            models.Task,
            models.CaseNote,
            models.BreakGlass,
        ):
            add_content_reader(
                object_types=[model._meta.model_name or ""],
                may_read=audit_content_reader(model=model),
            )
        add_content_reader(
            object_types=["case_list", "break_glass_list"], may_read=readable_by_auditors
        )
