"""A case's cross-border referrals on its timeline (registered in
`FederationConfig.ready()`): each referral sent from (or received into) the case, and
each status update the handling hotline sent back. Two bounded reads: the case's newest
referrals by the case foreign key's index, and the newest updates of those referrals."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.cases.models import Case
from puente.cases.timeline import TimelineEntry, display_name
from puente.core.permissions import Perm
from puente.federation import choices as fc
from puente.federation.models import CrossBorderReferral, ReferralUpdate
from puente.referrals.approval import Approval


def cross_border_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    referrals = list(
        CrossBorderReferral.objects.filter(case=case)
        .select_related("partner", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )
    if not referrals:
        return []
    may_receive = user.can(Perm.EXCHANGE_RECEIVE)
    links = {
        referral.pk: (
            reverse("federation:referral", args=[referral.pk])
            if referral.direction == fc.Direction.INCOMING and may_receive
            else "#cross-border"
        )
        for referral in referrals
    }
    entries = []
    for referral in referrals:
        if referral.direction == fc.Direction.OUTGOING:
            title = _("Referred to %(partner)s") % {"partner": referral.partner.name}
            state = (
                referral.get_approval_display()
                if referral.approval in (Approval.PENDING, Approval.DECLINED)
                else referral.get_status_display()
            )
        else:
            title = _("Referral received from %(partner)s") % {"partner": referral.partner.name}
            state = referral.get_status_display()
        entries.append(
            TimelineEntry(
                when=referral.created_at,
                kind="cross-border",
                icon="partner",
                title=title,
                detail=" · ".join([str(referral.get_urgency_display()), str(state)]),
                url=links[referral.pk],
                who=display_name(referral.created_by),
            )
        )
    names = {referral.pk: referral.partner.name for referral in referrals}
    updates = ReferralUpdate.objects.filter(referral__in=list(names)).order_by("-at", "-id")[:limit]
    for update in updates:
        detail = update.note
        if update.partner_case_reference:
            detail = " · ".join(
                part
                for part in [
                    _("their case %(reference)s") % {"reference": update.partner_case_reference},
                    update.note,
                ]
                if part
            )
        entries.append(
            TimelineEntry(
                when=update.at,
                kind="cross-border-update",
                icon="partner",
                title=_("%(partner)s: %(status)s")
                % {"partner": names[update.referral_id], "status": update.get_status_display()},
                detail=detail,
                url=links[update.referral_id],
                who=update.by_name,
            )
        )
    return entries
