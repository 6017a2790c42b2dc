"""Screening pages and protocols. Thin: parse, call `domain` / `queries`, render.
Every page names its permission; pages showing a contact or case are audited."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from puente.audit.domain import record_event
from puente.cases.access import case_for, check_case_access
from puente.cases.queries import shows_mexican_frame
from puente.core import choices as c
from puente.core.concurrency import StaleWriteError
from puente.core.forms import apply_domain_errors, refuse_stale_save
from puente.core.permissions import Perm, require_perm
from puente.intake.models import Contact
from puente.intake.queries import contact_for
from puente.screening import domain, queries
from puente.screening import indicators as ind
from puente.screening.forms import FindingsForm, ProtocolForm, ScreeningForm
from puente.screening.models import Protocol


def _contact_or_refuse(request, contact_id: int) -> Contact:
    """Screening a contact filed in a case changes that case: it needs the right to edit it."""
    contact = contact_for(user=request.user, contact_id=contact_id, request=request)
    if contact.case is not None:
        check_case_access(
            user=request.user, case=contact.case, edit=True, obj=contact, request=request
        )
    return contact


def _frame_from(value: str | None, *, mexican_frame: bool = True) -> str:
    if not mexican_frame:
        return c.LegalFrame.US_TVPA
    return value if value in c.LegalFrame.values else domain.default_legal_frame()


def _result_context(*, codes, legal_frame: str, person=None) -> dict:
    assessment = domain.assess(
        indicators=set(codes),
        legal_frame=legal_frame,
        person_is_minor=bool(person is not None and person.is_minor),
    )
    return {
        "assessment": assessment,
        "level_label": c.label_for(c.IndicatorLevel, assessment.level),
        "frame_label": c.label_for(c.LegalFrame, legal_frame),
        "mx_form_labels": c.labels_for(c.MexicoExploitationForm, assessment.mx_forms),
    }


def _checklist(selected) -> list[dict]:
    chosen = set(selected or [])
    return [
        {
            "code": code,
            "heading": heading,
            "items": [{"indicator": i, "checked": i.code in chosen} for i in items],
        }
        for code, heading, items in ind.grouped()
    ]


def _screen(request, *, contact=None, case=None, protocol, back_url: str):
    latest = queries.latest_screening(contact=contact, case=case)
    filed_in = case or (contact.case if contact is not None else None)
    persons = queries.persons_to_screen(case=filed_in) if filed_in is not None else []
    mexican_frame = shows_mexican_frame(case=filed_in) or (
        contact is not None and contact.country == "MX"
    )
    status = 200
    person = None
    if request.method == "POST":
        form = ScreeningForm(request.POST, persons=persons, mexican_frame=mexican_frame)
        if form.is_valid():
            data = form.cleaned_data
            person = form.persons.get(data["person"]) if data["person"] else None
            try:
                screening = domain.record_screening(
                    by=request.user,
                    contact=contact,
                    case=case,
                    person=person,
                    indicators=data["indicators"],
                    legal_frame=data["legal_frame"],
                    override_level=data["override_level"],
                    override_reason=data["override_reason"],
                    request=request,
                )
            except ValidationError as exc:
                by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                for field, errors in by_field.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Screening saved. Level of indicators: %(level)s.")
                    % {"level": c.label_for(c.IndicatorLevel, screening.level)},
                )
                return redirect(back_url)
        status = 400
        codes = [code for code in request.POST.getlist("indicators") if code in ind.BY_CODE]
        legal_frame = _frame_from(request.POST.get("legal_frame"), mexican_frame=mexican_frame)
    else:
        codes = latest.indicators if latest else []
        legal_frame = _frame_from(
            request.GET.get("frame") or (latest.legal_frame if latest else None),
            mexican_frame=mexican_frame,
        )
        form = ScreeningForm(
            initial={
                "indicators": codes,
                "legal_frame": legal_frame,
                "person": latest.person_id if latest else None,
            },
            persons=persons,
            mexican_frame=mexican_frame,
        )
        record_event(
            action="view",
            actor=request.user,
            obj=case or contact,
            request=request,
            reason="screening page",
        )
    context = {
        "form": form,
        "contact": contact,
        "case": case,
        "groups": _checklist(codes),
        "legal_frame": legal_frame,
        "latest": latest,
        "protocol": protocol,
        "back_url": back_url,
        "persons": persons,
        **_result_context(codes=codes, legal_frame=legal_frame, person=person),
    }
    return render(request, "screening/screen.html", context, status=status)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.SCREENING_RECORD)
def screen_contact(request, contact_id: int):
    contact = _contact_or_refuse(request, contact_id)
    protocol = queries.protocol_for(reason=contact.reason, signaler_type=contact.signaler_type)
    return _screen(
        request,
        contact=contact,
        protocol=protocol,
        back_url=reverse("intake:detail", kwargs={"contact_id": contact.pk}),
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.SCREENING_RECORD)
def screen_case(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    first = case.contacts.order_by("started_at", "id").first()
    if first is not None:
        protocol = queries.protocol_for(reason=first.reason, signaler_type=first.signaler_type)
    else:
        # No contact to go by: the general protocol for how the case stands.
        reason = c.ReasonForContact.CRISIS if case.imminent_danger else c.ReasonForContact.TIP
        protocol = queries.protocol_for(reason=reason, signaler_type="")
    return _screen(
        request,
        case=case,
        protocol=protocol,
        back_url=reverse("cases:detail", kwargs={"reference": case.reference}),
    )


def _findings(case) -> dict:
    return {**{name: getattr(case, name) for name in FindingsForm.FIELDS}, "version": case.version}


@require_http_methods(["GET", "POST"])
@require_perm(Perm.SCREENING_RECORD)
def correct_findings(request, reference: str):
    """Correct what screenings put in the case (level, forms, methods of control), with
    a reason: the audit keeps who, what and why."""
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    findings_form = partial(FindingsForm, mexican_frame=shows_mexican_frame(case=case))
    form = findings_form(request.POST or None, initial=_findings(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.correct_case_findings(
                case=case,
                by=request.user,
                expected_version=data["version"],
                changes={name: data[name] for name in FindingsForm.FIELDS if name in data},
                reason=data["reason"],
                request=request,
            )
        except StaleWriteError as exc:
            return refuse_stale_save(
                request,
                exc,
                form_class=findings_form,
                saved=_findings(exc.record),
                template_name="screening/findings_form.html",
                context={"case": exc.record},
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Findings corrected."))
            return redirect("cases:detail", reference=case.reference)
    status = 400 if form.is_bound else 200
    return render(
        request, "screening/findings_form.html", {"form": form, "case": case}, status=status
    )


@require_POST
@require_perm(Perm.SCREENING_RECORD)
def preview(request):
    """The live result beside the checklist (htmx): computes, stores nothing."""
    codes = [code for code in request.POST.getlist("indicators") if code in ind.BY_CODE]
    legal_frame = _frame_from(request.POST.get("legal_frame"))
    return render(
        request, "screening/_result.html", _result_context(codes=codes, legal_frame=legal_frame)
    )


@require_GET
@require_perm(Perm.CONTACT_CREATE)
def protocol(request):
    """The protocol steps as a plain fragment, for the intake screen to embed."""
    reason = request.GET.get("reason", "")
    signaler_type = request.GET.get("signaler_type", "")
    found = (
        queries.protocol_for(reason=reason, signaler_type=signaler_type)
        if reason in c.ReasonForContact.values
        else None
    )
    return render(
        request, "screening/_protocol.html", {"protocol": found, "reason_given": bool(reason)}
    )


@require_GET
@require_perm(Perm.PROTOCOL_EDIT)
def protocol_list(request):
    protocols = Protocol.objects.order_by("reason", "signaler_type")
    return render(request, "screening/protocol_list.html", {"protocols": protocols})


@require_http_methods(["GET", "POST"])
@require_perm(Perm.PROTOCOL_EDIT)
def protocol_edit(request, pk: int):
    item = get_object_or_404(Protocol, pk=pk)
    # The form edits a copy: the domain function reads the stored text itself, to audit
    # exactly what it overwrites.
    form = ProtocolForm(request.POST or None, instance=Protocol.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            saved = domain.update_protocol(
                protocol=item, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Protocol “%(title)s” saved.") % {"title": saved.title})
            return redirect("screening:protocols")
    status = 400 if form.is_bound else 200
    return render(
        request, "screening/protocol_edit.html", {"form": form, "protocol": item}, status=status
    )
