from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class IntakeConfig(AppConfig):
    name = "puente.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader, readable_with
        from puente.cases.access import audit_content_reader
        from puente.core.permissions import Perm
        from puente.intake.models import Contact
        from puente.intake.queries import home_contact_queues, may_take_contacts

        # For a page of audit entries, as `contact_for` for one: a contact filed in a case is as
        # open as its case; one that is not, to whoever may read contacts.
        add_content_reader(
            object_types=["contact"],
            may_read=audit_content_reader(
                model=Contact, perm=Perm.CONTACT_VIEW, caseless_readable=True
            ),
        )
        # A phone lookup's reason counts the number's earlier contacts and cases.
        add_content_reader(object_types=["phone"], may_read=readable_with(Perm.PHONE_LOOKUP))

        add_home_section(
            name="new_contact",
            order=10,
            template="intake/_home_actions.html",
            load=may_take_contacts,
        )
        add_home_section(
            name="contacts", order=30, template="intake/_home.html", load=home_contact_queues
        )
