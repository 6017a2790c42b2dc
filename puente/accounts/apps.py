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

        from puente.audit.labels import add_object_label, add_picklist, add_reason_pattern

        add_object_label("address", _("network address"))
        # The reasons accounts writes, read back in the reader's language.
        for pattern, label in [
            (
                r"(?P<n>\d+) failed sign-ins from this address in (?P<m>\d+) minutes; paused",
                _("%(n)s failed sign-ins from this address in %(m)s minutes; paused"),
            ),
            (
                r"sign-in pause lifted \((?P<n>\d+) failures forgotten\)",
                _("sign-in pause lifted (%(n)s failures forgotten)"),
            ),
            (
                r"(?P<n>\d+) failed attempts; locked until (?P<until>\S+)",
                _("%(n)s failed attempts; locked until %(until)s"),
            ),
            ("unknown username", _("unknown username")),
            ("account locked", _("account locked")),
            ("wrong password", _("wrong password")),
            ("account deactivated", _("account deactivated")),
            ("password accepted", _("password accepted")),
            ("enrolment code rejected", _("enrollment code rejected")),
            (
                r"authenticator app; (?P<n>\d+) recovery codes issued",
                _("authenticator app; %(n)s recovery codes issued"),
            ),
            (
                r"(?P<n>\d+) new codes; earlier codes no longer work",
                _("%(n)s new codes; earlier codes no longer work"),
            ),
            ("second-factor code rejected", _("second-factor code rejected")),
            (r"(?P<n>\d+) recovery codes left", _("%(n)s recovery codes left")),
            ("authenticator app", _("authenticator app")),
            ("account unlocked", _("account unlocked")),
            (
                r"two-step verification reset \((?P<n>\d+) devices removed\)",
                _("two-step verification reset (%(n)s devices removed)"),
            ),
            ("staff account created", _("staff account created")),
            ("password disabled", _("password disabled")),
            ("password changed by its owner", _("password changed by its owner")),
            ("password reset by an administrator", _("password reset by an administrator")),
            (
                "password reset by an administrator: one-time link issued",
                _("password reset by an administrator: one-time link issued"),
            ),
            (
                "password set by its owner from a one-time link",
                _("password set by its owner from a one-time link"),
            ),
            (r"revoked “(?P<name>.+)”", _("revoked “%(name)s”")),
            (
                r"created “(?P<name>.+)” acting for (?P<user>\S+)",
                _("created “%(name)s” acting for %(user)s"),
            ),
        ]:
            add_reason_pattern(pattern, label)
        add_picklist(
            [("accounts", _("accounts to watch")), ("administration", _("administration"))],
            object_type="home",
            field="sections",
        )
