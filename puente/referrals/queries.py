"""Referral reads: a case's referrals and reports (two queries however many there are),
one referral or report with its case, and the agencies a report can go to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet, Value, When

from puente.cases.models import Case, Person
from puente.core import choices as c
from puente.directory.models import Provider
from puente.referrals.domain import AGENCY_KINDS
from puente.referrals.models import AuthorityReport, Referral


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
        .exclude(role=c.PersonRole.EXPLOITER)
        .annotate(
            victim_first=models.Case(
                When(role=c.PersonRole.POTENTIAL_VICTIM, then=Value(0)), default=Value(1)
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
