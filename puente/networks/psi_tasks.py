"""The psi part's background jobs, run by `puente worker` (django-tasks, database queue).

`answer_match_request` and `prepare_match_answer` live beside their rules in
`puente.networks.psi` (queued from there) and are named here too; `expire_match_runs`
runs on the schedule (settings.PUENTE_SCHEDULE): runs never delivered fail, runs
unanswered too long expire, requests a killed worker left pending are queued again, and
partners that asked lately get a set blinded ahead."""

from __future__ import annotations

from django_tasks import task

from puente.networks import psi
from puente.networks.psi import answer_match_request, prepare_match_answer

__all__ = ["answer_match_request", "expire_match_runs", "prepare_match_answer"]


@task(queue_name="default")
def expire_match_runs() -> dict[str, int]:
    return psi.expire_runs()
