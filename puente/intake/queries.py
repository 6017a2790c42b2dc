"""Intake reads: what the hotline already knows about a number, and which contacts a
person may see.

The phone lookup runs while the phone is still ringing, on a table of millions of
contacts: every query here is answered from an index (Contact.phone, Identifier
(kind, normalised)) and the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import formats, timezone

from puente.accounts.models import User
from puente.cases.access import (
    OpenableCases,
    check_case_access,
    visible_through_case_q,
)
from puente.cases.models import Case, Identifier
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.core.phones import try_normalise_phone
from puente.intake.models import NOT_YET_RECORDED, Contact, IntakeDraft


@dataclass(frozen=True)
class EarlierContact:
    id: int
    started_at: datetime
    channel: str
    reason: str
    signaler_type: str
    summary: str
    level_of_indicators: str
    imminent_danger: bool
    case_reference: str

    @property
    def channel_label(self) -> str:
        return c.label_for(c.Channel, self.channel)

    @property
    def reason_label(self) -> str:
        if not self.reason:  # arrived by itself; no advocate has recorded it yet
            return str(NOT_YET_RECORDED)
        return c.label_for(c.ReasonForContact, self.reason)

    @property
    def level_label(self) -> str:
        return c.label_for(c.IndicatorLevel, self.level_of_indicators)

    @property
    def started_label(self) -> str:
        return formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")

    @property
    def summary_short(self) -> str:
        return _short(self.summary)


def _short(text: str, limit: int = 140) -> str:
    """The screen-pop's one-line preview. A slice, not Django's Truncator: this runs
    for every row of every lookup, and the preview needs no word boundaries."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class KnownCase:
    """A case the number is tied to. For a restricted case the person may not open,
    only `reference` and `status` are filled: it exists, nothing more."""

    reference: str
    status: str
    restricted: bool
    openable: bool
    title: str = ""
    summary: str = ""
    level_of_indicators: str = ""
    imminent_danger: bool = False
    via_identifier: bool = False

    @property
    def status_label(self) -> str:
        return c.label_for(c.CaseStatus, self.status)

    @property
    def summary_short(self) -> str:
        return _short(self.summary)

    @property
    def level_label(self) -> str:
        return c.label_for(c.IndicatorLevel, self.level_of_indicators)


@dataclass(frozen=True)
class PhoneHistory:
    number: str  # E.164; empty when what was typed is not (yet) a phone number
    contacts: list[EarlierContact] = field(default_factory=list)
    cases: list[KnownCase] = field(default_factory=list)
    more_contacts: bool = False

    @property
    def found(self) -> bool:
        return bool(self.contacts or self.cases)


# The screen-pop's two queries, written out once instead of built by the ORM on every
# ring: building them cost ~2.5 ms a lookup, several times what the database needs to
# answer them (bench/RESULTS.md). Plain SQL both databases run as it is; every part is
# answered from an index (contact_phone_idx, identifier_lookup_idx, primary keys).
_CONTACT = Contact._meta.db_table
_CASE = Case._meta.db_table
_IDENTIFIER = Identifier._meta.db_table

_CONTACTS_SQL = f"""
SELECT ct.id, ct.started_at, ct.channel, ct.reason, ct.signaler_type, ct.summary,
       ct.level_of_indicators, ct.imminent_danger,
       ct.case_id, cs.reference, cs.restricted, cs.owner_id
FROM {_CONTACT} ct LEFT JOIN {_CASE} cs ON cs.id = ct.case_id
WHERE ct.phone = %s
ORDER BY ct.started_at DESC
LIMIT %s
"""

# "id IN (one index's ids UNION the other's)": "id IN (…) OR id IN (…)" would make
# PostgreSQL scan every case.
_CASES_SQL = f"""
SELECT cs.id, cs.owner_id, cs.reference, cs.status, cs.restricted, cs.title, cs.summary,
       cs.level_of_indicators, cs.imminent_danger,
       EXISTS (SELECT 1 FROM {_IDENTIFIER} i
               WHERE i.case_id = cs.id AND i.kind = %s AND i.normalised = %s) AS via_identifier
FROM {_CASE} cs
WHERE cs.id IN (SELECT case_id FROM {_IDENTIFIER} WHERE kind = %s AND normalised = %s
                UNION
                SELECT case_id FROM {_CONTACT} WHERE phone = %s AND case_id IS NOT NULL)
ORDER BY cs.created_at DESC
LIMIT %s
"""


