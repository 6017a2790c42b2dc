"""What was typed but never saved goes after PUENTE_DRAFT_HOURS: `puente worker` runs
this every hour (settings.PUENTE_SCHEDULE, puente/core/schedule.py). Expired drafts are
already never offered (they are filtered on read); this deletes them."""

from __future__ import annotations

from django_tasks import task

from puente.accounts import kept
from puente.intake import domain


@task(queue_name="default")
def purge_expired_drafts() -> dict[str, int]:
    return {
        "intake_drafts": domain.purge_expired_drafts(),
        "held_drafts": kept.purge_expired_held_drafts(),
    }
