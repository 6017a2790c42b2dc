"""Trends across the border: the combined view of our releases and the partner's
(/sharing/trends/), and sending them. Thin: the rules are in `puente.sharing.trends`.

Opening the page is a "view" in the audit trail (counts, never a record, but who looked
at what is part of the trail, as for the dashboards); sending is a "share", recorded by
`trends.send_release`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from puente.audit.domain import record_event
from puente.core.permissions import Perm, require_perm
from puente.federation.models import PartnerHotline
from puente.insights.dashboards import DASHBOARDS
from puente.sharing import releases, trends


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def combined(request):
    can_send = request.user.can(Perm.RELEASE_MANAGE)
    views = [trends.combined_trends(partner=partner) for partner in trends.partners_with_trends()]
    record_event(
        action="view",
        actor=request.user,
        object_type="cross_border_trends",
        reason=", ".join(
            f"{view.partner.name}: {table.code}" for view in views for table in view.tables
        )[:1000],
        request=request,
    )
    return render(
        request,
        "sharing/trends/combined.html",
        {
            "views": views,
            "can_send": can_send,
            "boards": DASHBOARDS,
            "months": trends.trend_months(),
            "tables": [
                releases.TABLES[code].title
                for code in trends.trend_tables()
                if code in releases.TABLES
            ],
        },
    )


@require_http_methods(["POST"])
@require_perm(Perm.RELEASE_MANAGE)
def send(request, partner_id: int):
    """Send this month's releases to this partner now rather than at the schedule's next
    run (a release made by hand for a partner is sent as it is released)."""
    partner = get_object_or_404(PartnerHotline, pk=partner_id)
    run = trends.send_monthly_releases(partner=partner, by=request.user, request=request)
    if run.sent:
        messages.success(
            request,
            ngettext(
                "%(n)s release is on its way to %(partner)s.",
                "%(n)s releases are on their way to %(partner)s.",
                len(run.sent),
            )
            % {"n": len(run.sent), "partner": partner.name},
        )
    elif run.already and not run.problems:
        messages.info(request, _("This month's releases were already sent."))
    elif not run.problems:
        messages.info(request, _("No table is chosen for the monthly releases."))
    for _recipient, _table, why in run.problems:
        messages.error(request, why)
    return redirect("sharing:trends")
