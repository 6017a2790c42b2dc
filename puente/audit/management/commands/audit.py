"""`puente audit verify`: prove that no entry of the audit trail was edited, removed
or reordered, by recomputing the whole hash chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from puente.audit.domain import verify_chain


class Command(BaseCommand):
    help = (
        "Audit trail operations. `verify` recomputes the hash chain; exit status 1 if it is broken."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "verify", help="Check every entry's hash and link; exit 1 at the first break."
        )

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            self._verify()

    def _verify(self) -> None:
        result = verify_chain()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit trail intact: {result.checked} entries verified.")
            )
            return
        where = f" at entry #{result.first_broken_id}" if result.first_broken_id else ""
        self.stderr.write(f"Audit trail BROKEN{where}: {result.problem}")
        # A distinct exit status so monitoring can alert on it.
        raise SystemExit(1)
