"""The purge as a background task: `puente worker` queues it on the schedule in
`settings.PUENTE_SCHEDULE` (see puente/core/schedule.py) and runs it like any other task.

One task does a bounded amount of work (MAX_BATCHES per category) and queues the next
one if anything is still due, so a first purge of years of records never holds up the
deliveries to partner hotlines queued meanwhile: they run between the two tasks.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from puente.retention import domain

MAX_BATCHES = 20
BATCH_SIZE = domain.DEFAULT_BATCH_SIZE


@task(queue_name="default")
def purge_due_records() -> dict[str, Any]:
    report = domain.purge_due(
        dry_run=False, batch_size=BATCH_SIZE, max_batches=MAX_BATCHES, via="worker"
    )
    if not report.complete:
        purge_due_records.enqueue()
    return {"run": report.run.pk, "purged": report.purged, "complete": report.complete}
