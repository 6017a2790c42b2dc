"""`puente createadmin`: the first administrator of a new deployment (and later ones).

puente createadmin                                   (asks for everything)
puente createadmin --username ana --email ana@example.org --password-file /run/secrets/pw
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from puente.accounts.domain import create_administrator


class Command(BaseCommand):
    help = "Create an administrator account (manages staff and keys; does not read case files)."

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email", default=None)
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--password-file", help="Read the password from this file (first line)."
        )
        source.add_argument(
            "--password",
            help="The password. Prefer --password-file: this one lands in shell history.",
        )
        parser.add_argument(
            "--no-input", action="store_true", help="Never prompt; fail if something is missing."
        )

    def handle(self, *args, **options):
        interactive = not options["no_input"]
        username = options["username"] or (interactive and input("Username: ").strip()) or ""
        email = options["email"]
        if email is None:
            email = input("Email (optional): ").strip() if interactive else ""
        password = self._password(options, interactive)
        if not username:
            raise CommandError("A username is required (--username).")
        try:
            user = create_administrator(username=username, email=email, password=password)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator “{user.username}” created."))
        self.stdout.write(
            "Next step: sign in at /accounts/login/ — you will be asked to set up two-step "
            "verification with an authenticator app before anything else."
        )

    def _password(self, options, interactive: bool) -> str:
        if options["password_file"]:
            try:
                lines = Path(options["password_file"]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"Cannot read {options['password_file']}: {exc}") from exc
            return lines[0] if lines else ""
        if options["password"] is not None:
            return options["password"]
        if not interactive:
            raise CommandError("A password is required (--password-file or --password).")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords did not match.")
        return first
