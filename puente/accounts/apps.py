from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class AccountsConfig(AppConfig):
    name = "puente.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from puente.accounts.queries import account_watch, may_administer
        from puente.audit.visibility import add_content_reader, readable_with
        from puente.core.permissions import Perm

        add_home_section(
            name="accounts", order=25, template="accounts/_home_watch.html", load=account_watch
        )
        add_home_section(
            name="administration", order=90, template="accounts/_home.html", load=may_administer
        )
        # Audit entries about accounts and API keys: content for whoever manages them.
        add_content_reader(object_types=["user"], may_read=readable_with(Perm.USER_MANAGE))
        add_content_reader(object_types=["apikey"], may_read=readable_with(Perm.APIKEY_MANAGE))
