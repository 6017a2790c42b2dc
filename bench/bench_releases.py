"""Benchmark of a release's protection (`puente.sharing.protection.protect_table`): how
long folding, small-cell suppression and complementary suppression take over a table of
50,000 cells (issue 15: ≤ 10 s).

The table is synthetic and made here, seeded, so every run measures the same work: 250
rows (think state × form of exploitation) by 200 columns (think months), counts drawn
from a skewed distribution in which most cells are small or empty (as a national
hotline's cells are once cut this finely: the hard case, since every small cell needs
its rectangle of partners), and a few rows and columns rare enough to be folded. No
database and no HTTP: the figure is the protection's own time, which is what grows with
the table (counting the cells is a GROUP BY the insights bench already measures).

    .venv/bin/python bench/bench_releases.py [--runs 7] [--cells 50000] [--k 11] [--dp 1.0]

Prints the table's shape, how many cells were hidden (small / complementary) and p50 /
p95 in seconds over the timed runs (nearest-rank), after one warm-up run. With `--dp`,
the same table is first noised with OpenDP at that ε (the noise is part of the time).

With `--database`, it also times each table of the release catalogue on the database
named by DATABASE_URL (read only, nothing stored, no audit entry): counting the cells
from the cases, persons or contacts of the twelve months up to the newest case, then
protecting them, as `prepare_release` does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente_bench_2m \\
        .venv/bin/python bench/bench_releases.py --database --runs 3
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def synthetic_table(cells: int, *, seed: int = 7) -> tuple[dict, list[list[str]]]:
    """(counts, domains): about `cells` cells, rows × 200 columns."""
    rng = random.Random(seed)
    columns = 200
    rows = max(2, cells // columns)
    row_values = [f"r{r:04d}" for r in range(rows)]
    col_values = [f"c{c:03d}" for c in range(columns)]
    counts = {}
    for r, row in enumerate(row_values):
        # Row sizes differ (a big state, a small one); a few rows are nearly empty.
        scale = 0.3 if r % 50 == 0 else rng.choice([2, 4, 8, 20, 60])
        for col in col_values:
            n = int(rng.expovariate(1 / scale)) if rng.random() < 0.8 else 0
            if n:
                counts[(row, col)] = n
    return counts, [row_values, col_values]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs")
    parser.add_argument("--cells", type=int, default=50_000, help="cells in the table")
    parser.add_argument("--k", type=int, default=11, help="smallest count published")
    parser.add_argument("--dp", type=float, default=None, help="ε: add OpenDP noise first")
    parser.add_argument(
        "--database", action="store_true", help="also time the catalogue on DATABASE_URL"
    )
    options = parser.parse_args()
    if options.database:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
        import django

        django.setup()

    from puente.sharing.protection import protect_table

    counts, domains = synthetic_table(options.cells)
    shape = f"{len(domains[0])} × {len(domains[1])} = {len(domains[0]) * len(domains[1]):,} cells"
    print(f"table {shape}, {sum(counts.values()):,} records, k = {options.k}", end="")
    print(f", ε = {options.dp}" if options.dp else ", suppression only")

    def once():
        return protect_table(
            counts,
            dimensions=("row", "column"),
            k=options.k,
            epsilon=options.dp,
            domains=domains if options.dp else None,
        )

    table = once()  # warm-up (imports, OpenDP's library load)
    reasons = Counter(cell.reason or "published" for cell in table.cells)
    print(
        f"published {reasons['published']:,}, hidden small {reasons['small']:,}, "
        f"hidden complementary {reasons['complementary']:,}, "
        f"folded rows {len(table.folded.get('row', [])):,}, "
        f"folded columns {len(table.folded.get('column', [])):,}"
    )
    timings = []
    for _run in range(options.runs):
        started = time.perf_counter()
        once()
        timings.append(time.perf_counter() - started)
    print(
        f"protect_table: p50 {statistics.median(timings):.2f} s, p95 {_p95(timings):.2f} s "
        f"over {options.runs} runs (target ≤ 10 s)"
    )
    if options.database:
        catalogue(options)


def catalogue(options) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from puente.cases.models import Case
    from puente.sharing.protection import protect_table
    from puente.sharing.releases import TABLES

    newest = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    if newest is None:
        sys.exit("No cases in this database: generate some first (puente generate).")
    end = timezone.localtime(newest).date()
    start = end - timedelta(days=364)
    print(f"{connection.vendor}, {Case.objects.count():,} cases, {start} – {end}")
    print(f"{'table':<28} {'cells':>8} {'hidden':>8} {'count p50':>10} {'protect p50':>12}")
    for code, table in TABLES.items():
        counting, protecting = [], []
        for _run in range(options.runs):
            started = time.perf_counter()
            counts = table.count(start, end)
            counted = time.perf_counter()
            protected = protect_table(counts, dimensions=table.dimensions, k=options.k)
            protecting.append(time.perf_counter() - counted)
            counting.append(counted - started)
        print(
            f"{code:<28} {len(protected.cells):>8,} {protected.suppressed_count:>8,} "
            f"{statistics.median(counting):>9.2f}s {statistics.median(protecting):>11.2f}s"
        )


if __name__ == "__main__":
    main()
