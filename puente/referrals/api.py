"""/api/v1/cases/{reference}/referrals: a case's referrals and reports to authorities,
as JSON, for whoever may read the case (the same reads as the case page).

A restricted case the caller is not named on answers 403, as /api/v1/cases does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Router, Schema

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.cases.access import case_for
from puente.cases.api import reference_param
from puente.core import choices as c
from puente.core.api import Codes, errors
from puente.core.permissions import Perm
from puente.directory import choices as dc
from puente.referrals import choices as rc
from puente.referrals import queries

router = Router(tags=["referrals"])


def _username(obj) -> str | None:
    return obj.created_by.get_username() if obj.created_by else None


class ReferralOut(Schema):
    id: int
    provider_id: int | None
    provider_name: str
    service: Annotated[str, Codes(dc.Service)]
    person_id: int | None
    consent_given: bool
    consent_method: Annotated[str, Codes(c.ConsentMethod, blank=True)]
    status: Annotated[str, Codes(rc.ReferralStatus)]
    outcome: Annotated[str, Codes(rc.ReferralOutcome, blank=True)]
    outcome_note: str
    referred_on: date
    outcome_on: date | None
    notes: str
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return _username(obj)


class AuthorityReportOut(Schema):
    id: int
    agency_id: int | None
    agency_name: str
    agency_type: Annotated[str, Codes(rc.AgencyType)]
    reported_on: date
    method: Annotated[str, Codes(rc.ReportMethod)]
    consent_given: bool
    mandatory_duty: Annotated[str, Codes(rc.MandatoryDuty, blank=True)]
    duty_note: str
    reference_number: str
    outcome: Annotated[str, Codes(rc.ReportOutcome)]
    outcome_note: str
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return _username(obj)


class CaseReferralsOut(Schema):
    reference: str
    referrals: list[ReferralOut]
    reports: list[AuthorityReportOut]


@router.get("/{reference}/referrals", response={200: CaseReferralsOut, **errors(404)})
def case_referrals(request, reference: str = reference_param()):
    require_api_perm(request, Perm.CASE_VIEW)
    case = case_for(user=request.user, reference=reference, request=request)
    record_event(action="view", actor=request.user, obj=case, request=request)
    data = queries.referrals_for_case(case=case)
    return {"reference": case.reference, "referrals": data.referrals, "reports": data.reports}
