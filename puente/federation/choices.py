"""Codes that cross the border. They are part of the protocol (docs/federation.md):
both sides store and send the code and each labels it in its own language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.choices import CONSENT_GIVEN, ConsentMethod


class MessageType(models.TextChoices):
    REFERRAL_OFFER = "referral.offer", _("Referral")
    REFERRAL_STATUS = "referral.status", _("Status update")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message", "Queued")
    DELIVERED = "delivered", pgettext_lazy("message", "Delivered")
    FAILED = "failed", pgettext_lazy("message", "Failed")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Sent to the partner")
    INCOMING = "incoming", _("Received from the partner")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent (within a day)")
    EMERGENCY = "emergency", _("Emergency (imminent danger)")


# A case crosses the border only with the person's consent: the shared list's ways of
# giving it (`puente.core.choices.ConsentMethod`), never the emergency exception.
CONSENT_METHODS = [(code, label) for code, label in ConsentMethod.choices if code in CONSENT_GIVEN]
CONSENT_METHOD_CODES = frozenset(code for code, _label in CONSENT_METHODS)


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral", "Declined")
    IN_CONTACT = "in_contact", _("In contact with the survivor")
    SERVICES_CONNECTED = "services_connected", _("Services connected")
    CLOSED = "closed", pgettext_lazy("referral", "Closed")


class DeclineReason(models.TextChoices):
    OUTSIDE_AREA = "outside_area", _("Outside the area we serve")
    NO_CAPACITY = "no_capacity", _("No capacity for this need")
    NOT_TRAFFICKING = "not_trafficking", _("Not a trafficking situation")
    DUPLICATE = "duplicate", _("Already referred (duplicate)")
    INSUFFICIENT = "insufficient", _("Not enough information to act")
    OTHER = "other", _("Other (see note)")


class ClosingOutcome(models.TextChoices):
    SERVICES_RECEIVED = "services_received", _("Survivor received services")
    SURVIVOR_DECLINED = "survivor_declined", _("Survivor declined services")
    UNABLE_TO_REACH = "unable_to_reach", _("Unable to reach the survivor")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    OTHER = "other", _("Other (see note)")


# Who may follow which status: the receiving hotline moves a referral along this path.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.IN_CONTACT,
        ReferralStatus.SERVICES_CONNECTED,
        ReferralStatus.CLOSED,
    ),
    ReferralStatus.IN_CONTACT: (ReferralStatus.SERVICES_CONNECTED, ReferralStatus.CLOSED),
    ReferralStatus.SERVICES_CONNECTED: (ReferralStatus.CLOSED,),
    ReferralStatus.DECLINED: (),
    ReferralStatus.CLOSED: (),
}
