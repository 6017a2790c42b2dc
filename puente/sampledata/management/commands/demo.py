"""`puente demo`: a working, fictional hotline on this laptop in one command.

    puente demo [--country US|MX] [--host 127.0.0.1] [--port 8000] [--no-serve]

`puente.cli` has already chosen the environment (SQLite file in var/, a generated secret
key, PUENTE_DEMO=true, the country) before Django read its settings.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from puente.cases.models import Case
from puente.core.management import server
from puente.core.phones import format_phone
from puente.intake.models import Contact
from puente.sampledata import demo as demo_hotline


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
        self.stdout.write(f"Preparing the database in {database} …")
        call_command("migrate", interactive=False, verbosity=0)

        if demo_hotline.is_seeded():
            self.stdout.write(f"Reusing demo data in {database}.")
            result = demo_hotline.summary(country=country)
        else:
            self._refuse_real_data(database)
            self.stdout.write(f"Creating the demo hotline ({country}) …")
            result = demo_hotline.seed_demo_data(country=country)
        self._banner(
            result, host=options["host"], port=options["port"], serving=not options["no_serve"]
        )

        if not options["no_serve"]:
            # Whitenoise serves the apps' files through the finders in the demo; an empty
            # STATIC_ROOT only spares a warning per worker.
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
            server.run_server(bind=f"{options['host']}:{options['port']}", workers=2, threads=4)

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
        users = demo_hotline.demo_users()
        lines = [
            f"Puente demo — {settings.PUENTE_HOTLINE_NAME} ({result.country})",
            "",
            f"Open      {url}" if serving else f"URL       {url}  (not serving: --no-serve)",
            f"Password  {demo_hotline.DEMO_PASSWORD}   (the same for every demo login)",
            "",
            "Sign in as one of:",
        ]
        for role in demo_hotline.LOGIN_ROLES:
            user = next(
                (u for u in users.values() if u.role == role and u.username == role.value), None
            )
            name = f"{user.get_full_name()}" if user else ""
            lines.append(f"  {role.value:<14} {str(role.label):<24} {name}")
        lines += [
            "  (more advocates: advocate2, advocate3)",
            "",
            "Two-step verification (MFA) is not required in the demo; it is in production.",
            f"Try the phone lookup with a known caller: {format_phone(result.known_caller)}",
            f"Data: {result.contacts} contacts and {result.cases} cases, all fictional.",
        ]
        if serving:
            lines.append("Stop with Ctrl+C.")
        width = max(len(line) for line in lines) + 2
        self.stdout.write("┌" + "─" * width + "┐")
        for line in lines:
            self.stdout.write("│ " + line.ljust(width - 1) + "│")
        self.stdout.write("└" + "─" * width + "┘")
