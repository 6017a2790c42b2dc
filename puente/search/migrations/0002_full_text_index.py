"""The full-text index behind SearchEntry, one per database:

- PostgreSQL: a GIN index on to_tsvector('simple', text). 'simple' because the text is
  already folded in Python and holds two languages; no stemming dictionary fits both.
- SQLite: an FTS5 table over the same rows (external content), kept in step by triggers.
"""

from django.db import migrations

from puente.search.fts import (
    POSTGRES_BACKWARD,
    POSTGRES_FORWARD,
    SQLITE_BACKWARD,
    SQLITE_FORWARD,
    run_by_vendor,
)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run_by_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
