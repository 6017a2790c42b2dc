"""The linkage part's background jobs, run by `puente worker` (django-tasks, database
queue). Thin: each takes an id (or nothing, on the schedule) and calls the domain."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from puente.networks import linkage
from puente.networks.models.linkage import LinkageRun, LinkageRunStatus


@task(queue_name="default")
def link_persons(run_id: int) -> dict[str, object]:
    """A run someone asked for ("Run matching now")."""
    run = LinkageRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None or run.status != LinkageRunStatus.QUEUED:
        return {"run": run_id, "status": "gone" if run is None else run.status}
    run = linkage.run_linkage(by=run.started_by, run=run)
    return {"run": run.pk, "status": run.status, "proposed": run.pairs_proposed}


@task(queue_name="default")
def link_persons_nightly() -> dict[str, object]:
    """The scheduled run (settings.PUENTE_SCHEDULE), unless one is already under way."""
    if linkage.run_in_progress() is not None:
        return {"status": "skipped"}
    run = linkage.run_linkage(by=None)
    return {"run": run.pk, "status": run.status, "proposed": run.pairs_proposed}


def queue_run(run_id: int) -> None:
    transaction.on_commit(lambda: link_persons.enqueue(run_id))
