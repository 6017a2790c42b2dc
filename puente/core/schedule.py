"""Periodic jobs: what `puente worker` queues on its own, and how often.

The whole schedule is one setting, `PUENTE_SCHEDULE` (puente/settings.py): a task's
dotted path → seconds between runs (0: never; run it by hand). Naming tasks by path
keeps the worker, which lives in the federation app, free of the apps above it that own
the jobs (the retention purge). Every worker calls `enqueue_due` from its sweep; a job
is due when the task queue holds no run of it enqueued within its interval, so a worker
restarted, or several workers side by side, do not multiply runs (two workers sweeping
in the same instant may both queue one; the jobs are written to make a second run
harmless: it finds nothing left to do).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult


def enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Queue every scheduled task whose interval has passed; returns their paths."""
    now = now or timezone.now()
    queued = []
    for path, seconds in settings.PUENTE_SCHEDULE.items():
        if seconds <= 0:
            continue
        since = now - timedelta(seconds=seconds)
        if DBTaskResult.objects.filter(task_path=path, enqueued_at__gt=since).exists():
            continue
        import_string(path).enqueue()
        queued.append(path)
    return queued
