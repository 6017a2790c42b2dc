"""The referrals app's picklists: stored as codes, labelled here, translated.

How consent was given is the shared list (`puente.core.choices.ConsentMethod`): a
referral here and one sent across the border record it in the same codes. The service
a person is referred for is the directory's own list
(`puente.directory.choices.Service`), so a referral and the provider it went to speak
the same codes. `pgettext_lazy` keeps a referral's status apart from a case's status and
a report's outcome apart from a referral's: Spanish words differ.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReferralStatus(models.TextChoices):
    SUGGESTED = "suggested", pgettext_lazy("referral status", "Suggested to the person")
    MADE = "made", pgettext_lazy("referral status", "Referral made")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted by the provider")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined by the provider")
    CONNECTED = "connected", pgettext_lazy("referral status", "Connected: services received")
    UNREACHABLE = "unreachable", pgettext_lazy("referral status", "Unable to reach")
    CLOSED = "closed", pgettext_lazy("referral status", "Closed")


class ReferralOutcome(models.TextChoices):
    SERVICES_RECEIVED = "services_received", _("Services received")
    PARTIAL_SERVICES = "partial_services", _("Some of the services received")
    PERSON_DECLINED = "person_declined", _("The person declined the services")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible with this provider")
    NO_CAPACITY = "no_capacity", _("The provider had no space or capacity")
    LOST_CONTACT = "lost_contact", _("Lost contact with the person")
    UNKNOWN = "unknown", pgettext_lazy("referral outcome", "Unknown")
    OTHER = "other", pgettext_lazy("referral outcome", "Other")


class AgencyType(models.TextChoices):
    LOCAL_POLICE = "local_police", _("Local or municipal police")
    STATE_POLICE = "state_police", _("State police or state prosecutor")
    FEDERAL = "federal", _("Federal law enforcement or prosecutor")
    CHILD_WELFARE = "child_welfare", _("Child welfare / child protection")
    LABOUR_INSPECTION = "labour_inspection", _("Labor inspectorate")
    OTHER = "other", pgettext_lazy("agency type", "Other")


class ReportMethod(models.TextChoices):
    PHONE = "phone", pgettext_lazy("report method", "Phone")
    EMAIL = "email", pgettext_lazy("report method", "Email")
    IN_PERSON = "in_person", pgettext_lazy("report method", "In person")
    ONLINE_PORTAL = "online_portal", _("Online portal")


class MandatoryDuty(models.TextChoices):
    """The legal duty that obliged the hotline to report without the person's consent."""

    MINOR = "minor", _("A minor in commercial sex, or child abuse (mandatory reporting)")
    IMMINENT_DANGER = "imminent_danger", _("Imminent danger to someone's life")
    COURT_ORDER = "court_order", _("Court order or subpoena")
    OTHER = "other", _("Another legal duty (explain in the note)")


class ReportOutcome(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    INVESTIGATION_OPENED = "investigation_opened", _("Investigation opened")
    PERSON_LOCATED = "person_located", _("Person located or removed from danger")
    NO_ACTION = "no_action", _("No action taken")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred to another agency")
    UNKNOWN = "unknown", pgettext_lazy("report outcome", "Unknown")
    OTHER = "other", pgettext_lazy("report outcome", "Other")
