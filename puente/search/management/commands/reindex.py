from django.core.management.base import BaseCommand

from puente.search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index of every case and contact (after an import or restore)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size, **options):
        count = rebuild_index(
            batch_size=batch_size,
            progress=lambda n: (
                self.stdout.write(f"  {n} entries…") if n % 50000 < batch_size else None
            ),
        )
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count} entries."))
