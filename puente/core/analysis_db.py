"""Which database analysis reads: dashboards, the periodic reports and the lists behind
their figures.

A national hotline's year of aggregates is a long read; on the database the phones write
to, it competes with every advocate saving a contact. A deployment with a read replica
(`DATABASE_REPLICA_URL`, a PostgreSQL streaming replica) sends analysis there instead:
`settings.PUENTE_ANALYSIS_DATABASE` names the alias ("replica" when there is one,
"default" otherwise; the settings refuse an alias that does not exist). Writes never go
to it: a report's progress and every audit entry are written to the main database.
"""

from __future__ import annotations

from django.conf import settings


def analysis_database() -> str:
    """The database alias analysis reads from."""
    return getattr(settings, "PUENTE_ANALYSIS_DATABASE", "") or "default"
