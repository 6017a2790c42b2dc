"""`puente audit verify`: prove that no entry of the audit trail was edited, removed
or reordered, by recomputing the whole keyed hash chain (and, with `--anchors`, that the
trail still holds every head written down earlier). `puente audit anchor`: write the
chain's head down, to keep off the machine."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from puente.audit.domain import (
    Anchor,
    VerifyResult,
    anchor,
    anchor_line,
    parse_anchor_line,
    verify_anchors,
    verify_chain,
)


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor line in a file, or in every file of a folder (blank lines skipped)."""
    if not path.exists():
        raise CommandError(f"No anchors at {path}.")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    anchors = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                anchors.append(parse_anchor_line(line))
            except ValueError as exc:
                raise CommandError(f"{file}:{number} is not an anchor line: {exc}") from exc
    return anchors


class Command(BaseCommand):
    help = (
        "Audit trail operations. `verify` recomputes the hash chain (and checks anchors); "
        "exit status 1 if it is broken. `anchor` writes the chain's head down."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="Check every entry's hash and link; exit 1 at the first break."
        )
        verify.add_argument(
            "--anchors",
            type=Path,
            help="A file, or a folder of files, of lines written by `puente audit anchor`: "
            "each anchored entry must still be there with the same hash.",
        )
        anchor_parser = sub.add_parser(
            "anchor",
            help="Write the chain's head (entry id, hash, time) as one JSON line, to keep "
            "off this machine.",
        )
        anchor_parser.add_argument(
            "--out", type=Path, help="Append the line to this file (default: standard output)."
        )

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            self._verify(options.get("anchors"))
        elif options["subcommand"] == "anchor":
            self._anchor(options.get("out"))

    def _verify(self, anchors_path: Path | None) -> None:
        # Read the anchors first: a bad path is the operator's mistake, not a broken trail.
        anchors = read_anchors(anchors_path) if anchors_path else None
        result = verify_chain()
        if not result.ok:
            self._broken(result)
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {result.checked} entries verified.")
        )
        if result.legacy:
            self.stdout.write(
                f"{result.legacy} of them were written before the trail was keyed (plain "
                "SHA-256); the first keyed entry after them covers them."
            )
        if anchors is not None:
            anchored = verify_anchors(anchors=anchors)
            if not anchored.ok:
                self._broken(anchored)
            self.stdout.write(
                self.style.SUCCESS(f"Anchors matched: {anchored.checked} of {len(anchors)}.")
            )

    def _broken(self, result: VerifyResult) -> None:
        where = f" at entry #{result.first_broken_id}" if result.first_broken_id else ""
        self.stderr.write(f"Audit trail BROKEN{where}: {result.problem}")
        # A distinct exit status so monitoring can alert on it.
        raise SystemExit(1)

    def _anchor(self, out: Path | None) -> None:
        head = anchor()
        if head is None:
            raise CommandError("The audit trail is empty: there is nothing to anchor yet.")
        line = anchor_line(head) + "\n"
        if out is None:
            self.stdout.write(line, ending="")
            return
        with out.open("a", encoding="utf-8") as file:
            file.write(line)
        self.stderr.write(f"Anchored entry #{head.id} in {out}.")
