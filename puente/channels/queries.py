"""Channel reads: what the hotline already knows about a sender, the queue of waiting
calls and threads, and the thread or attachment a page names (if the reader may)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from puente.accounts.models import User
from puente.cases.models import Identifier
from puente.channels.models import Attachment, Call, Conversation, OptOut, ThreadState
from puente.core import choices as c
from puente.core.phones import try_normalise_phone
from puente.intake.models import Contact
from puente.intake.queries import contact_for

# Calls still ringing or holding: a call whose status callback never came (a lost
# webhook) stops counting as waiting after this long.
WAITING_STATUSES = ("", "queued", "ringing", "in-progress")


@dataclass(frozen=True)
class Known:
    """What the hotline knows about a number or address, before anyone looks: the count
    of earlier contacts and the ids of cases it is tied to. Who may see which of those
    cases is the reader's to check (`intake.queries.phone_history` does, per person)."""

    earlier_contacts: int
    case_ids: list[int]


def known_about_number(*, number: str, excluding_contact: int | None = None) -> Known:
    """Answered from indexes (contact_phone_idx, identifier_lookup_idx): this runs while
    the phone rings."""
    if not number:
        return Known(earlier_contacts=0, case_ids=[])
    contacts = Contact.objects.filter(phone=number)
    if excluding_contact is not None:
        contacts = contacts.exclude(pk=excluding_contact)
    through_contacts = set(
        contacts.exclude(case__isnull=True).values_list("case_id", flat=True)[:50]
    )
    through_identifiers = set(
        Identifier.objects.filter(kind=c.IdentifierKind.PHONE, normalised=number).values_list(
            "case_id", flat=True
        )[:50]
    )
    return Known(
        earlier_contacts=contacts.count(),
        case_ids=sorted(case_id for case_id in through_contacts | through_identifiers if case_id),
    )


def known_about_email(*, address: str) -> Known:
    if not address:
        return Known(earlier_contacts=0, case_ids=[])
    cases = Identifier.objects.filter(
        kind=c.IdentifierKind.EMAIL, normalised=address.strip().lower()
    ).values_list("case_id", flat=True)[:50]
    return Known(earlier_contacts=0, case_ids=sorted(set(cases)))


def e164(address: str) -> str:
    """A sender's number in E.164, or "" (a withheld number, a short code)."""
    return try_normalise_phone(address, default_region=settings.PUENTE_COUNTRY) or ""


def opted_out(*, channel: str, address: str) -> bool:
    return OptOut.objects.filter(channel=channel, address=address).exists()


def waiting_calls() -> QuerySet[Call]:
    """Calls ringing or holding for an advocate, oldest first."""
    return (
        Call.objects.select_related("contact")
        .filter(status__in=WAITING_STATUSES, contact__taken_by__isnull=True)
        .order_by("created_at", "id")
    )


def unclaimed_threads() -> QuerySet[Conversation]:
    """Open threads nobody is answering, the longest waiting first."""
    return (
        Conversation.objects.select_related("contact")
        .filter(state=ThreadState.OPEN, claimed_by__isnull=True)
        .order_by("opened_at")
    )


def threads_claimed_by(*, user: User) -> QuerySet[Conversation]:
    return (
        Conversation.objects.select_related("contact")
        .filter(state=ThreadState.OPEN, claimed_by=user)
        .order_by("-last_message_at")
    )


def thread_for(*, user: User, thread_id: int, request: HttpRequest | None = None) -> Conversation:
    """The thread a page names, if `user` may read its contact (a contact filed in a
    case is as open as its case; `contact_for` audits a refusal)."""
    thread = (
        Conversation.objects.select_related("contact", "claimed_by").filter(pk=thread_id).first()
    )
    if thread is None:
        raise Http404
    contact_for(user=user, contact_id=thread.contact_id, request=request)
    return thread


def attachment_for(*, user: User, key: str, request: HttpRequest | None = None) -> Attachment:
    attachment = Attachment.objects.filter(key=key).first()
    if attachment is None:
        raise Http404
    contact_for(user=user, contact_id=attachment.contact_id, request=request)
    return attachment
