"""Background work for the exchange, on Django's tasks API (django-tasks, with the
database backend: the queue is a table, so no broker is needed). `puente worker` runs
these."""

from __future__ import annotations

from django_tasks import task

from puente.federation import delivery


@task(queue_name="exchange")
def deliver_to_partner(partner_id: int) -> str:
    return delivery.deliver_pending(partner_id)
