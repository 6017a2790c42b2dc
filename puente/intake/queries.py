"""Intake reads: what the hotline already knows about a number, and which contacts a
person may see.

The phone lookup runs while the phone is still ringing, on a table of millions of
contacts: every query here is answered from an index (Contact.phone, Identifier
(kind, normalised)) and the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, QuerySet, Value
from django.utils import timezone

from puente.accounts.roles import Perm
from puente.cases.access import (
    _open_for_user_q,
    can_open_case,
    restricted_cases_opened_by,
    visible_through_case_q,
)
from puente.cases.models import Case, Identifier
from puente.core import choices as c
from puente.core.phones import try_normalise_phone
from puente.intake.models import Contact, IntakeDraft


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
        return c.label_for(c.ReasonForContact, self.reason)

    @property
    def level_label(self) -> str:
        return c.label_for(c.IndicatorLevel, self.level_of_indicators)

    @property
    def started_label(self) -> str:
        return timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")

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


def _openable_annotation(user, case_ref: str, opened: list[int] | None = None):
    """Whether `user` may open the case (itself, or the one a contact belongs to)."""
    if not user.can(Perm.CASE_VIEW):
        return Value(False, output_field=BooleanField())
    field = "" if case_ref == "pk" else case_ref.removesuffix("_id")
    return ExpressionWrapper(_open_for_user_q(user, field, opened), output_field=BooleanField())


def phone_history(*, user, phone: str, limit: int = 10) -> PhoneHistory:
    """Earlier contacts from this number (newest first) and the cases it is tied to,
    through those contacts or as an identifier recorded in a case. At most four
    queries, however many rows."""
    number = try_normalise_phone(phone, default_region=settings.PUENTE_COUNTRY)
    if not number:
        return PhoneHistory(number="")
    opened = restricted_cases_opened_by(user) if user.can(Perm.CASE_VIEW) else []

    contacts: list[EarlierContact] = []
    more = False
    if user.can(Perm.CONTACT_VIEW):
        rows = list(
            Contact.objects.filter(phone=number)
            .annotate(case_openable=_openable_annotation(user, "case_id", opened))
            .order_by("-started_at")
            .values(
                "id",
                "started_at",
                "channel",
                "reason",
                "signaler_type",
                "summary",
                "level_of_indicators",
                "imminent_danger",
                "case_id",
                "case__reference",
                "case_openable",
            )[: limit + 1]
        )
        more = len(rows) > limit
        for row in rows[:limit]:
            # A contact inside a restricted case is that case's content: it shows up
            # only as the case's reference and status, below.
            if row["case_id"] is not None and not row["case_openable"]:
                continue
            contacts.append(
                EarlierContact(
                    id=row["id"],
                    started_at=row["started_at"],
                    channel=row["channel"],
                    reason=row["reason"],
                    signaler_type=row["signaler_type"],
                    summary=row["summary"],
                    level_of_indicators=row["level_of_indicators"],
                    imminent_danger=row["imminent_danger"],
                    case_reference=row["case__reference"] or "",
                )
            )

    by_identifier = Identifier.objects.filter(kind=c.IdentifierKind.PHONE, normalised=number)
    by_contact = Contact.objects.filter(phone=number, case__isnull=False)
    # The case ids first, each side from its own index: "id IN (…) OR id IN (…)" would
    # make PostgreSQL scan every case.
    case_ids = list(
        by_identifier.order_by()
        .values_list("case_id", flat=True)
        .union(by_contact.order_by().values_list("case_id", flat=True))
    )
    if not case_ids:
        return PhoneHistory(number=number, contacts=contacts, more_contacts=more)
    case_rows = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(
            openable=_openable_annotation(user, "pk", opened),
            via_identifier=Exists(by_identifier.filter(case_id=OuterRef("pk"))),
        )
        .order_by("-created_at")
        .values(
            "reference",
            "status",
            "restricted",
            "title",
            "summary",
            "level_of_indicators",
            "imminent_danger",
            "openable",
            "via_identifier",
        )[:limit]
    )
    cases = [
        KnownCase(**row)
        if row["openable"]
        else KnownCase(
            reference=row["reference"], status=row["status"], restricted=True, openable=False
        )
        for row in case_rows
    ]
    return PhoneHistory(number=number, contacts=contacts, cases=cases, more_contacts=more)


def visible_contacts(user, opened: list[int] | None = None) -> QuerySet[Contact]:
    """Contacts `user` may read: those outside any case, and those in cases they may open."""
    if not user.can(Perm.CONTACT_VIEW):
        return Contact.objects.none()
    return Contact.objects.filter(visible_through_case_q(user, opened=opened))


def can_view_contact(user, contact: Contact) -> bool:
    if not user.can(Perm.CONTACT_VIEW):
        return False
    return contact.case_id is None or can_open_case(user, contact.case)


def recent_contacts(*, user) -> QuerySet[Contact]:
    return visible_contacts(user).select_related("case", "taken_by").order_by("-started_at", "-id")


def drafts_of(*, owner) -> QuerySet[IntakeDraft]:
    """Only ever the owner's own drafts: nobody else sees what an advocate half-typed."""
    return IntakeDraft.objects.filter(owner=owner).order_by("-updated_at")


def parse_draft_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def draft_of(*, owner, key) -> IntakeDraft | None:
    key = parse_draft_key(key)
    return IntakeDraft.objects.filter(owner=owner, key=key).first() if key else None
