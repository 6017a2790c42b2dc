"""`puente worker`: the background worker. Runs queued tasks (deliveries to partner
hotlines) from the database queue, and every PUENTE_WORKER_SWEEP_SECONDS re-queues any
delivery a dead worker left behind, so a message is never stranded.
The same sweep queues the periodic jobs listed in `settings.PUENTE_SCHEDULE` (the
retention purge) when they are due: puente/core/schedule.py.

Run one or more next to `puente serve` (systemd, a container, supervisord). Stopping it
with SIGTERM lets the task in hand finish.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from puente.core import schedule
from puente.federation import delivery, keys

logger = logging.getLogger("puente.federation")


class _Sweeper(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="puente-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                close_old_connections()
                delivery.sweep()
                # The periodic jobs (settings.PUENTE_SCHEDULE: the retention purge).
                schedule.enqueue_due()
            except Exception:  # the sweeper must outlive a database hiccup
                logger.exception("Sweep failed; trying again in %s s", self.interval)
            finally:
                close_old_connections()


class Command(BaseCommand):
    help = "Run the background worker (deliveries to partner hotlines)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Seconds to wait when the queue is empty (default 0.5).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit (for cron or tests).",
        )

    def handle(self, *args, **options):
        logging.getLogger("puente.federation").setLevel(logging.INFO)
        if keys.signing_key() is None:
            self.stderr.write(
                "No signing key (PUENTE_SIGNING_KEY_FILE): messages to partner hotlines wait "
                "in the outbox until one is configured."
            )
        # Whatever a previous worker left half-done is picked up first.
        delivery.sweep(overdue_after=timedelta(0))
        sweeper = _Sweeper(settings.PUENTE_WORKER_SWEEP_SECONDS)
        if not options["batch"]:
            sweeper.start()
        worker_id = get_random_string(12)
        self.stdout.write(f"Puente worker {worker_id} running (Ctrl+C to stop).")
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            sweeper.stopped.set()
