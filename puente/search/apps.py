from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "puente.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from puente.search.receivers import connect

        # Django's documented place to connect receivers: models are loaded by now.
        connect()
