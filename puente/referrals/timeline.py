"""A case's referrals and reports to authorities on its timeline (registered in
`ReferralsConfig.ready()`): the newest of each by the case foreign key's index, placed
when they were recorded, each naming the day it was made."""

from __future__ import annotations

from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.cases.models import Case
from puente.cases.timeline import TimelineEntry, display_name, short_date
from puente.referrals.models import AuthorityReport, Referral


def referral_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    referrals = (
        Referral.objects.filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )
    reports = (
        AuthorityReport.objects.filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )
    entries = [
        TimelineEntry(
            when=referral.created_at,
            kind="referral",
            icon="referral",
            title=_("Referred to %(provider)s") % {"provider": referral.provider_name},
            detail=" · ".join(
                [
                    str(referral.get_service_display()),
                    str(referral.get_status_display()),
                    _("referred on %(date)s") % {"date": short_date(referral.referred_on)},
                ]
            ),
            url="#referrals",
            who=display_name(referral.created_by),
        )
        for referral in referrals
    ]
    entries.extend(
        TimelineEntry(
            when=report.created_at,
            kind="report",
            icon="audit",
            title=_("Reported to %(agency)s") % {"agency": report.agency_name},
            detail=" · ".join(
                [
                    str(report.get_agency_type_display()),
                    # A report waiting for (or refused) a supervisor's approval has not
                    # gone to the agency: say so rather than show its outcome.
                    str(
                        report.get_outcome_display()
                        if report.is_made
                        else report.get_approval_display()
                    ),
                    _("reported on %(date)s") % {"date": short_date(report.reported_on)},
                ]
            ),
            url="#reports",
            who=display_name(report.created_by),
        )
        for report in reports
    )
    return entries
