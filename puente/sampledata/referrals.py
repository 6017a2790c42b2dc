"""Referrals and reports to authorities on the demo hotline's cases, so a newcomer sees
each step of the workflow: a shelter that took someone in, a legal referral the
provider accepted, a suggestion the caller will follow up themself, a consulate not in
the directory, a provider that could not reach the person, one that ran out of road, a
report made with consent and a mandatory report about a minor (`data/referrals.json`).

Providers come from the demo directory (`puente.sampledata.directory`): one offering the
service to the person's age group, in the case's state when there is one. Everything is
picked in a fixed order from the seeded demo, so two seeds of the same country tell the
same stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from puente.audit.domain import field_changes, record_event
from puente.cases.models import Case, Person
from puente.cases.queries import persons_with_role_q
from puente.core import choices as c
from puente.directory import choices as dc
from puente.directory.models import Provider, ProviderTag
from puente.referrals import choices as rc
from puente.referrals import domain
from puente.referrals.models import AuthorityReport, Referral
from puente.sampledata.files import load

OPEN, CLOSED = "open", "closed"
MINOR_BANDS = ["0-8", "9-17", "minor"]


@dataclass(frozen=True)
class _Story:
    # Which case: the n-th open or closed case that can take a referral, oldest first.
    # Referrals still under way sit on open cases; a closed case's are settled.
    cases: str
    n: int
    service: str  # a Service code
    status: str  # a ReferralStatus code
    consent: str  # a ConsentMethod code, or "" for none
    outcome: str = ""  # a ReferralOutcome code
    days: int = 2  # after the case opened
    outcome_days: int | None = None  # after the referral
    not_listed: bool = False  # to a provider that is not in the directory
    note: dict[str, str] | None = None  # by language


_DATA = load("referrals")
STORIES = [_Story(**story) for story in _DATA["stories"]]
CONSULATE: dict[str, str] = _DATA["consulate"]
# Why a guardian's consent stands on a case where a relative is the exploiter (the
# referral rule asks for it), by language.
GUARDIAN_CONSENT_NOTE: dict[str, str] = _DATA["guardian_consent_note"]
# Per country: the report to the police (with consent) and the one about a minor.
REPORTS: dict[str, dict[str, dict[str, str]]] = _DATA["reports"]


def _eligible_cases(*, by) -> dict[str, list[Case]]:
    """Unrestricted cases past intake with a potential victim, oldest first, open and
    closed apart: the ones a referral belongs on, and that `by` may work."""
    cases = (
        Case.objects.filter(
            persons_with_role_q("potential_victim", prefix="persons__"),
            restricted=False,
            status__in=["active", "referred", "monitoring", "closed"],
        )
        .distinct()
        .order_by("created_at", "id")
    )
    found: dict[str, list[Case]] = {OPEN: [], CLOSED: []}
    for case in cases:
        if domain.can_record_referrals(by, case):
            found[CLOSED if case.status == "closed" else OPEN].append(case)
    return found


def _tagged(kind: str, code: str):
    return ProviderTag.objects.filter(kind=kind, code=code).values("provider_id")


def _provider_for(*, case: Case, person: Person | None, service: str, country: str):
    """A demo listing offering `service` to the person's age group, in the case's state
    when one does; failing that, anywhere in the country."""
    listed = Provider.objects.filter(
        active=True,
        country=country,
        external_id__startswith="DEMO-",
        pk__in=_tagged(ProviderTag.Kind.SERVICE, service),
    ).order_by("external_id")
    group = "minors" if person is not None and person.is_minor else "adults"
    for_group = listed.filter(pk__in=_tagged(ProviderTag.Kind.POPULATION, group))
    states = list(
        case.locations.filter(country=country)
        .exclude(subdivision="")
        .values_list("subdivision", flat=True)
    )
    for choice in (for_group.filter(subdivision__in=states), for_group, listed):
        provider = choice.first()
        if provider is not None:
            return provider
    return None


def _victim(case: Case) -> Person | None:
    return case.persons.filter(persons_with_role_q("potential_victim")).order_by("id").first()


def _day(case: Case, days: int, today: date) -> date:
    """`days` after the case opened, but not after it closed (or today)."""
    end = timezone.localdate(case.closed_at) if case.closed_at else today
    return min(timezone.localdate(case.created_at) + timedelta(days=days), end)


def _record_as_it_stands(*, by, referral: Referral) -> Referral:
    """A referral entered with where it stands now, as a record carried over from an
    earlier system would be: checked by the same rules (consent, outcome, dates), but
    not walked through the workflow, and audited as one creation."""
    domain.check_referral(referral=referral, today=timezone.localdate())
    referral.save()
    record_event(
        action="create",
        actor=by,
        obj=referral,
        object_ref=referral.case.reference,
        changes=field_changes({}, domain.referral_values(referral=referral)),
        via="demo",
    )
    return referral


def seed_demo_referrals(*, country: str, by) -> int:
    """Add the demo's referrals and reports once; returns how many records it added.
    `by` is the staff member the audit trail names (the demo advocate)."""
    if Referral.objects.exists():
        return 0
    country = country.upper()
    lang = "es" if country == "MX" else "en"
    today = timezone.localdate()
    cases = _eligible_cases(by=by)
    added = 0
    with transaction.atomic():
        for story in STORIES:
            if story.n >= len(cases[story.cases]):
                continue
            case = cases[story.cases][story.n]
            person = _victim(case)
            provider = (
                None
                if story.not_listed
                else _provider_for(case=case, person=person, service=story.service, country=country)
            )
            if provider is None and not story.not_listed:
                continue
            consent = story.consent
            if consent == c.ConsentMethod.VERBAL and person is not None and person.is_minor:
                consent = c.ConsentMethod.GUARDIAN
            referred_on = _day(case, story.days, today)
            outcome_on = (
                min(referred_on + timedelta(days=story.outcome_days), today)
                if story.outcome_days is not None
                else None
            )
            _record_as_it_stands(
                by=by,
                referral=Referral(
                    case=case,
                    person=person,
                    provider=provider,
                    provider_name=provider.name if provider else CONSULATE[country],
                    service=story.service,
                    consent_given=bool(consent),
                    consent_method=consent,
                    consent_note=(
                        GUARDIAN_CONSENT_NOTE[lang] if consent == c.ConsentMethod.GUARDIAN else ""
                    ),
                    status=story.status,
                    outcome=story.outcome,
                    outcome_on=outcome_on,
                    referred_on=referred_on,
                    notes=(story.note or {}).get(lang, ""),
                    created_by=by,
                ),
            )
            added += 1
        added += _seed_reports(country=country, by=by, cases=cases, today=today)
        _date_as_recorded()
    return added


def _date_as_recorded() -> None:
    """Each referral and report recorded on the day it was made, late morning, as an
    advocate would have: the case's timeline orders records by when they were made, and a
    demo generated today would otherwise show last year's referrals as made today."""
    for model, day_field in ((Referral, "referred_on"), (AuthorityReport, "reported_on")):
        for pk, day in model.objects.values_list("pk", day_field):
            at = timezone.make_aware(datetime.combine(day, time(11, 0)))
            model.objects.filter(pk=pk).update(created_at=at, updated_at=at)


