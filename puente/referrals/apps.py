from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class ReferralsConfig(AppConfig):
    name = "puente.referrals"
    label = "referrals"
    verbose_name = _("Referrals and reports")

    def ready(self) -> None:
        from puente.audit.visibility import add_content_reader
        from puente.cases.access import audit_content_reader
        from puente.cases.timeline import add_timeline_source
        from puente.referrals.models import AuthorityReport, Referral
        from puente.referrals.queries import home_reports
        from puente.referrals.timeline import referral_entries

        add_timeline_source(referral_entries)  # the case page's timeline
        # Supervisors: reports waiting for approval, cases that call for a report.
        add_home_section(
            name="reports", order=15, template="referrals/_home.html", load=home_reports
        )

        # Referrals and reports to authorities are as open as their case.
        for model in (Referral, AuthorityReport):
            add_content_reader(
                object_types=[model._meta.model_name or ""],
                may_read=audit_content_reader(model=model),
            )

        # The audit trail names this home section in words (puente.audit.labels).
        from puente.audit.labels import add_picklist

        add_picklist([("reports", _("reports to approve"))], object_type="home", field="sections")
