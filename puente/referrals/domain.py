"""Referral and report rules: recording a referral from a case to a provider and
following it to an outcome (the status workflow), and recording a report to law
enforcement or child welfare (never without consent unless the law required it).

The HTML views, the API and the demo seeder all come through here. Recording needs
REFERRAL_RECORD and the right to edit the case (which includes opening it: a restricted
case's referrals are as private as the case). Every write is audited with the fields it
set or changed, and a change names the version it was read at, as for cases.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.audit.versioned import require_version, write_if_unchanged
from puente.cases.access import can_edit_case, check_case_access
from puente.cases.models import Case, Person
from puente.cases.queries import case_has_family_exploiter, case_has_minor
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.directory import choices as dc
from puente.directory.models import Provider
from puente.referrals import choices as rc
from puente.referrals.approval import Approval, check_decision
from puente.referrals.models import AuthorityReport, Referral

S = rc.ReferralStatus

# The status workflow, in one table: from each status, where a referral may go next.
# A closed referral stays closed: a new need, or another try after closing, is a new
# referral, so each record tells one story from suggestion to outcome.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUGGESTED: (S.MADE, S.CLOSED),
    S.MADE: (S.ACCEPTED, S.DECLINED, S.UNREACHABLE, S.CLOSED),
    S.ACCEPTED: (S.CONNECTED, S.UNREACHABLE, S.CLOSED),
    S.DECLINED: (S.CLOSED,),
    S.UNREACHABLE: (S.MADE, S.ACCEPTED, S.CLOSED),
    S.CONNECTED: (S.CLOSED,),
    S.CLOSED: (),
}
# A referral starts either as a suggestion (the person was given the provider's details
# to contact themself) or as made (the hotline contacted the provider for them).
INITIAL_STATUSES: tuple[str, ...] = (S.SUGGESTED, S.MADE)
# Statuses in which the hotline has passed the person's situation to the provider: these
# need the person's consent, or an emergency that could not wait for it. A suggestion
# shares nothing; a closed referral keeps whatever was true while it was open.
SHARING_STATUSES = frozenset({S.MADE, S.ACCEPTED, S.DECLINED, S.CONNECTED, S.UNREACHABLE})
# The directory listings a report can go to.
AGENCY_KINDS = frozenset({dc.ProviderKind.LAW_ENFORCEMENT, dc.ProviderKind.CHILD_WELFARE})

# Every field of a referral, in the order the form to record one shows them (the forms
# take their lists from here).
REFERRAL_FIELDS = (
    "provider",
    "provider_name",
    "service",
    "person",
    "consent_given",
    "consent_method",
    "consent_note",
    "status",
    "referred_on",
    "notes",
    "outcome",
    "outcome_on",
    "outcome_note",
)
# What update_referral may change, in the order the edit form shows them. The provider,
# person and service are what the referral *is*: another provider is another referral.
REFERRAL_EDITABLE = (
    "status",
    "consent_given",
    "consent_method",
    "consent_note",
    "outcome",
    "outcome_on",
    "outcome_note",
    "notes",
)
# What update_report may change; the agency is what the report *is*.
REPORT_EDITABLE = (
    "agency_type",
    "reported_on",
    "method",
    "consent_given",
    "mandatory_duty",
    "duty_note",
    "reference_number",
    "outcome",
    "outcome_note",
)
REPORT_FIELDS = ("agency", "agency_name", *REPORT_EDITABLE)
# Typed text and optional codes: trimmed, and None stored as "".
_STRIPPED = (
    "provider_name",
    "consent_method",
    "consent_note",
    "outcome",
    "outcome_note",
    "notes",
    "agency_name",
    "mandatory_duty",
    "duty_note",
    "reference_number",
)

# The report rule, said once: the domain raises it and the form shows it, in English or
# Spanish.
REPORT_NEEDS_CONSENT_OR_DUTY = _(
    "Without the person's consent, a report can only be made under a legal duty. "
    "Choose the duty that required it (a minor in commercial sex or child abuse, "
    "imminent danger to life, a court order, or another duty explained in the note). "
    "If there was no such duty, record the person's consent before reporting."
)
MINOR_DUTY_NEEDS_A_MINOR = _(
    "The duty to report a minor applies only when a person in the case is, or appears to "
    "be, under 18. Record the person's age or age band on the case first, or choose the "
    "duty that does apply."
)
GUARDIAN_CONSENT_FROM_FAMILY = _(
    "A family member is recorded as this person's exploiter or recruiter: a parent's or "
    "guardian's consent may come from the person exploiting them. Say in “About consent” "
    "who consented and why their consent can stand."
)
REFERRAL_NEEDS_CONSENT = _(
    "Contacting a provider for the person shares their situation, so it needs their "
    "consent: tick “Consent given” and say how they gave it. If it could not wait, choose "
    "“Not required: emergency”. Without consent, only suggest the provider to the person."
)


def can_record_referrals(user: User, case: Case) -> bool:
    """May `user` record or change referrals and reports on `case`?"""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.can(Perm.REFERRAL_RECORD)
        and can_edit_case(user, case)
    )


def _require_record(user: User, case: Case, request: HttpRequest | None) -> None:
    if not (getattr(user, "is_authenticated", False) and user.can(Perm.REFERRAL_RECORD)):
        raise PermissionDenied("needs referral.record")
    check_case_access(user=user, case=case, edit=True, request=request)


def _touch(case_id: int) -> None:
    # A referral or report is work on the case: it moves up the queues, without counting
    # as an edit of the case record (no version bump).
    Case.objects.filter(pk=case_id).update(updated_at=timezone.now())


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in _STRIPPED:
        if name in out:
            out[name] = str(out[name] or "").strip()
    return out


def _check_dates(
    errors: dict[str, list[str]], *, field: str, value: date | None, today: date
) -> None:
    if value is not None and value > today:
        errors.setdefault(field, []).append(str(_("This date is in the future.")))


# --- the referral workflow ---------------------------------------------------------------


def allowed_referral_transitions(*, status: str) -> list[str]:
    """Where a referral in `status` may go next, in workflow order."""
    return list(TRANSITIONS.get(status, ()))


def check_referral_transition(*, old: str, new: str) -> None:
    if old == new:
        return
    if new not in TRANSITIONS.get(old, ()):
        raise ValidationError(
            {
                "status": _("A referral cannot go from “%(old)s” to “%(new)s”.")
                % {"old": c.label_for(S, old), "new": c.label_for(S, new)}
            },
            code="transition",
        )


def check_referral(*, referral: Referral, today: date) -> None:
    """Everything a valid referral is, all problems named at once."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str | Promise) -> None:
        errors.setdefault(field, []).append(str(message))

    if not referral.provider_name:
        err(
            "provider_name", _("Choose a provider from the directory or write the provider's name.")
        )
    if referral.consent_given:
        if referral.consent_method not in c.CONSENT_GIVEN:
            err("consent_method", _("Say how the person gave consent."))
    elif referral.consent_method in c.CONSENT_GIVEN:
        err(
            "consent_method",
            _("“%(method)s” means the person consented: tick “Consent given”.")
            % {"method": c.label_for(c.ConsentMethod, referral.consent_method)},
        )
    if (
        referral.status in SHARING_STATUSES
        and not referral.consent_given
        and referral.consent_method != c.ConsentMethod.EMERGENCY
    ):
        err("consent_given", REFERRAL_NEEDS_CONSENT)
    if (
        referral.consent_method == c.ConsentMethod.GUARDIAN
        and not referral.consent_note
        and case_has_family_exploiter(case_id=referral.case_id)
    ):
        err("consent_note", GUARDIAN_CONSENT_FROM_FAMILY)
    if referral.status == S.CLOSED and not referral.outcome:
        err("outcome", _("Give the outcome before closing the referral."))
    _check_dates(errors, field="referred_on", value=referral.referred_on, today=today)
    _check_dates(errors, field="outcome_on", value=referral.outcome_on, today=today)
    if referral.outcome_on and referral.referred_on and referral.outcome_on < referral.referred_on:
        err("outcome_on", _("The outcome cannot come before the referral."))
    if referral.person is not None and referral.person.case_id != referral.case_id:
        err("person", _("That person is not in this case."))
    try:
        # Codes and lengths; the constraints are the rules above, said better.
        referral.full_clean(
            exclude=["case", "person", "provider", "created_by"], validate_constraints=False
        )
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)


