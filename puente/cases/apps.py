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
        from puente.cases.timeline import (
            add_timeline_source,
            change_entries,
            note_entries,
            task_entries,
        )

        add_home_section(name="cases", order=20, template="cases/_home.html", load=home_case_queues)
        # The case page's timeline: the case's own records (higher apps add theirs).
        for source in (change_entries, note_entries, task_entries):
            add_timeline_source(source)
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

        # The audit trail names these in words (puente.audit.labels).
        from puente.audit.labels import (
            add_field_labels,
            add_object_label,
            add_picklist,
            add_staff_fields,
        )

        add_object_label("case_list", _("case list"), like="case")
        add_field_labels(
            "case_list",
            {
                "mine": _("My cases"),
                "imminent_danger": _("Imminent danger only"),
                "restricted": _("Restricted only"),
                "page": _("page"),
            },
        )
        add_object_label("break_glass_list", _("broken-glass openings"))
        add_field_labels("case", {"access_list": _("access list"), "restricted": _("restricted")})
        add_staff_fields("access_list", "assignee")
        add_picklist([("cases", _("case queues"))], object_type="home", field="sections")
