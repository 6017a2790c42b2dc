from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class AccountsConfig(AppConfig):
    name = "puente.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from puente.accounts.queries import may_administer

        add_home_section(
            name="administration", order=90, template="accounts/_home.html", load=may_administer
        )