def referral_values(*, referral: Referral) -> dict[str, Any]:
    values = {name: getattr(referral, name) for name in REFERRAL_FIELDS}
    values["person"] = referral.person_id
    values["provider"] = referral.provider_id
    return values


def record_referral(
    *,
    case: Case,
    by: User,
    service: str,
    provider: Provider | None = None,
    provider_name: str = "",
    person: Person | None = None,
    consent_given: bool = False,
    consent_method: str = "",
    consent_note: str = "",
    status: str = S.MADE,
    referred_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Record that a person on `case` was referred to a provider: one from the directory
    (`provider`; its name is kept as it is today) or one named in `provider_name`."""
    _require_record(by, case, request)
    today = timezone.localdate()
    values = _strip(
        {
            "provider_name": provider.name if provider is not None else provider_name,
            "consent_method": consent_method,
            "consent_note": consent_note,
            "notes": notes,
        }
    )
    referral = Referral(
        case=case,
        person=person,
        provider=provider,
        service=service or "",
        consent_given=bool(consent_given),
        status=status or S.MADE,
        referred_on=referred_on or today,
        created_by=by,
        **values,
    )
    errors: dict[str, list[str]] = {}
    if referral.status not in INITIAL_STATUSES:
        errors["status"] = [
            str(
                _(
                    "A new referral is either suggested to the person or made to the "
                    "provider. Record what happened next by changing its status."
                )
            )
        ]
    if provider is not None and not provider.active:
        errors["provider"] = [
            str(_("This listing is inactive: find a current one in the directory."))
        ]
    try:
        check_referral(referral=referral, today=today)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral.save()
        record_event(
            action="create",
            actor=by,
            obj=referral,
            object_ref=case.reference,
            request=request,
            changes=field_changes({}, referral_values(referral=referral)),
        )
        _touch(case.pk)
    return referral


def update_referral(
    *,
    referral_id: int,
    expected_version: int,
    changes: dict[str, Any],
    by: User,
    request: HttpRequest | None = None,
) -> Referral:
    """Move a referral along its workflow, record consent or its outcome. The caller read
    it at `expected_version`; if anyone saved it since, nothing is written and
    StaleWriteError names who and when."""
    unknown = set(changes) - set(REFERRAL_EDITABLE)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    # Access is checked before the transaction, so a refusal's audit entry is not rolled
    # back with it; the write below is versioned.
    referral = Referral.objects.select_related("case", "person").get(pk=referral_id)
    _require_record(by, referral.case, request)
    with transaction.atomic():
        require_version(obj=referral, expected_version=expected_version)
        before = referral_values(referral=referral)
        candidate = copy.copy(referral)
        for name, value in _strip(changes).items():
            setattr(candidate, name, value)
        candidate.consent_given = bool(candidate.consent_given)
        today = timezone.localdate()
        if candidate.outcome and candidate.outcome_on is None:
            candidate.outcome_on = today
        errors: dict[str, list[str]] = {}
        try:
            check_referral_transition(old=referral.status, new=candidate.status)
        except ValidationError as exc:
            _merge(errors, exc)
        try:
            check_referral(referral=candidate, today=today)
        except ValidationError as exc:
            _merge(errors, exc)
        if errors:
            raise ValidationError(errors)

        diff = field_changes(before, referral_values(referral=candidate))
        if not diff:
            return referral
        write_if_unchanged(
            obj=referral,
            expected_version=expected_version,
            values={d["field"]: getattr(candidate, d["field"]) for d in diff},
            changes=diff,
            by=by,
            request=request,
            object_ref=referral.case.reference,
        )
        _touch(referral.case_id)
    return referral


# --- reports to authorities --------------------------------------------------------------


def check_report_consent(
    *, consent_given: bool, mandatory_duty: str, duty_note: str, case_id: int | None = None
) -> None:
    """A report about a person goes to the authorities with their consent, or without it
    only under a legal duty that the record names (and explains, when it is "other").
    The duty to report a minor needs a minor in the case (`case_id`)."""
    errors: dict[str, list[str]] = {}
    if not consent_given and not mandatory_duty:
        errors["mandatory_duty"] = [str(REPORT_NEEDS_CONSENT_OR_DUTY)]
    if (
        not consent_given
        and mandatory_duty == rc.MandatoryDuty.MINOR
        and case_id is not None
        and not case_has_minor(case_id=case_id)
    ):
        errors["mandatory_duty"] = [str(MINOR_DUTY_NEEDS_A_MINOR)]
    if mandatory_duty == rc.MandatoryDuty.OTHER and not (duty_note or "").strip():
        errors["duty_note"] = [str(_("Explain the legal duty that required the report."))]
    if errors:
        raise ValidationError(errors, code="consent")


def _check_report(*, report: AuthorityReport, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if not report.agency_name:
        errors["agency_name"] = [
            str(_("Choose an agency from the directory or write the agency's name."))
        ]
    try:
        check_report_consent(
            consent_given=report.consent_given,
            mandatory_duty=report.mandatory_duty,
            duty_note=report.duty_note,
            case_id=report.case_id,
        )
    except ValidationError as exc:
        _merge(errors, exc)
    _check_dates(errors, field="reported_on", value=report.reported_on, today=today)
    try:
        report.full_clean(exclude=["case", "agency", "created_by"], validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)


def report_needs_approval(*, consent_given: bool) -> bool:
    """Does a report wait for a supervisor before it is made? Without the person's
    consent, unless the hotline switched the step off (PUENTE_APPROVE_REPORTS)."""
    return not consent_given and bool(settings.PUENTE_APPROVE_REPORTS)


def _report_values(report: AuthorityReport) -> dict[str, Any]:
    values = {name: getattr(report, name) for name in REPORT_FIELDS}
    values["agency"] = report.agency_id
    values["approval"] = report.approval
    return values


def record_authority_report(
    *,
    case: Case,
    by: User,
    agency_type: str,
    method: str,
    agency: Provider | None = None,
    agency_name: str = "",
    reported_on: date | None = None,
    consent_given: bool = False,
    mandatory_duty: str = "",
    duty_note: str = "",
    reference_number: str = "",
    outcome: str = rc.ReportOutcome.PENDING,
    outcome_note: str = "",
    request: HttpRequest | None = None,
    via: str = "",
) -> AuthorityReport:
    """Record that the hotline reported `case` to law enforcement or child welfare: an
    agency in the directory (`agency`) or one named in `agency_name`. Without the
    person's consent this is a request: the report is made once a supervisor approves
    it (`decide_report`)."""
    _require_record(by, case, request)
    errors: dict[str, list[str]] = {}
    if agency is not None and agency.kind not in AGENCY_KINDS:
        errors["agency"] = [
            str(
                _("“%(name)s” is not listed as law enforcement or child welfare.")
                % {"name": agency.name}
            )
        ]
    values = _strip(
        {
            "agency_name": agency.name if agency is not None else agency_name,
            "mandatory_duty": mandatory_duty,
            "duty_note": duty_note,
            "reference_number": reference_number,
            "outcome": outcome or rc.ReportOutcome.PENDING,
            "outcome_note": outcome_note,
        }
    )
    report = AuthorityReport(
        case=case,
        agency=agency,
        agency_type=agency_type or "",
        method=method or "",
        reported_on=reported_on or timezone.localdate(),
        consent_given=bool(consent_given),
        created_by=by,
        approval=(
            Approval.PENDING
            if report_needs_approval(consent_given=bool(consent_given))
            else Approval.NOT_NEEDED
        ),
        **values,
    )
    try:
        _check_report(report=report, today=timezone.localdate())
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report.save()
        record_event(
            action="create",
            actor=by,
            obj=report,
            object_ref=case.reference,
            request=request,
            via=via,
            changes=field_changes({}, _report_values(report)),
        )
        _touch(case.pk)
    return report


def _check_report_edit_keeps_approval(*, old: AuthorityReport, new: AuthorityReport) -> None:
    # An edit must not carry a report past its supervisor: while it waits (or once
    # declined) only its notes change, and taking consent away from a report that
    # never needed approval makes it one that does (record it anew).
    if old.approval in (Approval.PENDING, Approval.DECLINED):
        moved = {"consent_given", "mandatory_duty", "reported_on", "method", "agency_type"}
        if any(getattr(old, f) != getattr(new, f) for f in moved) or (
            new.outcome != old.outcome or new.reference_number != old.reference_number
        ):
            raise ValidationError(
                _("This report waits for a supervisor (or was declined): it was not made.")
            )
    if (
        old.approval == Approval.NOT_NEEDED
        and old.consent_given
        and report_needs_approval(consent_given=new.consent_given)
    ):
        raise ValidationError(
            {
                "consent_given": [
                    _(
                        "Without consent the report needs a supervisor's approval: record "
                        "it as a new report instead of changing this one."
                    )
                ]
            }
        )


def update_authority_report(
    *,
    report_id: int,
    expected_version: int,
    changes: dict[str, Any],
    by: User,
    request: HttpRequest | None = None,
) -> AuthorityReport:
    """Record the agency's reference number or the outcome of a report, or correct it.
    A stale `expected_version` writes nothing and raises StaleWriteError."""
    unknown = set(changes) - set(REPORT_EDITABLE)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    report = AuthorityReport.objects.select_related("case").get(pk=report_id)
    _require_record(by, report.case, request)  # outside the transaction, as for referrals
    with transaction.atomic():
        require_version(obj=report, expected_version=expected_version)
        before = _report_values(report)
        candidate = copy.copy(report)
        for name, value in _strip(changes).items():
            setattr(candidate, name, value)
        candidate.consent_given = bool(candidate.consent_given)
        if not candidate.outcome:
            candidate.outcome = rc.ReportOutcome.PENDING
        _check_report(report=candidate, today=timezone.localdate())
        _check_report_edit_keeps_approval(old=report, new=candidate)

        diff = field_changes(before, _report_values(candidate))
        if not diff:
            return report
        write_if_unchanged(
            obj=report,
            expected_version=expected_version,
            values={d["field"]: getattr(candidate, d["field"]) for d in diff},
            changes=diff,
            by=by,
            request=request,
            object_ref=report.case.reference,
        )
        _touch(report.case_id)
    return report


# --- a supervisor's approval -------------------------------------------------------------


def decide_report(
    *,
    report_id: int,
    by: User,
    approve: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuthorityReport:
    """A supervisor approves a report made without consent (it is made: the advocate may
    now contact the agency) or declines it with a reason (it never goes). Never their
    own request; audited either way."""
    report = AuthorityReport.objects.select_related("case").get(pk=report_id)
    check_case_access(user=by, case=report.case, edit=False, request=request)
    with transaction.atomic():
        report = (
            AuthorityReport.objects.select_for_update().select_related("case").get(pk=report_id)
        )
        check_decision(
            record=report, by=by, perm=Perm.REPORT_APPROVE, approve=approve, reason=reason
        )
        new = Approval.APPROVED if approve else Approval.DECLINED
        report.approval = new
        report.approval_decided_by = by
        report.approval_decided_at = timezone.now()
        report.approval_reason = reason.strip()
        report.version += 1
        report.save(
            update_fields=[
                "approval",
                "approval_decided_by",
                "approval_decided_at",
                "approval_reason",
                "version",
                "updated_at",
            ]
        )
        record_event(
            action="change",
            actor=by,
            obj=report,
            object_ref=report.case.reference,
            request=request,
            reason=report.approval_reason,
            changes=[{"field": "approval", "old": Approval.PENDING, "new": new}],
        )
        _touch(report.case_id)
    return report