def _agency(*, country: str, kind: str) -> Provider | None:
    return (
        Provider.objects.filter(
            active=True, country=country, kind=kind, external_id__startswith="DEMO-"
        )
        .order_by("external_id")
        .first()
    )


def _seed_reports(*, country: str, by, cases: dict[str, list[Case]], today: date) -> int:
    added = 0
    reports = REPORTS[country]
    police = _agency(country=country, kind=dc.ProviderKind.LAW_ENFORCEMENT)
    if cases[OPEN] and police is not None:
        case = cases[OPEN][0]
        report = reports["police"]
        domain.record_authority_report(
            case=case,
            by=by,
            agency=police,
            agency_type=report["agency_type"],
            method=report["method"],
            reported_on=_day(case, 2, today),
            consent_given=True,
            reference_number=report["reference_number"],
            outcome=rc.ReportOutcome.INVESTIGATION_OPENED,
            outcome_note=report["outcome_note"],
            via="demo",
        )
        added += 1
    # A minor: reported without consent, under the duty to report child abuse.
    eligible = [case.pk for case in cases[OPEN] + cases[CLOSED]]
    minor = persons_with_role_q("potential_victim", prefix="persons__") & (
        Q(persons__age__lt=18) | Q(persons__age_band__in=MINOR_BANDS)
    )
    with_minors = list(
        Case.objects.filter(minor, pk__in=eligible).distinct().order_by("created_at", "id")
    )
    # An open case first: its report is still waiting for the agency's answer.
    minor_case = next(
        (case for case in with_minors if case.is_open), with_minors[0] if with_minors else None
    )
    welfare = _agency(country=country, kind=dc.ProviderKind.CHILD_WELFARE)
    if minor_case is not None and welfare is not None:
        domain.record_authority_report(
            case=minor_case,
            by=by,
            agency=welfare,
            agency_type=rc.AgencyType.CHILD_WELFARE,
            method=reports["minor"]["method"],
            reported_on=_day(minor_case, 0, today),
            consent_given=False,
            mandatory_duty=rc.MandatoryDuty.MINOR,
            outcome=rc.ReportOutcome.PENDING,
            via="demo",
        )
        added += 1
    return added
