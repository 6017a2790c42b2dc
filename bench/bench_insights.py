"""Benchmark of the dashboards' numbers (`puente.insights.dashboards`): how long each
dashboard takes to read its figures and lay out its charts, cold (the figures cache
emptied first, so every GROUP BY runs) and warm (read again within the cache's minutes),
for the last twelve months and for all years.

It reads the database named by DATABASE_URL and writes nothing (no audit entry: it calls
the same functions the views call, below the HTTP stack, so the figures are the
database's and the layout's time only; `bench/run.py` measures pages through the real
server). Point it at a generated database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente_bench_2m \\
        .venv/bin/python bench/bench_insights.py [--runs 7]
    DATABASE_URL=sqlite:///var/bench-2m.sqlite3 .venv/bin/python bench/bench_insights.py

"The last twelve months" end on the day of the newest contact, so an old generated
database is measured as if it were today. Prints p50 / p95 in milliseconds per dashboard,
period and cache state; targets (issue 14): p95 ≤ 2 s cold and ≤ 200 ms warm on
PostgreSQL, ≤ 5 s cold on SQLite.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from puente.insights import dashboards
    from puente.insights.queries import InsightFilter
    from puente.intake.models import Contact

    newest = Contact.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if newest is None:
        sys.exit("No contacts in this database: generate some first (puente generate).")
    today = timezone.localtime(newest).date()
    periods = {
        "12 months": InsightFilter(start=today - timedelta(days=364), end=today),
        "all years": InsightFilter(),
    }
    print(
        f"{connection.vendor}, {Contact.objects.count():,} contacts, today = {today}, "
        f"{options.runs} runs each"
    )
    print(f"{'dashboard':<10} {'period':<10} {'cold p50':>9} {'cold p95':>9} {'warm p95':>9}")
    for board in dashboards.DASHBOARDS:
        for label, f in periods.items():
            cold, warm = [], []
            for _run in range(options.runs):
                cache.clear()
                for timings in (cold, warm):
                    started = time.perf_counter()
                    figures = dashboards.read_figures(dashboard=board.slug, f=f, today=today)
                    dashboards.build_charts(figures, f, today=today)
                    timings.append((time.perf_counter() - started) * 1000)
            print(
                f"{board.slug:<10} {label:<10} {statistics.median(cold):>9.0f} "
                f"{_p95(cold):>9.0f} {_p95(warm):>9.0f}"
            )
    cache.clear()


if __name__ == "__main__":
    main()
