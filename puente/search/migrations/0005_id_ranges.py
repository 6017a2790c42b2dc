"""PostgreSQL: a BRIN index of the entries' ids, for searching a wide slice of ids through
the full-text index (see puente/search/fts.py). SQLite is unchanged."""

from django.db import migrations

from puente.search.fts import (
    POSTGRES_ID_RANGES_BACKWARD,
    POSTGRES_ID_RANGES_FORWARD,
    run_by_vendor,
)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_sqlite_terms")]

    operations = [
        migrations.RunPython(
            run_by_vendor({"postgresql": POSTGRES_ID_RANGES_FORWARD}),
            run_by_vendor({"postgresql": POSTGRES_ID_RANGES_BACKWARD}),
        )
    ]
