from django import template
from django.utils.translation import gettext_lazy as _

from puente.federation import choices as fc
from puente.federation import schema
from puente.federation.models import CrossBorderReferral, PartnerHotline

register = template.Library()


@register.inclusion_tag("federation/_case_referrals.html", takes_context=True)
def cross_border_referrals(context, case):
    """The case page's cross-border part: referrals sent from this case with the
    partner's updates and each message's delivery state, and (on a case opened from a
    partner's referral) where it came from."""
    user = context["request"].user
    referrals = list(
        CrossBorderReferral.objects.filter(case=case)
        .select_related("partner")
        .prefetch_related("updates", "messages")
        .order_by("-created_at")
    )
    rows = [
        {
            "referral": r,
            "subject": schema.labelled_subject(r.shared),
            "updates": list(r.updates.all()),
            "messages": list(r.messages.all()),
        }
        for r in referrals
    ]
    can_send = (
        user.can("exchange.send")
        and context.get("can_edit")
        and PartnerHotline.objects.filter(active=True).exists()
    )
    return {
        "case": case,
        "rows": rows,
        "can_send": can_send,
        "can_receive": user.can("exchange.receive"),
        "can_approve": user.can("exchange.approve"),
        "OUTGOING": fc.Direction.OUTGOING,
        "request": context["request"],
    }


@register.filter
def delivery_problem(last_error: str) -> str:
    """Why a message has not arrived, in words a liaison can act on. The worker's own
    text (HTTP codes, exception names) stays in the element's title for whoever runs
    the server."""
    text = (last_error or "").strip()
    if not text:
        return ""
    if text.startswith("HTTP "):
        code = text[5:8]
        if code in {"401", "403"}:
            return str(
                _(
                    "The partner hotline did not accept this hotline's signature: check that "
                    "it holds this hotline's current public key."
                )
            )
        if code == "429":
            return str(_("The partner hotline asked us to wait before sending more."))
        if code.startswith("5"):
            return str(_("The partner hotline's system had a problem receiving it."))
        if "acknowledgement" in text:
            return str(_("The partner hotline answered but did not confirm receipt."))
        return str(_("The partner hotline refused the message."))
    if text.startswith("Not acknowledged"):
        return str(_("The partner hotline answered but did not confirm receipt."))
    return str(_("The partner hotline could not be reached."))


@register.filter
def message_type_label(message_type: str) -> str:
    """A message's type in the reader's language, including types other apps add to the
    exchange (a release of trends), which the model's own choices do not know."""
    return schema.message_type_label(message_type)
