"""/api/v1/cases: the same domain functions as the case pages, as JSON.

A restricted case the caller is not named on answers 403 (it exists, but not for you);
a stale PATCH answers 409 naming who changed the case and when.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema, Status

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.cases import domain
from puente.cases.access import case_for, openable_cases
from puente.cases.models import Case, Identifier, Person
from puente.core.permissions import Perm

router = Router(tags=["cases"])


class CaseSummaryOut(Schema):
    reference: str
    title: str
    status: str
    exploitation_type: str
    level_of_indicators: str
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
    kind: str
    value: str
    normalised: str


class PersonOut(Schema):
    id: int
    role: str
    is_business: bool
    first_name: str
    last_name: str
    alias: str
    age: int | None
    age_band: str
    gender: str
    citizenship: list[str]
    nationality: str
    primary_language: str
    trafficking_status: str
    relationship_to_trafficker: str
    roles_in_process: list[str]
    version: int
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_identifiers(obj: Person) -> list[Identifier]:
        return list(obj.identifiers.all())


class CaseOut(CaseSummaryOut):
    summary: str
    closing_reason: str
    closing_note: str
    forms_of_exploitation: list[str]
    mx_forms_of_exploitation: list[str]
    venues: list[str]
    methods_of_control: list[str]
    methods_of_recruitment: list[str]
    persons: list[PersonOut]

    @staticmethod
    def resolve_persons(obj: Case) -> list[Person]:
        return list(obj.persons.all())


class CaseIn(Schema):
    title: str = ""
    summary: str = ""
    exploitation_type: str = "not_specified"
    forms_of_exploitation: list[str] = []
    mx_forms_of_exploitation: list[str] = []
    venues: list[str] = []
    methods_of_control: list[str] = []
    methods_of_recruitment: list[str] = []
    level_of_indicators: str = ""
    imminent_danger: bool = False


class CasePatch(Schema):
    version: int = Field(..., description="The version you read; a stale version gets 409.")
    title: str | None = None
    summary: str | None = None
    status: str | None = None
    closing_reason: str | None = None
    closing_note: str | None = None
    exploitation_type: str | None = None
    forms_of_exploitation: list[str] | None = None
    mx_forms_of_exploitation: list[str] | None = None
    venues: list[str] | None = None
    methods_of_control: list[str] | None = None
    methods_of_recruitment: list[str] | None = None
    level_of_indicators: str | None = None
    imminent_danger: bool | None = None


class StaleOut(Schema):
    """The body of every 409 (puente.api.stale_write): someone saved first."""

    detail: str
    changed_by: str
    changed_at: datetime | None
    current_version: int


def _full_case(case_id: int) -> Case:
    return (
        Case.objects.select_related("owner")
        .prefetch_related("persons__identifiers")
        .get(pk=case_id)
    )


@router.get("", response=list[CaseSummaryOut])
def list_cases(request, status: str = "", limit: int = 50, offset: int = 0):
    require_api_perm(request, Perm.CASE_VIEW)
    limit = max(1, min(limit, 200))
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


@router.post("", response={201: CaseOut})
def create_case(request, payload: CaseIn):
    require_api_perm(request, Perm.CASE_CREATE)
    case = domain.open_case(by=request.user, request=request, **payload.dict())
    return Status(201, _full_case(case.pk))


@router.get("/{reference}", response=CaseOut)
def get_case(request, reference: str):
    require_api_perm(request, Perm.CASE_VIEW)
    case = case_for(user=request.user, reference=reference, request=request)
    record_event(action="view", actor=request.user, obj=case, request=request)
    return _full_case(case.pk)


@router.patch("/{reference}", response={200: CaseOut, 409: StaleOut})
def patch_case(request, reference: str, payload: CasePatch):
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
