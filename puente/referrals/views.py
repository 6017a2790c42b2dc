"""Referral and report pages. Thin: parse the form, call `puente.referrals.domain`, show
the result.

Every page needs REFERRAL_RECORD (`require_perm`), then the right to open and edit the
case the record belongs to (a restricted case's referrals are as private as the case),
and leaves a line in the audit trail. Reading a case's referrals is part of the case
page (`referrals_tags.case_referrals`) and of the API.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from puente.audit.domain import record_event
from puente.cases.access import case_for, check_case_access
from puente.cases.models import Case
from puente.core.concurrency import StaleWriteError
from puente.core.forms import apply_domain_errors, refuse_stale_save
from puente.core.permissions import Perm, require_perm
from puente.directory import choices as dc
from puente.directory.models import Provider
from puente.referrals import domain, forms, queries
from puente.referrals.models import AuthorityReport, Referral


def _case_from_query(request) -> Case:
    """Referrals and reports are made from a case: ?case=US-2026-000123."""
    return case_for(
        user=request.user, reference=request.GET.get("case") or "", edit=True, request=request
    )


def _case_url(case: Case, anchor: str = "referrals") -> str:
    return reverse("cases:detail", args=[case.reference]) + f"#{anchor}"


def _listing(pk: str | None, queryset=None) -> Provider | None:
    """The directory listing a link named (?provider= / ?agency=), or None."""
    if pk is None or not pk.isdigit():
        return None
    return (queryset if queryset is not None else Provider.objects.all()).filter(pk=pk).first()


# --- referrals ---------------------------------------------------------------------------


@require_perm(Perm.REFERRAL_RECORD)
def referral_new(request):
    case = _case_from_query(request)
    source = request.POST if request.method == "POST" else request.GET
    provider = _listing(source.get("provider"))
    initial = {"provider": provider.pk if provider else None}
    service = request.GET.get("service") or ""
    if service in dc.Service.values:
        initial["service"] = service
    elif provider and provider.services:
        initial["service"] = provider.services[0]
    form = forms.ReferralForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                referral = domain.record_referral(
                    case=case, by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Referral to %(provider)s recorded.") % {"provider": referral.provider_name},
                )
                return redirect(_case_url(case))
    else:
        record_event(action="view", actor=request.user, obj=case, request=request)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "case": case,
            "form": form,
            "provider": provider,
            "can_search_directory": request.user.can(Perm.DIRECTORY_VIEW),
        },
    )


def _referral_initial(referral: Referral) -> dict:
    initial = {name: getattr(referral, name) for name in forms.ReferralEditForm.FIELDS}
    initial["version"] = referral.version
    return initial


@require_perm(Perm.REFERRAL_RECORD)
def referral_edit(request, referral_id: int):
    referral = queries.referral_by_id(referral_id=referral_id)
    if referral is None:
        raise Http404
    case = referral.case
    check_case_access(user=request.user, case=case, edit=True, request=request)
    if request.method == "POST":
        form = forms.ReferralEditForm(request.POST, status=referral.status)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.update_referral(
                    referral_id=referral.pk,
                    expected_version=data["version"],
                    changes={name: data[name] for name in forms.ReferralEditForm.FIELDS},
                    by=request.user,
                    request=request,
                )
            except StaleWriteError as exc:
                referral = queries.referral_by_id(referral_id=referral.pk)
                if referral is None:  # deleted since the form was shown
                    raise Http404 from exc
                return refuse_stale_save(
                    request,
                    exc,
                    form_class=partial(forms.ReferralEditForm, status=referral.status),
                    saved=_referral_initial(referral),
                    template_name="referrals/referral_edit.html",
                    context={"case": case, "referral": referral},
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Referral to %(provider)s saved.") % {"provider": referral.provider_name},
                )
                return redirect(_case_url(case))
    else:
        form = forms.ReferralEditForm(initial=_referral_initial(referral), status=referral.status)
        record_event(
            action="view",
            actor=request.user,
            obj=referral,
            object_ref=case.reference,
            request=request,
        )
    return render(
        request,
        "referrals/referral_edit.html",
        {"case": case, "referral": referral, "form": form},
    )


# --- reports to authorities --------------------------------------------------------------


@require_perm(Perm.REFERRAL_RECORD)
def report_new(request):
    case = _case_from_query(request)
    agency = _listing(request.GET.get("agency"), queries.agencies())
    initial = {}
    if agency is not None:
        initial["agency"] = agency.pk
        if agency.kind == dc.ProviderKind.CHILD_WELFARE:
            initial["agency_type"] = "child_welfare"
    form = forms.ReportForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                report = domain.record_authority_report(
                    case=case, by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                if report.is_made:
                    message = _("Report to %(agency)s recorded.")
                else:
                    message = _(
                        "Report to %(agency)s recorded as a request: it is made once a "
                        "supervisor approves it."
                    )
                messages.success(request, message % {"agency": report.agency_name})
                return redirect(_case_url(case, "reports"))
    else:
        record_event(action="view", actor=request.user, obj=case, request=request)
    return render(request, "referrals/report_form.html", {"case": case, "form": form})


def _report_initial(report: AuthorityReport) -> dict:
    initial = {name: getattr(report, name) for name in forms.ReportEditForm.FIELDS}
    initial["version"] = report.version
    return initial


@require_perm(Perm.REFERRAL_RECORD)
def report_edit(request, report_id: int):
    report = queries.report_by_id(report_id=report_id)
    if report is None:
        raise Http404
    case = report.case
    check_case_access(user=request.user, case=case, edit=True, request=request)
    if request.method == "POST":
        form = forms.ReportEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.update_authority_report(
                    report_id=report.pk,
                    expected_version=data["version"],
                    changes={name: data[name] for name in forms.ReportEditForm.FIELDS},
                    by=request.user,
                    request=request,
                )
            except StaleWriteError as exc:
                report = queries.report_by_id(report_id=report.pk)
                if report is None:  # deleted since the form was shown
                    raise Http404 from exc
                return refuse_stale_save(
                    request,
                    exc,
                    form_class=forms.ReportEditForm,
                    saved=_report_initial(report),
                    template_name="referrals/report_edit.html",
                    context={"case": case, "report": report},
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(
                    request, _("Report to %(agency)s saved.") % {"agency": report.agency_name}
                )
                return redirect(_case_url(case, "reports"))
    else:
        form = forms.ReportEditForm(initial=_report_initial(report))
        record_event(
            action="view",
            actor=request.user,
            obj=report,
            object_ref=case.reference,
            request=request,
        )
    return render(
        request,
        "referrals/report_edit.html",
        {"case": case, "report": report, "form": form},
    )


def approval_page(
    request,
    *,
    record,
    case: Case,
    decide,
    done_url: str,
    title: str,
    facts: list[tuple[str, str]],
):
    """The one page where a supervisor approves or declines what waits for them (a
    report without consent here, a cross-border referral in puente.federation): the
    request's facts, the decision with its reason, `decide(approve=…, reason=…)` to
    record it. Showing the page is a read of the case."""
    check_case_access(user=request.user, case=case, request=request)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide(
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(done_url)
    elif request.method != "POST":
        record_event(
            action="view",
            actor=request.user,
            obj=record,
            object_ref=case.reference,
            request=request,
        )
    return render(
        request,
        "referrals/approval.html",
        {
            "case": case,
            "record": record,
            "title": title,
            "facts": facts,
            "own_request": record.created_by_id == request.user.pk,
            "form": form,
        },
    )


@require_perm(Perm.REPORT_APPROVE)
def report_approval(request, report_id: int):
    """A supervisor approves or declines a report that waits for them."""
    report = queries.report_by_id(report_id=report_id)
    if report is None:
        raise Http404
    return approval_page(
        request,
        record=report,
        case=report.case,
        decide=lambda *, approve, reason: domain.decide_report(
            report_id=report.pk, by=request.user, approve=approve, reason=reason, request=request
        ),
        done_url=_case_url(report.case, "reports"),
        title=_("Report to %(agency)s") % {"agency": report.agency_name},
        facts=[
            (_("Type of agency"), report.get_agency_type_display()),
            (_("Legal duty to report"), report.get_mandatory_duty_display() or "—"),
            (_("About the legal duty"), report.duty_note or "—"),
            (_("Requested by"), report.created_by.display_name if report.created_by else "—"),
        ],
    )
