from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "puente.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader, readable_with
        from puente.core.permissions import Perm
        from puente.search.receivers import connect

        # What someone searched for may be a survivor's name: readable only to those who
        # may search (and so read such names) themselves — not to administrators.
        add_content_reader(object_types=["search"], may_read=readable_with(Perm.SEARCH))

        # Django's documented place to connect receivers: models are loaded by now.
        connect()

        from puente.audit.labels import add_object_label

        add_object_label("search", _("search"))
