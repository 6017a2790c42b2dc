from django.core.management.base import BaseCommand, CommandError

from puente.core.synthetic import TABLE_ORDER, generate
from puente.intake.models import Contact


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
        parser.add_argument("--reset", action="store_true", help="delete contacts and cases first")

    def handle(self, *args, contacts, years, seed, country, batch_size, append, reset, **options):
        from django.conf import settings
        from django.db import connection

        country = country or settings.PUENTE_COUNTRY
        if reset:
            with connection.cursor() as cursor:
                for table in reversed(TABLE_ORDER):
                    cursor.execute(f"DELETE FROM {table}")
        elif Contact.objects.exists() and not append:
            raise CommandError(
                "This database already holds contacts: use --append or --reset (never on real data)."
            )

        def progress(done, total, seconds):
            rate = done / seconds if seconds else 0
            eta = (total - done) / rate if rate else 0
            self.stdout.write(
                f"  {done:>10,} / {total:,} contacts  {rate:,.0f}/s  ETA {eta:,.0f} s"
            )

        summary = generate(
            contacts=contacts,
            years=years,
            seed=seed,
            country=country,
            batch_size=batch_size,
            progress=progress,
        )
        rows = ", ".join(
            f"{table.split('_', 1)[1]} {count:,}" for table, count in summary.counts.items()
        )
        self.stdout.write(self.style.SUCCESS(f"Generated in {summary.seconds:,.1f} s: {rows}"))
