"""/api/v1/cases/{reference}/referrals: a case's referrals and reports to authorities,
as JSON, for whoever may read the case (the same reads as the case page).

A restricted case the caller is not named on answers 403, as /api/v1/cases does.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.cases.access import case_for
from puente.core.permissions import Perm
from puente.referrals import queries

router = Router(tags=["referrals"])


def _username(obj) -> str | None:
    return obj.created_by.get_username() if obj.created_by else None


class ReferralOut(Schema):
    id: int
    provider_id: int | None
    provider_name: str
    service: str
    person_id: int | None
    consent_given: bool
    consent_method: str
    status: str
    outcome: str
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
    agency_type: str
    reported_on: date
    method: str
    consent_given: bool
    mandatory_duty: str
    duty_note: str
    reference_number: str
    outcome: str
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


@router.get("/{reference}/referrals", response=CaseReferralsOut)
def case_referrals(request, reference: str):
    require_api_perm(request, Perm.CASE_VIEW)
    case = case_for(user=request.user, reference=reference, request=request)
    record_event(action="view", actor=request.user, obj=case, request=request)
    data = queries.referrals_for_case(case=case)
    return {"reference": case.reference, "referrals": data.referrals, "reports": data.reports}
