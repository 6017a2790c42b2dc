"""PostgreSQL: store each entry's tsvector (a generated column) and index that, so a
search for a common word can check the newest entries directly instead of collecting
every match from the index. SQLite is unchanged (FTS5 already walks newest first)."""

from django.db import migrations

from puente.search.fts import POSTGRES_STORED_BACKWARD, POSTGRES_STORED_FORWARD


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [
        migrations.RunPython(_run(POSTGRES_STORED_FORWARD), _run(POSTGRES_STORED_BACKWARD))
    ]
