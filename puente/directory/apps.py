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
