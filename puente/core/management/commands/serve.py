"""`puente serve`: the production web server (uvicorn workers under gunicorn, ASGI; static
files by whitenoise).

    puente serve [--bind 127.0.0.1:8000] [--workers N]

Refuses to start on an insecure configuration, naming every reason at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.utils import OperationalError

from puente.core.checks import configuration_warnings, insecure_configuration_reasons
from puente.core.management import server


class Command(BaseCommand):
    help = "Serve Puente in production (refuses an insecure configuration)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="host:port to listen on (default 127.0.0.1:8000, behind a reverse proxy).",
        )
        parser.add_argument("--workers", type=int, default=server.default_workers())

    def handle(self, *args, **options):
        reasons = insecure_configuration_reasons(settings)
        if reasons:
            message = "Puente will not serve with this configuration:\n" + "\n".join(
                f"  - {reason}" for reason in reasons
            )
            raise CommandError(message + "\nSee .env.example for every setting.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if options["workers"] > 1 and settings.PUENTE_EVENTS_BACKEND == "memory":
            # Live events travel in memory within one process: with several, an advocate
            # connected to one would miss the calls that rang in another.
            self.stderr.write(
                self.style.WARNING(
                    "Warning: PUENTE_EVENTS_BACKEND=memory reaches only one server process; "
                    "serving with 1 worker. The database or postgres backend reaches them all."
                )
            )
            options["workers"] = 1
        for warning in configuration_warnings(settings):
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        for database, command in (
            ("default", "puente migrate"),
            ("practice", "puente migrate --database practice"),
        ):
            try:
                call_command("migrate", database=database, check_unapplied=True, verbosity=0)
            except (SystemExit, OperationalError):
                # Unapplied migrations, or (the sandbox) a database not created yet.
                self.stderr.write(
                    self.style.WARNING(
                        f"Warning: the {database} database is missing or has unapplied "
                        f"migrations. Create it, then run `{command}`."
                    )
                )
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving {settings.PUENTE_HOTLINE_NAME} on {options['bind']} "
            f"({options['workers']} workers, live events: {settings.PUENTE_EVENTS_BACKEND})."
        )
        server.run_server(bind=options["bind"], workers=options["workers"])
