"""Intake pages. Thin: each reads the request, calls a domain or query function, and
renders. Every page names its permission and records what was seen in the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from puente.audit.domain import record_event
from puente.cases.access import case_for
from puente.cases.models import Case
from puente.core import choices as c
from puente.core.permissions import Perm, require_perm
from puente.intake import domain, queries
from puente.intake.forms import DATETIME_LOCAL, ContactForm, subdivision_options
from puente.intake.models import Contact

# Only these may come in the address (the telephony screen-pop opens
# /intake/new/?phone=+1713…&channel=phone): the rest is typed by the advocate.
PREFILL_PARAMS = ("phone", "channel", "reason", "signaler_type", "language")


def _lookup(request, phone: str) -> queries.PhoneHistory:
    return domain.look_up_caller(user=request.user, phone=phone, request=request)


def _defaults() -> dict:
    return {
        "started_at": timezone.localtime().strftime(DATETIME_LOCAL),
        "country": settings.PUENTE_COUNTRY,
        "direction": c.Direction.INBOUND,
        "language": c.Language.SPANISH if settings.PUENTE_COUNTRY == "MX" else c.Language.ENGLISH,
        "signaler_type": c.SignalerType.UNKNOWN,
        "anonymous": True,
    }


def _call_awaiting(request, value) -> Contact | None:
    """The contact a taken call created (`call=<id>` from the screen-pop), if this advocate
    may still record it: visible to them, not yet recorded, not taken by someone else."""
    try:
        contact_id = int(value)
    except (TypeError, ValueError):
        return None
    contact = queries.visible_contacts(request.user).filter(pk=contact_id).first()
    if contact is None or not domain.awaits_recording(contact, by=request.user):
        return None
    return contact


def _render_new(
    request, *, form: ContactForm, draft_key, draft=None, history=None, status=200, call=None
):
    phone = (form.data if form.is_bound else form.initial).get("phone") or ""
    form.set_focus()
    other_drafts = queries.drafts_of(owner=request.user).exclude(key=draft_key)[:20]
    return render(
        request,
        "intake/new.html",
        {
            "form": form,
            "draft_key": draft_key,
            "draft": draft,
            "history": history,
            "phone_given": bool(phone),
            "other_drafts": other_drafts,
            # Saving completes this call's contact instead of recording a second one.
            "call": call,
        },
        status=status,
    )


def _not_yet_refused(exc: ValidationError, form: ContactForm) -> ValidationError:
    return ValidationError(
        {field: errors for field, errors in exc.message_dict.items() if field not in form.errors}
    )


@require_perm(Perm.CONTACT_CREATE)
def new_contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        draft_key = queries.parse_draft_key(request.POST.get("draft_key")) or uuid.uuid4()
        call = request.POST.get("call") or None
        if form.is_valid():
            try:
                if call:
                    contact = domain.complete_inbound_contact(
                        contact_id=int(call) if call.isdigit() else 0,
                        by=request.user,
                        data=form.domain_data(),
                        request=request,
                        draft_key=draft_key,
                    )
                else:
                    contact = domain.record_contact(
                        by=request.user,
                        data=form.domain_data(),
                        request=request,
                        draft_key=draft_key,
                    )
            except ValidationError as exc:
                if call and "call" in getattr(exc, "error_dict", {}):
                    # Recorded or taken by someone else meanwhile: nothing typed is lost,
                    # and saving again records it as a contact of its own.
                    messages.error(
                        request,
                        " ".join(exc.message_dict["call"])
                        + " "
                        + _("Save again to record what you wrote as a new contact."),
                    )
                    call = None
                else:
                    form.add_domain_errors(exc)
            else:
                messages.success(request, _("Contact recorded."))
                return redirect("intake:detail", contact_id=contact.pk)
        else:
            # Every mistake at once: the domain's rules (dates, the number) too, not only
            # the form's (the narrative), so one correction is enough.
            try:
                domain.clean_contact_data(form.domain_data())
            except ValidationError as exc:
                form.add_domain_errors(_not_yet_refused(exc, form))
        phone = request.POST.get("phone", "")
        history = _lookup(request, phone) if phone else None
        return _render_new(request, form=form, draft_key=draft_key, history=history, call=call)

    initial = _defaults()
    draft = None
    if request.GET.get("draft"):
        draft = queries.draft_of(owner=request.user, key=request.GET["draft"])
        if draft is None:
            # Another person's draft and a draft that never existed look the same.
            raise Http404
        initial.update(draft.data)
        draft_key = draft.key
    else:
        initial.update({k: request.GET[k] for k in PREFILL_PARAMS if request.GET.get(k)})
        draft_key = uuid.uuid4()
    call = _call_awaiting(request, request.GET.get("call"))
    if call is not None:
        # The call started when it rang, not when the form opened.
        initial["started_at"] = timezone.localtime(call.started_at).strftime(DATETIME_LOCAL)
    form = ContactForm(initial=initial)
    history = _lookup(request, initial["phone"]) if initial.get("phone") else None
    return _render_new(
        request,
        form=form,
        draft_key=draft_key,
        draft=draft,
        history=history,
        call=call.pk if call is not None else None,
    )


def keep_contact_sent_signed_out(user, post) -> str | None:
    """A new contact sent after its author's session ended: kept in their unfinished
    intake (the autosave's draft, same key), to continue after signing in. None when only
    a number was typed: then it is kept like any other form."""
    if not user.can(Perm.CONTACT_CREATE):
        return None
    draft = domain.save_draft(owner=user, data=post, key=post.get("draft_key"))
    if draft is None:
        return None
    return f"{reverse('intake:new')}?draft={draft.key}"


@require_POST
@require_perm(Perm.CONTACT_CREATE)
def draft_save(request):
    # None while only the number has been typed: no draft yet, nothing to say.
    draft = domain.save_draft(
        owner=request.user, data=request.POST, key=request.POST.get("draft_key")
    )
    return render(request, "intake/_draft_status.html", {"draft": draft, "oob": True})


@require_POST
@require_perm(Perm.CONTACT_CREATE)
def draft_discard(request, key):
    if domain.discard_draft(owner=request.user, key=key):
        messages.success(request, _("Draft discarded."))
    return redirect("intake:new")


@require_GET
@require_perm(Perm.PHONE_LOOKUP)
def phone_lookup(request):
    phone = request.GET.get("phone", "")
    history = _lookup(request, phone) if phone.strip() else None
    return render(
        request, "intake/_lookup.html", {"history": history, "phone_given": bool(phone.strip())}
    )


@require_GET
@require_perm(Perm.CONTACT_CREATE)
def subdivisions(request):
    form = ContactForm(initial={"country": request.GET.get("country", "")})
    return render(
        request,
        "intake/_subdivision_select.html",
        {
            "field": form["subdivision"],
            "options": subdivision_options(form.chosen_country()),
        },
    )


@require_GET
@require_perm(Perm.CONTACT_VIEW)
def contact_detail(request, contact_id: int):
    contact = queries.contact_for(user=request.user, contact_id=contact_id, request=request)
    record_event(action="view", actor=request.user, obj=contact, request=request)
    return render(request, "intake/detail.html", {"contact": contact})


@require_POST
@require_perm(Perm.CASE_CREATE)
def open_case(request, contact_id: int):
    contact = queries.contact_for(user=request.user, contact_id=contact_id, request=request)
    try:
        case = domain.open_case_from_contact(contact=contact, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("intake:detail", contact_id=contact.pk)
    messages.success(
        request, _("Case %(reference)s opened from this contact.") % {"reference": case.reference}
    )
    return redirect(reverse("cases:detail", kwargs={"reference": case.reference}))


@require_POST
@require_perm(Perm.CONTACT_EDIT)
def link_case(request, contact_id: int):
    contact = queries.contact_for(user=request.user, contact_id=contact_id, request=request)
    reference = request.POST.get("case_reference", "").strip().upper()
    case = Case.objects.filter(reference=reference).first() if reference else None
    if case is None:
        messages.error(request, _("No case has the reference “%(value)s”.") % {"value": reference})
        return redirect("intake:detail", contact_id=contact.pk)
    try:
        domain.link_contact_to_case(contact=contact, case=case, by=request.user, request=request)
    except PermissionDenied:
        messages.error(
            request, _("You may not add contacts to case %(value)s.") % {"value": case.reference}
        )
    else:
        messages.success(
            request, _("Contact linked to case %(value)s.") % {"value": case.reference}
        )
    return redirect("intake:detail", contact_id=contact.pk)


@require_GET
@require_perm(Perm.CONTACT_VIEW)
def contact_list(request):
    # ?case=REF: every contact of one case (its page shows only the newest events), for
    # someone who may open that case.
    case = None
    if request.GET.get("case"):
        case = case_for(user=request.user, reference=request.GET["case"], request=request)
    page = Paginator(queries.recent_contacts(user=request.user, case=case), 50).get_page(
        request.GET.get("page")
    )
    record_event(
        action="view",
        actor=request.user,
        object_type="contact",
        object_ref=(f"case {case.reference} " if case else "") + f"list page {page.number}",
        request=request,
    )
    return render(request, "intake/list.html", {"page": page, "case": case})
