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
)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
