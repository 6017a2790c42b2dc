"""The worker queues the purge on the schedule in settings.PUENTE_SCHEDULE, once per
interval however often it sweeps, and the queued task purges."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from puente.core import schedule
from puente.intake.models import Contact
from puente.retention import tasks
from puente.retention.models import PurgeRun
from tests.factories import make_contact

pytestmark = pytest.mark.django_db
PATH = "puente.retention.tasks.purge_due_records"


def test_the_purge_is_on_the_schedule(settings):
    assert settings.PUENTE_SCHEDULE[PATH] == 24 * 3600


def test_a_due_job_is_queued_once_per_interval(settings):
    # The purge alone: other jobs on the schedule follow the same rule.
    settings.PUENTE_SCHEDULE = {PATH: 24 * 3600}
    assert schedule.enqueue_due() == [PATH]
    assert schedule.enqueue_due() == []  # the next sweep finds it queued
    later = timezone.now() + timedelta(hours=25)
    assert schedule.enqueue_due(now=later) == [PATH]
    assert DBTaskResult.objects.filter(task_path=PATH).count() == 2


def test_a_job_scheduled_every_0_seconds_is_never_queued(settings):
    settings.PUENTE_SCHEDULE = {PATH: 0}
    assert schedule.enqueue_due() == []


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_the_worker_runs_the_queued_purge():
    contact = make_contact(started_at=timezone.now() - timedelta(days=4000))
    schedule.enqueue_due()
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    assert not Contact.objects.filter(pk=contact.pk).exists()
    run = PurgeRun.objects.get()
    assert run.via == "worker" and run.counts["unlinked_contacts"]["purged"] == 1


def test_a_task_with_more_due_queues_the_next_one(monkeypatch):
    monkeypatch.setattr(tasks, "MAX_BATCHES", 1)
    now = timezone.now()
    for days in range(4000, 4003):
        make_contact(started_at=now - timedelta(days=days))
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    tasks.purge_due_records.call()
    assert DBTaskResult.objects.filter(task_path=PATH).count() == 1  # the continuation
