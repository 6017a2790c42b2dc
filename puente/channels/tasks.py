"""The background side of outgoing texts, run by `puente worker` (django-tasks, database
queue): each reply is sent by its own task once its transaction commits, and every minute
(settings.PUENTE_SCHEDULE) a sweep sends whatever an outage or a killed worker left. Once a
day the counts of refused webhooks older than a year go."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from puente.channels import domain, refusals

# Counts of refused webhooks are kept a year, as the exchange's refusal summaries are.
REFUSALS_KEPT = timedelta(days=365)


@task(queue_name="default")
def send_message(message_id: int) -> str:
    return domain.deliver_message(message_id=message_id)


@task(queue_name="default")
def send_due_messages() -> int:
    return domain.send_due_messages()


@task(queue_name="default")
def purge_old_refusals() -> int:
    return refusals.purge_refusals(older_than=timezone.now() - REFUSALS_KEPT)
