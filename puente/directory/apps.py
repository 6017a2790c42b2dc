from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "puente.directory"
    label = "directory"
    verbose_name = _("Service directory")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader, readable_by_auditors

        # Service providers and their imports are public listings, not anyone's story.
        add_content_reader(
            object_types=["provider", "provider_import", "importbatch"],
            may_read=readable_by_auditors,
        )

        # Providers' lists of codes, in words on the audit trail (puente.audit.labels).
        from puente.audit.labels import add_object_label, add_picklist, add_reason_pattern
        from puente.directory import choices

        add_object_label("provider_import", _("provider import"))
        add_reason_pattern(
            "directory search from the case's location",
            _("directory search from the case's location"),
        )
        add_picklist(choices.Service, object_type="provider", field="services")
        add_picklist(choices.Population, object_type="provider", field="populations")
