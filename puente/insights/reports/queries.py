"""Reads for the reports' pages: recent runs, and which report is due next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from puente.accounts.models import User
from puente.core.permissions import Perm
from puente.insights.models import ReportRun
from puente.insights.reports import periods
from puente.insights.reports.choices import ReportKind, RunStatus
from puente.insights.reports.definitions import DefinitionError, current_definitions


def recent_runs(*, limit: int = 20) -> list[ReportRun]:
    return list(
        ReportRun.objects.select_related("requested_by").order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class DueReport:
    kind: str
    period: periods.Period
    due: date
    # The latest finished report of that kind and period, when one was generated.
    ready: ReportRun | None

    @property
    def days_left(self) -> int:
        return (self.due - timezone.localdate()).days

    @property
    def ended(self) -> bool:
        """Only a period that is over can be reported whole."""
        return self.period.end < timezone.localdate()


def due_reports(*, today: date | None = None) -> list[DueReport]:
    """For each kind of report, the one due next under the definitions' rule, soonest
    first. Empty when the definitions cannot be read (the start-up check says why)."""
    today = today or timezone.localdate()
    try:
        definitions = current_definitions()
    except DefinitionError:
        return []
    start_month = definitions.fiscal_start(settings.PUENTE_COUNTRY)
    found = []
    for kind in ReportKind.values:
        rule = definitions.kinds[kind]
        period, due = periods.next_due(
            kind,
            today,
            start_month=start_month,
            months_after_end=rule.due_months_after_end,
            day=rule.due_day,
        )
        found.append((kind, period, due))
    ready = {
        (run.kind, run.period_start, run.period_end): run
        for run in ReportRun.objects.filter(status=RunStatus.DONE)
        .filter(period_start__in=[period.start for _kind, period, _due in found])
        .order_by("created_at", "id")
    }
    return sorted(
        (
            DueReport(
                kind=kind, period=period, due=due, ready=ready.get((kind, period.start, period.end))
            )
            for kind, period, due in found
        ),
        key=lambda item: item.due,
    )


def last_complete_period(*, kind: str, today: date | None = None) -> periods.Period:
    """What the form offers first: the most recent whole period of this kind."""
    today = today or timezone.localdate()
    start_month = current_definitions().fiscal_start(settings.PUENTE_COUNTRY)
    return periods.last_complete_period(kind, today, start_month=start_month)


def reports_for_home(*, user: User) -> list[DueReport] | None:
    """The home page's section: the next reports due, for those who file them."""
    if not user.can(Perm.INSIGHTS_VIEW):
        return None
    return due_reports()
