"""PostgreSQL: store each entry's tsvector (a generated column) and index that, so a
search for a common word can check the newest entries directly instead of collecting
every match from the index. SQLite is unchanged (FTS5 already walks newest first)."""

from django.db import migrations

from puente.search.fts import POSTGRES_STORED_BACKWARD, POSTGRES_STORED_FORWARD, run_by_vendor


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"postgresql": POSTGRES_STORED_FORWARD}),
            run_by_vendor({"postgresql": POSTGRES_STORED_BACKWARD}),
        )
    ]
