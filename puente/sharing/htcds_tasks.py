"""HTCDS files as background tasks: `puente worker` writes exports, checks and imports
files. Thin: each takes an id and calls the domain, which records progress."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from puente.sharing.htcds import domain


@task(queue_name="default")
def write_export(export_id: int) -> dict[str, object]:
    export = domain.write_export(export_id=export_id)
    return {"export": export.pk, "status": export.status}


@task(queue_name="default")
def check_import(import_id: int) -> dict[str, object]:
    batch = domain.check_import(import_id=import_id)
    return {"import": batch.pk, "status": batch.status}


@task(queue_name="default")
def run_import(import_id: int) -> dict[str, object]:
    batch = domain.run_import(import_id=import_id)
    return {"import": batch.pk, "status": batch.status}


def queue_export(export_id: int) -> None:
    transaction.on_commit(lambda: write_export.enqueue(export_id))


def queue_check(import_id: int) -> None:
    transaction.on_commit(lambda: check_import.enqueue(import_id))


def queue_import(import_id: int) -> None:
    transaction.on_commit(lambda: run_import.enqueue(import_id))
