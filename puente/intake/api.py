"""Contacts and phone lookup over the JSON API: the telephony bridge asks "who is
calling?" before the advocate answers; integrations log contacts. Same domain and
query functions as the pages; same permissions, narrowed further by a key's scopes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.db import models
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as FieldErrors

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.cases.models import Case
from puente.core import choices as c
from puente.core.api import (
    MAX_ID,
    Codes,
    Flag,
    Moment,
    Text,
    errors,
    limit_param,
    offset_param,
    required_in_schema,
)
from puente.core.fields import max_length_of
from puente.core.permissions import Perm
from puente.intake import domain, queries
from puente.intake.models import Contact
from puente.intake.queries import EarlierContact, KnownCase

router = Router(tags=["intake"])


def _limit(field: str) -> int:
    return max_length_of(Contact, field)


# Signaler types a client may send: today's, and the "anonymous" older clients send.
SIGNALER_TYPE_IN = models.TextChoices(  # type: ignore[misc,call-overload]
    "SignalerTypeIn", [(code, code) for code in [*c.SignalerType.values, "anonymous"]]
)
# This deployment's report categories (PUENTE_COUNTRY), documented as their codes.
REPORT_CATEGORY = models.TextChoices(  # type: ignore[misc,call-overload]
    "ReportCategory", [(code, code) for code in domain.report_categories().values]
)


class ContactIn(Schema):
    # channel and reason default to empty so a missing one is reported by the domain
    # rule, with the same message the page shows; the schema still calls them required.
    model_config = {"json_schema_extra": required_in_schema("channel", "reason")}

    channel: Annotated[str, Codes(c.Channel)] = ""
    reason: Annotated[str, Codes(c.ReasonForContact)] = ""
    direction: Annotated[str, Codes(c.Direction)] = "inbound"
    started_at: Moment | None = Field(
        None, description="When the contact began; left out or null: now."
    )
    ended_at: Moment | None = Field(
        None,
        description="Not before started_at. Both: not in the future (beyond 5 minutes of "
        "clock skew), not before the hotline's first day (PUENTE_HOTLINE_FOUNDED).",
    )
    long_contact_confirmed: Flag = Field(
        False,
        description="A contact longer than 4 hours is refused unless this is true: it is "
        "more often a mistyped date than a call.",
    )
    signaler_type: Annotated[str, Codes(SIGNALER_TYPE_IN)] = Field(
        "unknown",
        description='Who signalled. "anonymous" (before `anonymous` existed) is still '
        'accepted and stored as "unknown" with anonymous = true.',
    )
    anonymous: Flag = Field(True, description="The signaler gave no name.")
    hotline_category: Annotated[str, Codes(REPORT_CATEGORY, blank=True)] = Field(
        "", description="This hotline's own category; it sets `reason` to the code it maps to."
    )
    language: Annotated[str, Codes(c.Language)] = "eng"
    interpreter_used: Flag = False
    interpreter_language: Annotated[str, Codes(c.Language, blank=True)] = Field(
        "", description="Only with interpreter_used."
    )
    phone: Annotated[str, Text(_limit("phone_raw"), description="As given; stored in E.164.")] = ""
    country: Annotated[str, Text(_limit("country"), description="ISO 3166-1 alpha-2 code.")] = ""
    subdivision: Annotated[
        str, Text(_limit("subdivision"), description="ISO 3166-2 code, in country.")
    ] = ""
    city: Annotated[str, Text(_limit("city"))] = ""
    summary: Annotated[str, Text(_limit("summary"))] = ""
    imminent_danger: Flag = False
    case_reference: Annotated[
        str,
        Text(max_length_of(Case, "reference"), description="A case you may edit, to file it in."),
    ] = ""


class ContactOut(Schema):
    id: int
    channel: Annotated[str, Codes(c.Channel)]
    direction: Annotated[str, Codes(c.Direction)]
    started_at: datetime
    ended_at: datetime | None
    signaler_type: Annotated[str, Codes(c.SignalerType)]
    anonymous: bool
    hotline_category: Annotated[str, Codes(REPORT_CATEGORY, blank=True)]
    language: Annotated[str, Codes(c.Language)]
    interpreter_used: bool
    interpreter_language: Annotated[str, Codes(c.Language, blank=True)]
    phone: str
    phone_raw: str
    country: str
    subdivision: str
    city: str
    # "" until an advocate records it, for a contact that arrived by itself (a call, a tip).
    reason: Annotated[str, Codes(c.ReasonForContact, blank=True)]
    summary: str
    imminent_danger: bool
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)]
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


class PhoneLookupIn(Schema):
    number: Annotated[
        str, Text(_limit("phone_raw"), description="A phone number in any usual form.")
    ]


@router.get("/phone-lookup", response={200: PhoneLookupOut, **errors()})
def phone_lookup(request, params: Query[PhoneLookupIn]):
    require_api_perm(request, Perm.PHONE_LOOKUP)
    history = domain.look_up_caller(user=request.user, phone=params.number, request=request)
    if not history.number:
        raise FieldErrors(
            [
                {
                    "loc": ["query", "number"],
                    "msg": "This is not a phone number.",
                    "type": "value_error",
                }
            ]
        )
    return {
        "number": history.number,
        "found": history.found,
        "contacts": history.contacts,
        "cases": history.cases,
        "more_contacts": history.more_contacts,
    }


@router.post("/contacts", response={201: ContactOut, **errors(body=True)})
def create_contact(request, payload: ContactIn):
    require_api_perm(request, Perm.CONTACT_CREATE)
    contact = domain.record_contact(by=request.user, data=payload.dict(), request=request)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **errors(404)})
def get_contact(request, contact_id: int = Path(..., ge=1, le=MAX_ID)):
    require_api_perm(request, Perm.CONTACT_VIEW)
    contact = queries.contact_for(user=request.user, contact_id=contact_id, request=request)
    record_event(action="view", actor=request.user, obj=contact, request=request)
    return contact


class Paging(Schema):
    limit: int = limit_param()
    offset: int = offset_param()


@router.get("/contacts", response={200: ContactPage, **errors()})
def list_contacts(request, paging: Query[Paging]):
    require_api_perm(request, Perm.CONTACT_VIEW)
    limit, offset = paging.limit, paging.offset
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
