"""/api/v1/cases: the same domain functions as the case pages, as JSON.

A restricted case the caller is not named on answers 403 (it exists, but not for you);
a stale PATCH answers 409 naming who changed the case and when.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Path, Query, Router, Schema, Status

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.cases import domain
from puente.cases.access import case_for, openable_cases
from puente.cases.categories import recruitment_codes
from puente.cases.models import Case, Identifier, Person
from puente.core import choices as c
from puente.core.api import (
    MAX_VERSION,
    Codes,
    Flag,
    Text,
    WholeNumber,
    errors,
    limit_param,
    offset_param,
    optional_not_null,
)
from puente.core.fields import max_length_of
from puente.core.permissions import Perm

router = Router(tags=["cases"])


# A reference as the pages take it: letters, digits and dashes (US-2026-000123), in any
# letter case. Anything else names no case, and is refused before a query is made.
REFERENCE_PATTERN = r"^\s*[A-Za-z0-9-]+\s*$"


def reference_param() -> Any:
    """The {reference} of every route under /cases."""
    return Path(
        ...,
        max_length=max_length_of(Case, "reference"),
        pattern=REFERENCE_PATTERN,
        description="The case reference, e.g. US-2026-000123.",
    )


TITLE = Annotated[str, Text(max_length_of(Case, "title"))]
SUMMARY = Annotated[str, Text(max_length_of(Case, "summary"))]
CLOSING_NOTE = Annotated[str, Text(max_length_of(Case, "closing_note"))]
# This deployment's recruitment categories (PUENTE_COUNTRY), documented as their codes.
HOTLINE_RECRUITMENT = recruitment_codes()


class CaseSummaryOut(Schema):
    reference: str
    title: str
    status: Annotated[str, Codes(c.CaseStatus)]
    exploitation_type: Annotated[str, Codes(c.ExploitationType)]
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)]
    imminent_danger: bool
    restricted: bool
    owner: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_owner(obj: Case) -> str | None:
        return obj.owner.get_username() if obj.owner else None


class IdentifierOut(Schema):
    kind: Annotated[str, Codes(c.IdentifierKind)]
    value: str
    normalised: str


class PersonOut(Schema):
    id: int
    role: Annotated[str, Codes(c.PersonRole)] = Field(
        ..., description="The first of `roles` (kept for clients written before `roles`)."
    )
    roles: list[Annotated[str, Codes(c.PersonRole)]]
    is_business: bool
    salutation: str
    first_name: str
    last_name: str
    alias: str
    title: str
    birthdate: date | None
    age: int | None
    age_band: Annotated[str, Codes(c.AgeBand, blank=True)]
    gender: Annotated[str, Codes(c.Gender, blank=True)]
    citizenship: list[str]
    nationality: str
    primary_language: Annotated[str, Codes(c.Language, blank=True)]
    trafficking_status: Annotated[str, Codes(c.TraffickingStatus, blank=True)]
    trafficking_status_decided_by: Annotated[
        str, Codes(c.TraffickingStatusDecisionMakingOrg, blank=True)
    ]
    consent: bool | None
    relationship_to_trafficker: Annotated[str, Codes(c.RelationshipToTrafficker, blank=True)]
    roles_in_process: list[Annotated[str, Codes(c.RoleInProcess)]]
    version: int
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_identifiers(obj: Person) -> list[Identifier]:
        return list(obj.identifiers.all())


class CaseOut(CaseSummaryOut):
    summary: str
    closing_reason: Annotated[str, Codes(c.ClosingReason, blank=True)]
    closing_note: str
    forms_of_exploitation: list[Annotated[str, Codes(c.TypeOfExploitation)]]
    mx_forms_of_exploitation: list[Annotated[str, Codes(c.MexicoExploitationForm)]]
    venues: list[Annotated[str, Codes(c.Venue)]]
    methods_of_control: list[Annotated[str, Codes(c.MethodOfControl)]]
    methods_of_recruitment: list[Annotated[str, Codes(c.MethodOfRecruitment)]]
    hotline_recruitment_methods: list[Annotated[str, Codes(HOTLINE_RECRUITMENT)]]
    types_of_sex_exploitation: list[Annotated[str, Codes(c.TypeOfSexExploitation)]]
    forced_labour_industries: list[Annotated[str, Codes(c.ForcedLabourIndustry)]]
    recruitment_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]]
    exploitation_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]]
    persons: list[PersonOut]

    @staticmethod
    def resolve_persons(obj: Case) -> list[Person]:
        return list(obj.persons.all())


class CaseIn(Schema):
    title: TITLE = ""
    summary: SUMMARY = ""
    exploitation_type: Annotated[str, Codes(c.ExploitationType)] = "not_specified"
    forms_of_exploitation: list[Annotated[str, Codes(c.TypeOfExploitation)]] = []
    mx_forms_of_exploitation: list[Annotated[str, Codes(c.MexicoExploitationForm)]] = []
    venues: list[Annotated[str, Codes(c.Venue)]] = []
    methods_of_control: list[Annotated[str, Codes(c.MethodOfControl)]] = []
    methods_of_recruitment: list[Annotated[str, Codes(c.MethodOfRecruitment)]] = []
    hotline_recruitment_methods: list[Annotated[str, Codes(HOTLINE_RECRUITMENT)]] = Field(
        [], description="This hotline's own categories; each adds the HTCDS code it maps to."
    )
    types_of_sex_exploitation: list[Annotated[str, Codes(c.TypeOfSexExploitation)]] = []
    forced_labour_industries: list[Annotated[str, Codes(c.ForcedLabourIndustry)]] = []
    recruitment_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]] = []
    exploitation_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]] = []
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)] = ""
    imminent_danger: Flag = False


def _unset(description: str = "") -> Any:
    return Field(None, description=description or None, json_schema_extra=optional_not_null)


class CasePatch(Schema):
    """Only the fields sent change. Text, closing reason, level and the lists may be sent
    as null to clear them; status, exploitation type and imminent danger may not."""

    version: WholeNumber = Field(
        ..., ge=1, le=MAX_VERSION, description="The version you read; a stale version gets 409."
    )
    title: TITLE | None = None
    summary: SUMMARY | None = None
    status: Annotated[str, Codes(c.CaseStatus)] = _unset("Moves along the case workflow, or 422.")
    closing_reason: Annotated[str, Codes(c.ClosingReason, blank=True)] | None = Field(
        None, description="Required when closing; only a closed case has one."
    )
    closing_note: CLOSING_NOTE | None = None
    exploitation_type: Annotated[str, Codes(c.ExploitationType)] = _unset()
    forms_of_exploitation: list[Annotated[str, Codes(c.TypeOfExploitation)]] | None = None
    mx_forms_of_exploitation: list[Annotated[str, Codes(c.MexicoExploitationForm)]] | None = None
    venues: list[Annotated[str, Codes(c.Venue)]] | None = None
    methods_of_control: list[Annotated[str, Codes(c.MethodOfControl)]] | None = None
    methods_of_recruitment: list[Annotated[str, Codes(c.MethodOfRecruitment)]] | None = None
    hotline_recruitment_methods: list[Annotated[str, Codes(HOTLINE_RECRUITMENT)]] | None = None
    types_of_sex_exploitation: list[Annotated[str, Codes(c.TypeOfSexExploitation)]] | None = None
    forced_labour_industries: list[Annotated[str, Codes(c.ForcedLabourIndustry)]] | None = None
    recruitment_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]] | None = None
    exploitation_websites_and_apps: list[Annotated[str, Codes(c.WebsiteOrApp)]] | None = None
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)] | None = None
    imminent_danger: Flag = _unset()


class StaleOut(Schema):
    """The body of every 409 (puente.api.stale_write): someone saved first."""

    detail: str
    changed_by: str
    changed_at: datetime | None
    current_version: int


class CaseListIn(Schema):
    status: Annotated[str, Codes(c.CaseStatus, blank=True)] = Field(
        "", description="Only cases in this status."
    )
    limit: int = limit_param()
    offset: int = offset_param()


def _full_case(case_id: int) -> Case:
    return (
        Case.objects.select_related("owner")
        .prefetch_related("persons__identifiers")
        .get(pk=case_id)
    )


@router.get("", response={200: list[CaseSummaryOut], **errors()})
def list_cases(request, params: Query[CaseListIn]):
    require_api_perm(request, Perm.CASE_VIEW)
    status, limit, offset = params.status, params.limit, params.offset
    qs = openable_cases(request.user).select_related("owner").order_by("-updated_at", "-id")
    if status:
        qs = qs.filter(status=status)
    record_event(
        action="view",
        actor=request.user,
        object_type="case_list",
        object_ref=f"status={status}"[:60],
        request=request,
    )
    return list(qs[offset : offset + limit])


@router.post("", response={201: CaseOut, **errors(body=True)})
def create_case(request, payload: CaseIn):
    require_api_perm(request, Perm.CASE_CREATE)
    case = domain.open_case(by=request.user, request=request, **payload.dict())
    return Status(201, _full_case(case.pk))


@router.get("/{reference}", response={200: CaseOut, **errors(404)})
def get_case(request, reference: str = reference_param()):
    require_api_perm(request, Perm.CASE_VIEW)
    case = case_for(user=request.user, reference=reference, request=request)
    record_event(action="view", actor=request.user, obj=case, request=request)
    return _full_case(case.pk)


@router.patch("/{reference}", response={200: CaseOut, 409: StaleOut, **errors(404, body=True)})
def patch_case(request, payload: CasePatch, reference: str = reference_param()):
    require_api_perm(request, Perm.CASE_EDIT)
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    # A stale version raises StaleWriteError, answered 409 (StaleOut) by puente.api.
    domain.update_case(
        case_id=case.pk,
        expected_version=version,
        changes=changes,
        by=request.user,
        request=request,
    )
    return _full_case(case.pk)
