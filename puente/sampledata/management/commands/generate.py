"""`puente generate`: national-scale synthetic data, for benchmarks only.

puente generate [--contacts 2000000] [--years 15] [--seed 7] [--country US|MX]
                [--append | --reset] [--truth planted.json]

--truth writes the ground truth of the planted networks (persons who recur across
unrelated cases, written differently each time) as JSON: {person id: planted person},
to score the matching of persons across cases against (bench/bench_linkage.py).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from puente.intake.models import Contact
from puente.sampledata.synthetic import generate, reset_generated_data


class Command(BaseCommand):
    help = (
        "Fill the database with national-scale synthetic data (for benchmarks; never production)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=2_000_000)
        parser.add_argument("--years", type=int, default=15)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--country", choices=["US", "MX"], default=None)
        parser.add_argument("--batch-size", type=int, default=50_000)
        parser.add_argument("--append", action="store_true", help="add to existing data")
        parser.add_argument(
            "--reset", action="store_true", help="delete all contacts and cases first"
        )
        parser.add_argument(
            "--truth", type=Path, default=None, help="write the planted networks' ground truth"
        )

    def handle(
        self, *args, contacts, years, seed, country, batch_size, append, reset, truth, **options
    ):
        country = country or settings.PUENTE_COUNTRY
        if contacts < 1 or years < 1 or batch_size < 1:
            raise CommandError("--contacts, --years and --batch-size must be positive.")
        if reset:
            reset_generated_data(country=country)
        elif Contact.objects.exists() and not append:
            # Mixing synthetic rows into real ones would be unrecoverable.
            raise CommandError(
                "This database already holds contacts: use --append or --reset (never on real data)."
            )

        def progress(done: int, total: int, seconds: float, rows: int) -> None:
            rate = done / seconds if seconds else 0
            eta = (total - done) / rate if rate else 0
            self.stdout.write(
                f"  {done:>10,} / {total:,} contacts  {rate:,.0f} contacts/s  "
                f"{rows / seconds if seconds else 0:,.0f} rows/s  ETA {eta:,.0f} s"
            )

        summary = generate(
            contacts=contacts,
            years=years,
            seed=seed,
            country=country,
            batch_size=batch_size,
            progress=progress,
        )
        total = sum(summary.counts.values())
        rows = ", ".join(
            f"{table.split('_', 1)[1]} {count:,}" for table, count in summary.counts.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total:,} rows in {summary.seconds:,.1f} s "
                f"({total / summary.seconds:,.0f} rows/s): {rows}"
            )
        )
        self.stdout.write(
            "  steps: " + ", ".join(f"{name} {s:,.1f} s" for name, s in summary.steps.items())
        )
        if truth:
            truth.write_text(json.dumps({str(k): v for k, v in summary.planted.items()}))
            self.stdout.write(
                f"  planted: {len(set(summary.planted.values())):,} persons in "
                f"{len(summary.planted):,} records, ground truth in {truth}"
            )
