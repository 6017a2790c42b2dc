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
        from puente.cases.timeline import add_timeline_source
        from puente.core.permissions import Perm
        from puente.intake.models import Contact
        from puente.intake.queries import home_contact_queues, may_take_contacts
        from puente.intake.timeline import contact_entries

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

        add_timeline_source(contact_entries)  # the case page's timeline
        add_home_section(
            name="new_contact",
            order=10,
            template="intake/_home_actions.html",
            load=may_take_contacts,
        )
        add_home_section(
            name="contacts", order=30, template="intake/_home.html", load=home_contact_queues
        )

        # The audit trail names a looked-up number in words (puente.audit.labels).
        from puente.audit.labels import (
            add_field_labels,
            add_object_label,
            add_picklist,
            add_reason_pattern,
        )

        add_object_label("phone", _("phone number"))
        add_field_labels("phone", {"number": _("number")})
        add_reason_pattern(
            r"(?P<contacts>\d+) contacts, (?P<cases>\d+) cases",
            _("earlier contacts: %(contacts)s · cases: %(cases)s"),
        )
        add_picklist(
            [("new_contact", _("new contact")), ("contacts", _("contact queues"))],
            object_type="home",
            field="sections",
        )

        # A new contact sent after the session ended is kept as the author's unfinished
        # intake, and they continue it after signing in (puente.accounts.kept).
        from puente.accounts.kept import add_keeper
        from puente.intake.views import keep_contact_sent_signed_out

        add_keeper(view_name="intake:new", keep=keep_contact_sent_signed_out)
