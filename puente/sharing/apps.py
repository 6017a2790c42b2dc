from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """What leaves the hotline, and what comes in from other organisations: HTCDS
    exchange files, privacy-protected releases, and trends shared with the partner
    hotline across the border."""

    name = "puente.sharing"
    label = "sharing"
    verbose_name = _("Sharing data")

    def ready(self) -> None:
        # Each part registers its own audit labels, home sections and exchange messages.
        from puente.sharing import htcds_hooks, release_hooks, trend_hooks

        htcds_hooks.register()
        release_hooks.register()
        trend_hooks.register()
