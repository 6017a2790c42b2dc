from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class IntakeConfig(AppConfig):
    name = "puente.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from puente.intake.queries import home_contact_queues, may_take_contacts

        add_home_section(
            name="new_contact",
            order=10,
            template="intake/_home_actions.html",
            load=may_take_contacts,
        )
        add_home_section(
            name="contacts", order=30, template="intake/_home.html", load=home_contact_queues
        )
