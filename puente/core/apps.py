from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "puente.core"
    label = "core"
    verbose_name = "Puente"

    def ready(self) -> None:
        from puente.core.fields import read_choice_labels_once

        # Every Puente model's picklists (core knows no app: it asks the registry).
        for model in apps.get_models():
            if model.__module__.startswith("puente."):
                read_choice_labels_once(model)
