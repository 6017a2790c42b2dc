"""The benchmark command runs end to end on a tiny generated database, on the database
this suite runs on, so it never rots. No assertion here is about time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = {
    "phone lookup (history)",
    "phone lookup (none)",
    "phone lookup: raw SQL",
    "search: reference",
    "search: phone",
    "search: name",
    "search: word (en)",
    "search: word (es)",
    "search: two words (en)",
    "search: two words (es)",
    "save an intake",
    "case page (20 contacts, 10 persons)",
    "home queue",
}

pytestmark = pytest.mark.bench


def test_benchmark_command_reports_every_figure(tmp_path):
    url = os.environ.get("DATABASE_URL", "sqlite:///")
    kind = "postgres" if url.startswith("postgres") else "sqlite"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if kind == "postgres":
        env["PUENTE_BENCH_POSTGRES_URL"] = url.rsplit("/", 1)[0]
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--tiny", "--databases", kind, "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    (result,) = report["results"]
    assert set(result["operations"]) == OPERATIONS
    for name, operation in result["operations"].items():
        assert operation["errors"] == 0, name
        assert operation["samples"] > 0
        assert all(isinstance(v, float | int) and v >= 0 for v in operation["server_ms"].values())
    assert result["load"]["requests"] > 0 and result["load"]["failures"] == 0
    assert result["worker_peak_mb"] > 0
    assert result["data"]["contacts"] >= 3000
    assert "Targets missed" in run.stdout and "| phone lookup (history) |" in run.stdout
