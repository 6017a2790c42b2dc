"""The sharing app's background jobs, run by `puente worker` (django-tasks, database
queue) on the schedule in `settings.PUENTE_SCHEDULE` (puente/core/schedule.py).

The monthly trends release is queued every day and sends only what is due: the month's
releases that have not gone to a partner yet, so a worker that was down on the first of
the month sends them the next day, and a second run finds nothing left to do."""

from __future__ import annotations

from django_tasks import task

from puente.sharing import trends


@task(queue_name="default")
def send_monthly_trends() -> dict[str, int]:
    run = trends.send_monthly_releases()
    return {"sent": len(run.sent), "already": run.already, "problems": len(run.problems)}
