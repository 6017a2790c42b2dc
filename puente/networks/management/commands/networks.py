"""`puente networks`: network analysis from the command line.

    puente networks link [--as USER] [--threshold 0.9]

`link` matches persons across cases now (the same work as "Run matching now" and the
nightly run), printing what it found. `--as` names the staff account the run is
recorded for (it must hold link.review); without it the run is the system's.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from puente.accounts.models import User
from puente.core.permissions import Perm
from puente.networks import linkage
from puente.networks.models.linkage import LinkageRunStatus


class Command(BaseCommand):
    help = "Network analysis: `link` matches persons across cases and proposes pairs for review."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser("link", help="Match persons across cases now.")
        link.add_argument("--as", dest="username", default="")
        link.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Match probability (0–1) from which a pair is proposed.",
        )

    def handle(self, *args, action, **options):
        if action == "link":
            self._link(username=options["username"], threshold=options["threshold"])

    def _link(self, *, username: str, threshold: float | None) -> None:
        by = None
        if username:
            by = User.objects.filter(username=username, is_active=True).first()
            if by is None:
                raise CommandError(f"No active staff account {username!r}.")
            if not by.can(Perm.LINK_REVIEW):
                raise CommandError(f"{username} may not do this (needs {Perm.LINK_REVIEW}).")
        if threshold is not None and not 0 < threshold <= 1:
            raise CommandError("--threshold is a probability between 0 and 1.")
        if linkage.run_in_progress() is not None:
            raise CommandError("Matching is already running.")
        run = linkage.run_linkage(by=by, threshold=threshold)
        if run.status != LinkageRunStatus.DONE:
            raise CommandError(f"Matching failed: {run.error}")
        self.stdout.write(
            f"{run.persons_compared:,} persons compared, {run.pairs_proposed:,} pairs proposed "
            f"(match probability ≥ {run.threshold}) in {run.duration_seconds:.1f} s."
        )
