"""Exchange pages. Thin: parse, call `domain`/`partners`/`delivery`, show.

Liaisons send from a case (exchange.send) and work the incoming queue
(exchange.receive); administrators register partners and keys and retry failed
messages (partner.manage). The partners' own door, /exchange/inbox/, is signed, not
signed-in: see `inbox.receive`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from puente.audit.domain import record_event
from puente.cases.access import can_open_case, case_for
from puente.core import choices as c
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.federation import choices as fc
from puente.federation import delivery, domain, forms, inbox, keys, partners, schema
from puente.federation.models import CrossBorderReferral, OutboxMessage, PartnerHotline, PartnerKey
from puente.referrals.approval import Approval
from puente.referrals.views import approval_page


@csrf_exempt
@require_POST
def inbox_view(request):
    return inbox.receive(request)


@require_perm(Perm.EXCHANGE_SEND)
def send(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    persons = [
        (p.pk, " · ".join([p.display_name, *(c.label_for(c.PersonRole, r) for r in p.roles)]))
        for p in case.persons.filter(is_business=False).order_by("pk")
    ]
    form = forms.SendReferralForm(request.POST or None, persons=persons)
    if request.method == "GET":
        # The page lists the case's people by name: a read of the case.
        record_event(
            action="view",
            actor=request.user,
            obj=case,
            reason="cross-border send page",
            request=request,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = case.persons.filter(pk=data["person"]).first() if data["person"] else None
        try:
            referral = domain.send_referral(
                case=case,
                partner=data["partner"],
                by=request.user,
                person=person,
                consent_given=data["consent_given"],
                consent_method=data["consent_method"],
                consent_note=data["consent_note"],
                fields=data["fields"],
                summary=data["summary"],
                urgency=data["urgency"],
                extra=form.extra(),
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            if referral.approval == Approval.PENDING:
                message = _(
                    "The referral to %(partner)s waits for a supervisor's approval: it is "
                    "sent once approved."
                )
            else:
                message = _(
                    "The referral is on its way to %(partner)s. Its progress shows on this case."
                )
            messages.success(request, message % {"partner": data["partner"].name})
            return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "federation/send.html",
        {
            "case": case,
            "form": form,
            "no_partner": not PartnerHotline.objects.filter(active=True).exists(),
            "no_key": keys.signing_key() is None,
        },
    )


@require_perm(Perm.EXCHANGE_RECEIVE)
def incoming(request):
    show = request.GET.get("show", "open")
    referrals = CrossBorderReferral.objects.filter(direction=fc.Direction.INCOMING).select_related(
        "partner", "case"
    )
    if show == "open":
        referrals = referrals.exclude(
            status__in=[fc.ReferralStatus.DECLINED, fc.ReferralStatus.CLOSED]
        )
    # Unanswered emergencies first, then the oldest waiting: nobody's referral sinks.
    rows = sorted(
        referrals.order_by("created_at"),
        key=lambda r: (
            {"emergency": 0, "urgent": 1}.get(r.urgency, 2)
            if r.status == fc.ReferralStatus.SENT
            else 3,
            r.created_at,
        ),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    record_event(
        action="view", actor=request.user, object_type="incoming referrals", request=request
    )
    return render(request, "federation/incoming.html", {"page": page, "show": show})


def _incoming(cross_border_id: int) -> CrossBorderReferral:
    return get_object_or_404(
        CrossBorderReferral.objects.select_related("partner", "case"),
        pk=cross_border_id,
        direction=fc.Direction.INCOMING,
    )


@require_perm(Perm.EXCHANGE_RECEIVE)
def referral_detail(request, cross_border_id: int, form=None):
    referral = _incoming(cross_border_id)
    if form is None:
        record_event(
            action="view",
            actor=request.user,
            obj=referral,
            object_ref=str(referral.exchange_id)[:8],
            request=request,
        )
    statuses = domain.next_statuses(referral)
    return render(
        request,
        "federation/referral.html",
        {
            "referral": referral,
            "subject": schema.labelled_subject(referral.shared),
            "updates": referral.updates.all(),
            "messages_out": referral.messages.all(),
            "form": form or (forms.StatusForm(statuses=statuses) if statuses else None),
            "can_open_case": not referral.case_id and referral.status != fc.ReferralStatus.DECLINED,
            "local_case_visible": (
                referral.case is not None and can_open_case(request.user, referral.case)
            ),
        },
        status=400 if form is not None else 200,
    )


@require_perm(Perm.EXCHANGE_RECEIVE)
@require_POST
def referral_status(request, cross_border_id: int):
    referral = _incoming(cross_border_id)
    form = forms.StatusForm(request.POST, statuses=domain.next_statuses(referral))
    if form.is_valid():
        try:
            domain.update_status(
                referral=referral, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved. The partner hotline will see the new status."))
            return redirect("federation:referral", cross_border_id=referral.pk)
    return referral_detail(request, cross_border_id, form=form)


@require_perm(Perm.EXCHANGE_RECEIVE)
@require_POST
def referral_open_case(request, cross_border_id: int):
    referral = _incoming(cross_border_id)
    try:
        case = domain.open_local_case(referral=referral, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("federation:referral", cross_border_id=referral.pk)
    messages.success(request, _("Case %(ref)s opened from the referral.") % {"ref": case.reference})
    return redirect("cases:detail", reference=case.reference)


# --- administrators ----------------------------------------------------------------------


@require_perm(Perm.PARTNER_MANAGE)
def partner_list(request):
    form = forms.PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partners.register_partner(
                by=request.user,
                request=request,
                **{k: form.cleaned_data[k] for k in ("name", "country", "base_url")},
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Partner registered. Now add its public key."))
            return redirect("federation:partner", partner_id=partner.pk)
    rows = PartnerHotline.objects.annotate(
        queued=Count("outbox", filter=Q(outbox__state=fc.DeliveryState.QUEUED)),
        failed=Count("outbox", filter=Q(outbox__state=fc.DeliveryState.FAILED)),
    )
    own = keys.signing_key()
    return render(
        request,
        "federation/partners.html",
        {"partners": rows, "form": form, "own_key": keys.public_info(own) if own else None},
    )


@require_perm(Perm.PARTNER_MANAGE)
def partner_detail(request, partner_id: int):
    partner = get_object_or_404(PartnerHotline, pk=partner_id)
    key_form = forms.PartnerKeyForm(request.POST or None)
    if request.method == "POST":
        if "active" in request.POST:
            partners.set_active(
                partner=partner,
                active=request.POST["active"] == "1",
                by=request.user,
                request=request,
            )
            return redirect("federation:partner", partner_id=partner.pk)
        if key_form.is_valid():
            try:
                partners.add_key(
                    partner=partner,
                    public_key=key_form.cleaned_data["public_key"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as exc:
                apply_domain_errors(key_form, exc)
            else:
                messages.success(request, _("Key added."))
                return redirect("federation:partner", partner_id=partner.pk)
    outbox = Paginator(partner.outbox.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "federation/partner.html",
        {"partner": partner, "keys": partner.keys.all(), "key_form": key_form, "outbox": outbox},
    )


@require_perm(Perm.PARTNER_MANAGE)
@require_POST
def key_revoke(request, key_id: int):
    key = get_object_or_404(PartnerKey, pk=key_id)
    partners.revoke_key(key=key, by=request.user, request=request)
    messages.success(
        request, _("Key %(id)s revoked: messages signed with it are refused.") % {"id": key.key_id}
    )
    return redirect("federation:partner", partner_id=key.partner_id)


@require_perm(Perm.PARTNER_MANAGE)
@require_POST
def message_retry(request, message_id: int):
    message = get_object_or_404(OutboxMessage, pk=message_id)
    if message.state != fc.DeliveryState.FAILED:
        messages.error(request, _("Only a failed message can be retried."))
    elif message.purged_at is not None:
        messages.error(
            request, _("This message's content was removed by retention; it cannot be resent.")
        )
    else:
        delivery.retry(message)
        record_event(
            action="partner_change",
            actor=request.user,
            obj=message.partner,
            reason=f"retry message {message.message_id}",
            request=request,
        )
        messages.success(request, _("The message is queued again."))
    return redirect("federation:partner", partner_id=message.partner_id)


@require_perm(Perm.EXCHANGE_APPROVE)
def approval(request, cross_border_id: int):
    """A supervisor approves (it is sent) or declines a referral waiting to be sent."""
    referral = get_object_or_404(
        CrossBorderReferral.objects.select_related("partner", "case", "created_by"),
        pk=cross_border_id,
        direction=fc.Direction.OUTGOING,
    )
    case = referral.case
    if case is None:
        raise Http404
    return approval_page(
        request,
        record=referral,
        case=case,
        decide=lambda *, approve, reason: domain.decide_referral(
            referral_id=referral.pk,
            by=request.user,
            approve=approve,
            reason=reason,
            request=request,
        ),
        done_url=reverse("cases:detail", args=[case.reference]),
        title=_("Referral to %(partner)s") % {"partner": referral.partner.name},
        facts=[
            (_("Urgency"), referral.get_urgency_display()),
            (_("Consent"), referral.get_consent_method_display()),
            (_("About consent"), referral.consent_note or "—"),
            # What would cross the border, field by field: what the supervisor judges.
            *schema.labelled_subject(referral.shared),
            (_("Summary"), referral.summary),
            (_("Requested by"), referral.created_by.display_name if referral.created_by else "—"),
        ],
    )
