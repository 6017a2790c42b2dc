"""Generating a report as a background task: `puente worker` runs it like any other.
Thin: it takes the run's id and calls the domain, which reports progress on the run."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from puente.insights.models import ReportRun
from puente.insights.reports import domain


@task(queue_name="default")
def generate_report(run_id: int) -> dict[str, object]:
    run = domain.generate_report(run_id=run_id)
    return {"run": run.pk, "status": run.status}


def queue_generation(run: ReportRun) -> None:
    """Queue the run's generation once the request that made it has committed."""
    transaction.on_commit(lambda: generate_report.enqueue(run.pk))
