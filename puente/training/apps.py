from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training and knowledge: the articles an advocate reads on a call, practice calls in
    a sandbox, and supervisors' quality review of real contacts."""

    name = "puente.training"
    label = "training"
    verbose_name = _("Training and knowledge")

    def ready(self) -> None:
        # Each part registers its own audit labels, hints and search.
        from puente.training import knowledge_hooks, progress_hooks, quality_hooks

        knowledge_hooks.register()
        quality_hooks.register()
        progress_hooks.register()
