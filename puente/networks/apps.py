from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    """What recurs across cases: identifiers that turn up in more than one case, persons
    who are probably the same, and exploiters' identifiers the partner hotline also holds,
    found without either hotline handing the other its data."""

    name = "puente.networks"
    label = "networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        # Each part registers its own audit labels, hints and exchange messages.
        from puente.networks import linkage_hooks, psi_hooks, recurrence_hooks

        recurrence_hooks.register()
        linkage_hooks.register()
        psi_hooks.register()
