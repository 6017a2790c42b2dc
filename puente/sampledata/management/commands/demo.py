"""`puente demo`: a working, fictional hotline on this laptop in one command.

    puente demo [--country US|MX] [--host 127.0.0.1] [--port 8000] [--no-serve]

`puente.cli` has already chosen the environment (SQLite file in var/, a generated secret
key, PUENTE_DEMO=true, the country) before Django read its settings.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker

from puente.cases.models import Case
from puente.core import schedule
from puente.core.management import server
from puente.core.phones import format_phone
from puente.intake.models import Contact
from puente.sampledata import demo as demo_hotline

# A fictional caller for `puente simulate` (the 555-01xx range is reserved for fiction;
# Mexico City's 55 5555 01xx likewise invented).
DEMO_CALLER = {"US": "+17135550142", "MX": "+525555550142"}


def _run_schedule(stop: threading.Event) -> None:
    while not stop.wait(15):
        try:
            close_old_connections()
            schedule.enqueue_due()
        except Exception:  # the demo's schedule must outlive a busy database
            logging.getLogger("puente").exception("Demo schedule failed")
        finally:
            close_old_connections()


def start_demo_worker() -> None:
    """`puente worker`'s job inside the demo's server process: queued tasks (replies to
    texts) and the periodic jobs. Daemon threads: they end with the server."""
    worker = Worker(
        queue_names=["*"],
        interval=0.5,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="demo",
        excluded_queue_names=[],
    )
    threading.Thread(target=worker.run, name="puente-demo-worker", daemon=True).start()
    threading.Thread(
        target=_run_schedule, args=(threading.Event(),), name="puente-demo-schedule", daemon=True
    ).start()


class Command(BaseCommand):
    help = "Set up (once) and run a demo hotline with fictional data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--country",
            choices=["US", "MX", "us", "mx"],
            default=None,
            help="US: National Human Trafficking Hotline; MX: Línea Nacional contra la Trata.",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare and print the logins, then exit."
        )

    def handle(self, *args, **options):
        country = settings.PUENTE_COUNTRY
        if options["country"] and options["country"].upper() != country:
            # The country shapes settings (language, time zone, hotline name), which are
            # read before this command runs.
            raise CommandError(
                f"This process is set up for {country}. Start it as `puente demo --country "
                f"{options['country'].upper()}` (or set PUENTE_COUNTRY)."
            )
        if not settings.PUENTE_DEMO:
            raise CommandError(
                "PUENTE_DEMO is not true, so this may be a real hotline's database: refusing to "
                "add fictional data. Run `puente demo` without PUENTE_DEMO=false in the environment."
            )
        database = settings.DATABASES["default"]["NAME"]
        self.stdout.write(_("Preparing the database in %(database)s …") % {"database": database})
        call_command("migrate", interactive=False, verbosity=0)
        # The sandbox practice calls are recorded in (puente/core/sandbox.py).
        call_command("migrate", database="practice", interactive=False, verbosity=0)

        if demo_hotline.is_seeded():
            self.stdout.write(_("Reusing demo data in %(database)s.") % {"database": database})
            result = demo_hotline.summary(country=country)
        else:
            self._refuse_real_data(database)
            self.stdout.write(_("Creating the demo hotline (%(country)s) …") % {"country": country})
            result = demo_hotline.seed_demo_data(country=country)
        self._banner(
            result, host=options["host"], port=options["port"], serving=not options["no_serve"]
        )

        if not options["no_serve"]:
            # Whitenoise serves the apps' files through the finders in the demo; an empty
            # STATIC_ROOT only spares a warning per worker.
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
            # One server process: the live pages' events travel in memory with SQLite, so
            # the process that publishes one must be the one holding the advocates'
            # streams. The task worker (replies, the schedule) runs inside it for the same
            # reason: a reply's "delivered" reaches the thread page at once.
            server.run_server(
                bind=f"{options['host']}:{options['port']}",
                workers=1,
                background=start_demo_worker,
            )

    def _refuse_real_data(self, database) -> None:
        if Case.objects.exists() or Contact.objects.exists():
            raise CommandError(
                f"{database} already holds contacts or cases that are not demo data: refusing to "
                "mix fictional records into them. Point DATABASE_URL at an empty database."
            )

    def _banner(
        self, result: demo_hotline.DemoSummary, *, host: str, port: int, serving: bool
    ) -> None:
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
        url = f"http://{shown_host}:{port}/"
        # Staff sign in under the staff path; the site root is the public site.
        staff_url = url + settings.PUENTE_STAFF_PATH
        users = demo_hotline.demo_users()
        # In the hotline's own language: the Mexican demo's box reads in Spanish.
        with translation.override(settings.LANGUAGE_CODE):
            lines = [
                _("Puente demo — %(hotline)s (%(country)s)")
                % {"hotline": settings.PUENTE_HOTLINE_NAME, "country": result.country},
                "",
                (
                    _("Open      %(url)s")
                    if serving
                    else _("URL       %(url)s  (not serving: --no-serve)")
                )
                % {"url": staff_url},
                _("Public    %(url)s  (the public site: tip form, chat, quick exit)")
                % {"url": url},
                _("Password  %(password)s   (the same for every demo login)")
                % {"password": demo_hotline.DEMO_PASSWORD},
                "",
                _("Sign in as one of:"),
            ]
            for role in demo_hotline.LOGIN_ROLES:
                user = next(
                    (u for u in users.values() if u.role == role and u.username == role.value),
                    None,
                )
                name = f"{user.get_full_name()}" if user else ""
                lines.append(f"  {role.value:<14} {str(role.label):<24} {name}")
            lines += [
                _("  (more advocates: advocate2, advocate3)"),
                "",
                _("Two-step verification (MFA) is not required in the demo; it is in production."),
                _("Try the phone lookup with a known caller: %(number)s")
                % {"number": format_phone(result.known_caller)},
                _(
                    "Try a call without a phone: puente simulate call %(number)s  "
                    '(or: sms / whatsapp NUMBER "text")'
                )
                % {"number": DEMO_CALLER[result.country]},
                _("Data: %(contacts)s contacts and %(cases)s cases, all fictional.")
                % {"contacts": result.contacts, "cases": result.cases},
            ]
            if serving:
                lines.append(_("Stop with Ctrl+C."))
        width = max(len(line) for line in lines) + 2
        self.stdout.write("┌" + "─" * width + "┐")
        for line in lines:
            self.stdout.write("│ " + line.ljust(width - 1) + "│")
        self.stdout.write("└" + "─" * width + "┘")
