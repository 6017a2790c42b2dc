from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "puente.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader, readable_by_auditors
        from puente.cases.access import audit_content_reader
        from puente.cases.timeline import add_timeline_source
        from puente.core.permissions import Perm
        from puente.intake.signals import contact_filed
        from puente.screening.domain import attach_contact_screenings
        from puente.screening.models import Screening
        from puente.screening.timeline import screening_entries

        def bring_screenings(sender, *, contact_id, case_id, by=None, request=None, **kwargs):
            attach_contact_screenings(
                contact_id=contact_id, case_id=case_id, by=by, request=request
            )

        add_timeline_source(screening_entries)  # the case page's timeline

        # A screened contact filed in a case (or opening one) brings its screenings.
        contact_filed.connect(
            bring_screenings, weak=False, dispatch_uid="screening.bring_screenings"
        )

        # A screening is as open as its case, or its contact's case; a contact's screening
        # outside any case, to whoever may read contacts.
        add_content_reader(
            object_types=["screening"],
            may_read=audit_content_reader(
                model=Screening,
                case_paths=("case", "contact__case"),
                perm=Perm.CONTACT_VIEW,
                caseless_readable=True,
            ),
        )
        # Protocols are the hotline's own scripts, not anyone's story.
        add_content_reader(object_types=["protocol"], may_read=readable_by_auditors)

        # The audit trail reads this reason back in the reader's language.
        from puente.audit.labels import add_reason_pattern

        add_reason_pattern("screening page", _("screening page"))
