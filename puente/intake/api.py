"""Contacts and phone lookup over the JSON API: the telephony bridge asks "who is
calling?" before the advocate answers; integrations log contacts. Same domain and
query functions as the pages; same permissions, narrowed further by a key's scopes."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.core.permissions import Perm
from puente.intake import domain, queries
from puente.intake.models import Contact
from puente.intake.queries import EarlierContact, KnownCase

router = Router(tags=["intake"])


class ContactIn(Schema):
    # channel and reason default to empty so a missing one is reported by the domain
    # rule, with the same message the page shows.
    channel: str = ""
    reason: str = ""
    direction: str = "inbound"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    signaler_type: str = "anonymous"
    language: str = "eng"
    interpreter_used: bool = False
    interpreter_language: str = ""
    phone: str = ""
    country: str = ""
    subdivision: str = ""
    city: str = ""
    summary: str = ""
    imminent_danger: bool = False
    case_reference: str = ""


class ContactOut(Schema):
    id: int
    channel: str
    direction: str
    started_at: datetime
    ended_at: datetime | None
    signaler_type: str
    language: str
    interpreter_used: bool
    interpreter_language: str
    phone: str
    phone_raw: str
    country: str
    subdivision: str
    city: str
    reason: str
    summary: str
    imminent_danger: bool
    level_of_indicators: str
    case_reference: str | None
    version: int

    @staticmethod
    def resolve_case_reference(obj: Contact) -> str | None:
        return obj.case.reference if obj.case is not None else None


class ContactPage(Schema):
    # No total count: counting millions of rows on every page is what makes lists slow.
    next_offset: int | None
    limit: int
    offset: int
    items: list[ContactOut]


class PhoneLookupOut(Schema):
    # The screen-pop's own records, as the page shows them: one definition of each.
    number: str
    found: bool
    contacts: list[EarlierContact]
    cases: list[KnownCase]
    more_contacts: bool


@router.get("/phone-lookup", response=PhoneLookupOut)
def phone_lookup(request, number: str):
    require_api_perm(request, Perm.PHONE_LOOKUP)
    history = domain.look_up_caller(user=request.user, phone=number, request=request)
    if not history.number:
        raise HttpError(422, "This is not a phone number.")
    return {
        "number": history.number,
        "found": history.found,
        "contacts": history.contacts,
        "cases": history.cases,
        "more_contacts": history.more_contacts,
    }


@router.post("/contacts", response={201: ContactOut})
def create_contact(request, payload: ContactIn):
    require_api_perm(request, Perm.CONTACT_CREATE)
    contact = domain.record_contact(by=request.user, data=payload.dict(), request=request)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response=ContactOut)
def get_contact(request, contact_id: int):
    require_api_perm(request, Perm.CONTACT_VIEW)
    contact = queries.contact_for(user=request.user, contact_id=contact_id, request=request)
    record_event(action="view", actor=request.user, obj=contact, request=request)
    return contact


class Paging(Schema):
    limit: int = 50
    offset: int = 0


@router.get("/contacts", response=ContactPage)
def list_contacts(request, paging: Query[Paging]):
    require_api_perm(request, Perm.CONTACT_VIEW)
    limit = max(1, min(paging.limit, 200))
    offset = max(0, paging.offset)
    contacts = queries.recent_contacts(user=request.user)
    rows = list(contacts[offset : offset + limit + 1])
    items = rows[:limit]
    record_event(
        action="view",
        actor=request.user,
        object_type="contact",
        object_ref=f"api list {offset}+{len(items)}",
        request=request,
    )
    next_offset = offset + limit if len(rows) > limit else None
    return {"next_offset": next_offset, "limit": limit, "offset": offset, "items": items}
