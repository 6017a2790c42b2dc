"""Referral reads: a case's referrals and reports (two queries however many there are),
one referral or report with its case, and the agencies a report can go to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value, When

from puente.accounts.models import User
from puente.cases.access import openable_cases, restricted_cases_opened_by, visible_through_case_q
from puente.cases.models import Case, Person, open_cases_q
from puente.cases.queries import case_has_minor, minor_person_q, persons_with_role_q
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.directory.models import Provider
from puente.referrals.approval import Approval
from puente.referrals.domain import AGENCY_KINDS
from puente.referrals.models import AuthorityReport, Referral

HOME_QUEUE_LENGTH = 20


@dataclass(frozen=True)
class CaseReferrals:
    referrals: list[Referral]
    reports: list[AuthorityReport]


def referrals_for_case(*, case: Case) -> CaseReferrals:
    """Everything the case page and the API show, newest first. The caller has already
    decided the case may be opened."""
    referrals = list(Referral.objects.filter(case=case).select_related("person", "created_by"))
    reports = list(AuthorityReport.objects.filter(case=case).select_related("created_by"))
    return CaseReferrals(referrals=referrals, reports=reports)


def referral_by_id(*, referral_id: int) -> Referral | None:
    return (
        Referral.objects.select_related("case", "case__owner", "person", "provider")
        .filter(pk=referral_id)
        .first()
    )


def report_by_id(*, report_id: int) -> AuthorityReport | None:
    return (
        AuthorityReport.objects.select_related("case", "case__owner", "agency")
        .filter(pk=report_id)
        .first()
    )


def persons_to_refer(*, case: Case) -> QuerySet[Person]:
    """The people on a case a referral can be for: never a potential exploiter;
    potential victims first."""
    return (
        Person.objects.filter(case=case)
        .exclude(persons_with_role_q(c.PersonRole.EXPLOITER))
        .annotate(
            victim_first=models.Case(
                When(persons_with_role_q(c.PersonRole.POTENTIAL_VICTIM), then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("victim_first", "id")
    )


def agencies() -> QuerySet[Provider]:
    """Active law-enforcement and child-welfare listings, by country then name."""
    return (
        Provider.objects.filter(active=True, kind__in=AGENCY_KINDS)
        .only("pk", "name", "country", "kind")
        .order_by("country", "name")
    )


# --- the report prompt: a minor or imminent danger, and no report yet ----------------------


def _answered() -> Exists:
    # A report recorded (made, or waiting for a supervisor) answers the prompt; a declined
    # request does not: the situation is still there.
    return Exists(
        AuthorityReport.objects.filter(case=OuterRef("pk")).exclude(approval=Approval.DECLINED)
    )


def report_prompt_q() -> Q:
    """Cases that call for a report to the authorities: a person in imminent danger, or a
    person who is (or appears to be) a minor."""
    return Q(imminent_danger=True) | Q(
        Exists(Person.objects.filter(minor_person_q(), case=OuterRef("pk")))
    )


def report_prompt(*, case: Case, reports: list[AuthorityReport]) -> dict[str, bool] | None:
    """Why the case page asks the advocate to record a report, or None."""
    if case.status == c.CaseStatus.CLOSED:
        return None
    if any(r.approval != Approval.DECLINED for r in reports):
        return None
    minor = case_has_minor(case_id=case.pk)
    if not (minor or case.imminent_danger):
        return None
    return {"minor": minor, "imminent_danger": bool(case.imminent_danger)}


@dataclass
class Approvals:
    reports: list[AuthorityReport]
    unanswered_prompts: list[Case]
    user_id: int


def home_reports(*, user: User) -> Approvals | None:
    """A supervisor's part of the home page: reports waiting for their approval, and open
    cases with a minor or imminent danger and no report yet."""
    if not user.can(Perm.REPORT_APPROVE):
        return None
    opened = restricted_cases_opened_by(user)
    reports = list(
        AuthorityReport.objects.filter(
            visible_through_case_q(user, opened=opened), approval=Approval.PENDING
        )
        .select_related("case", "created_by")
        .order_by("created_at", "id")[:HOME_QUEUE_LENGTH]
    )
    prompts = list(
        openable_cases(user, opened)
        .filter(report_prompt_q(), open_cases_q())
        .exclude(_answered())
        .order_by("-imminent_danger", "created_at")[:HOME_QUEUE_LENGTH]
    )
    if not reports and not prompts:
        return None
    return Approvals(reports=reports, unanswered_prompts=prompts, user_id=user.pk)