def _dicts(cursor: CursorWrapper) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC; PostgreSQL an aware datetime.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def phone_history(*, user: User, phone: str, limit: int = 10) -> PhoneHistory:
    """Earlier contacts from this number (newest first) and the cases it is tied to,
    through those contacts or as an identifier recorded in a case. Two queries, however
    many rows (a third, for the person's grants, only when a restricted case someone
    else owns turns up): this runs while the phone is ringing."""
    number = try_normalise_phone(phone, default_region=settings.PUENTE_COUNTRY)
    if not number:
        return PhoneHistory(number="")
    access = OpenableCases(user)
    phone_kind = c.IdentifierKind.PHONE.value

    with connection.cursor() as cursor:
        contact_rows = []
        if user.can(Perm.CONTACT_VIEW):
            cursor.execute(_CONTACTS_SQL, [number, limit + 1])
            contact_rows = _dicts(cursor)
        cursor.execute(_CASES_SQL, [phone_kind, number, phone_kind, number, number, limit])
        case_rows = _dicts(cursor)

    contacts = [
        EarlierContact(
            id=row["id"],
            started_at=_aware(row["started_at"]),
            channel=row["channel"],
            reason=row["reason"],
            signaler_type=row["signaler_type"],
            summary=row["summary"],
            level_of_indicators=row["level_of_indicators"],
            imminent_danger=bool(row["imminent_danger"]),
            case_reference=row["reference"] or "",
        )
        for row in contact_rows[:limit]
        # A contact inside a restricted case is that case's content: it shows up only as
        # the case's reference and status, below.
        if row["case_id"] is None
        or access.may_open(
            row["case_id"], restricted=bool(row["restricted"]), owner_id=row["owner_id"]
        )
    ]
    cases = [
        KnownCase(
            reference=row["reference"],
            status=row["status"],
            restricted=bool(row["restricted"]),
            openable=True,
            title=row["title"],
            summary=row["summary"],
            level_of_indicators=row["level_of_indicators"],
            imminent_danger=bool(row["imminent_danger"]),
            via_identifier=bool(row["via_identifier"]),
        )
        if access.may_open(row["id"], restricted=bool(row["restricted"]), owner_id=row["owner_id"])
        else KnownCase(
            reference=row["reference"], status=row["status"], restricted=True, openable=False
        )
        for row in case_rows
    ]
    return PhoneHistory(
        number=number, contacts=contacts, cases=cases, more_contacts=len(contact_rows) > limit
    )


def visible_contacts(user: User, opened: list[int] | None = None) -> QuerySet[Contact]:
    """Contacts `user` may read: those outside any case, and those in cases they may open."""
    if not user.can(Perm.CONTACT_VIEW):
        return Contact.objects.none()
    return Contact.objects.filter(visible_through_case_q(user, opened=opened))


def contact_for(*, user: User, contact_id: int, request: HttpRequest | None = None) -> Contact:
    """The contact a page or API call names, if `user` may read it: a contact filed in a
    case is as open as its case (`check_case_access`, which audits a refusal)."""
    contact = (
        Contact.objects.select_related("case", "case__owner", "taken_by")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise Http404
    if contact.case is not None:
        check_case_access(user=user, case=contact.case, obj=contact, request=request)
    return contact


def recent_contacts(*, user: User, case: Case | None = None) -> QuerySet[Contact]:
    contacts = visible_contacts(user)
    if case is not None:
        contacts = contacts.filter(case=case)
    return contacts.select_related("case", "taken_by").order_by("-started_at", "-id")


def draft_cutoff(*, now: datetime | None = None) -> datetime:
    """Drafts last saved before this have expired (PUENTE_DRAFT_HOURS)."""
    return (now or timezone.now()) - timedelta(hours=settings.PUENTE_DRAFT_HOURS)


def drafts_of(*, owner: User) -> QuerySet[IntakeDraft]:
    """Only ever the owner's own drafts, and only those not yet expired: nobody else sees
    what an advocate half-typed, and after PUENTE_DRAFT_HOURS no one does."""
    return IntakeDraft.objects.filter(owner=owner, updated_at__gte=draft_cutoff()).order_by(
        "-updated_at"
    )


def parse_draft_key(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def draft_of(*, owner: User, key: object) -> IntakeDraft | None:
    key = parse_draft_key(key)
    return drafts_of(owner=owner).filter(key=key).first() if key else None


# --- the home page: contacts and unfinished intakes ------------------------------------

HOME_QUEUE_LENGTH = 20


@dataclass
class ContactQueues:
    contacts: list[Contact]
    everyones: bool  # the whole floor's contacts, not only this person's own
    my_drafts: list[IntakeDraft]


def may_take_contacts(*, user: User) -> bool | None:
    """True (the home page's "Take a new contact" button) or None (no button)."""
    return True if user.can(Perm.CONTACT_CREATE) else None


def home_contact_queues(*, user: User) -> ContactQueues | None:
    if not user.can(Perm.CONTACT_VIEW):
        return None
    contacts = visible_contacts(user).select_related("case").order_by("-started_at")
    # The role, not the live-call gate: an advocate sent back to practice still sees
    # their own contacts (and drafts) first.
    takes_contacts = user.role_gives(Perm.CONTACT_CREATE)
    # Supervisors watch the whole floor; analysts and liaisons see the recent work.
    everyones = user.can(Perm.CASE_RESTRICT) or not takes_contacts
    if not everyones:
        contacts = contacts.filter(taken_by=user)
    return ContactQueues(
        contacts=list(contacts[:HOME_QUEUE_LENGTH]),
        everyones=everyones,
        my_drafts=list(drafts_of(owner=user)[:5]) if takes_contacts else [],
    )
