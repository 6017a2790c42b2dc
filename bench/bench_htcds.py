"""Benchmark of the HTCDS exchange files (`puente.sharing.htcds`): an export of every case
a supervisor may open, streamed to a file by `puente htcds export` — the same code the
worker runs for the web page — timed, with the peak memory (RSS) of that process; then
the dry run of an import of a file of `--rows` rows (the first rows of that export), as
the worker checks an upload: read, every cell checked, the plan of cases made, nothing
created.

It writes to the database named by DATABASE_URL (a bench supervisor `bench-htcds`, the
export's record and audit entries, the import batch, checked but never imported), so point
it at a generated database, never a live one:

    DATABASE_URL=sqlite:///var/bench-500k.sqlite3 .venv/bin/python bench/bench_htcds.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente_bench_2m \\
        .venv/bin/python bench/bench_htcds.py [--formats csv,xlsx,json] [--rows 10000]

The export process is sampled with psutil every 0.1 s (RSS, its own pages and the shared
ones it touches: it overstates a little). Targets (issue 15): 100,000 cases exported in
≤ 60 s with ≤ 250 MB; the dry run of 10,000 rows in ≤ 30 s. The figures are printed and
written as JSON (`--json`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
USERNAME = "bench-htcds"


def _measure_export(fmt: str, out: Path, env: dict) -> dict:
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "puente", "htcds", "export", "--as", USERNAME,
         "--format", fmt, "--out", str(out)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"export failed:\n{stdout}\n{stderr}")
    lines = stdout.strip().splitlines()
    return {
        "format": fmt,
        "seconds": round(elapsed, 2),
        "peak_rss_mb": round(peak / 2**20, 1),
        "file_mb": round(out.stat().st_size / 2**20, 1),
        "first_line": lines[0],
        "last_line": lines[-1],
    }


def _first_rows(export_csv: Path, rows: int, target: Path) -> int:
    with (
        export_csv.open(encoding="utf-8", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(source), csv.writer(out)
        written = -2
        for row in reader:
            writer.writerow(row)
            written += 1
            if written >= rows:
                break
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", default="csv,xlsx", help="export formats, comma-separated")
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the dry-run file")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    options = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a generated database (it is written to).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    os.environ.setdefault("PUENTE_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from puente.accounts.models import User
    from puente.accounts.roles import Role
    from puente.cases.models import Case
    from puente.sharing.htcds import domain

    call_command("migrate", verbosity=0)
    user, _created = User.objects.get_or_create(
        username=USERNAME, defaults={"role": Role.SUPERVISOR, "first_name": "Bench"}
    )
    results: dict = {
        "database": connection.vendor,
        "cases": Case.objects.count(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "exports": [],
    }
    print(f"{connection.vendor}, {results['cases']:,} cases in the database")
    work = Path(tempfile.mkdtemp(prefix="bench-htcds-"))
    env = {**os.environ, "PUENTE_DATA_DIR": str(work / "data")}
    formats = [f.strip() for f in options.formats.split(",") if f.strip()]
    if "csv" not in formats:
        formats.insert(0, "csv")  # the dry run's file is cut from it
    print(f"{'export':<8} {'cases':>8} {'seconds':>8} {'peak MB':>8} {'file MB':>8}")
    for fmt in formats:
        figures = _measure_export(fmt, work / f"export.{fmt}", env)
        results["exports"].append(figures)
        print(
            f"{fmt:<8} {results['cases']:>8,} {figures['seconds']:>8.1f} "
            f"{figures['peak_rss_mb']:>8.1f} {figures['file_mb']:>8.1f}"
        )

    sample = work / f"import-{options.rows}.csv"
    rows = _first_rows(work / "export.csv", options.rows, sample)
    started = time.perf_counter()
    batch = domain.import_file_for_cli(by=user, path=sample)
    batch = domain.check_import(import_id=batch.pk)
    seconds = time.perf_counter() - started
    results["dry_run"] = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "status": batch.status,
        "cases": batch.summary.get("cases"),
        "problems": batch.summary.get("errors", 0) + batch.summary.get("warnings", 0),
    }
    print(
        f"dry run of {rows:,} rows ({batch.summary.get('cases', 0):,} cases): {seconds:.1f} s, "
        f"{results['dry_run']['problems']} problems, status {batch.status}"
    )
    domain.cancel_import(batch=batch, by=user)
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    for path in sorted(work.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    work.rmdir()


if __name__ == "__main__":
    main()
