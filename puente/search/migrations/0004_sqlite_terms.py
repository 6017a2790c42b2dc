"""SQLite: the table of every word in the full-text index, filled from the index, so a
search word can be matched as the whole words it begins (see puente/search/fts.py).
PostgreSQL is unchanged."""

from django.db import migrations

from puente.search.fts import (
    SQLITE_TERMS_CREATE,
    SQLITE_TERMS_DROP,
    SQLITE_TERMS_REFILL,
    run_by_vendor,
)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_stored_tsvector")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"sqlite": [SQLITE_TERMS_CREATE, *SQLITE_TERMS_REFILL]}),
            run_by_vendor({"sqlite": [SQLITE_TERMS_DROP]}),
        )
    ]
