"""The benchmark command runs end to end on a tiny generated database, on the database this
suite runs on (so CI covers SQLite and PostgreSQL), and never rots. Nothing here is about
time: a shared CI machine's timings mean nothing; errors and missing figures do.

Deselect with `-m "not bench"` (it starts a real server and a load test: about a minute).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.conftest import bench_module

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = {
    "phone lookup (history)",
    "phone lookup (none)",
    "phone lookup API (history)",
    "phone lookup: raw SQL",
    "floor: anonymous page",
    "floor: signed-in, audited request",
    "search: reference",
    "search: phone",
    "search: name",
    "search: word (en)",
    "search: word (es)",
    "search: two words (en)",
    "search: two words (es)",
    "search: word common only in old entries",
    "save an intake",
    "case page (20 contacts, 10 persons)",
    "home queue",
    "team view",
    "dashboard: contacts, 12 months, cold",
    "messaging webhook (signed)",
    "tip form post",
    "public page: home",
    "public page: what trafficking looks like",
    "public page: what happens when you reach out",
    "public page: tip form",
    "public page: chat",
    "call → screen-pop event (SSE)",
}

pytestmark = pytest.mark.bench


def suite_database() -> tuple[str, dict]:
    """The bench's --databases choice and environment for the database this suite is on."""
    url = os.environ.get("DATABASE_URL", "sqlite:///")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if url.startswith("postgres"):
        # The same server the suite uses; the bench makes its own puente_bench_tiny there.
        env["PUENTE_BENCH_POSTGRES_URL"] = url.rsplit("/", 1)[0] + "/"
        return "postgres", env
    return "sqlite", env


def is_figure(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def test_benchmark_command_reports_every_figure_without_errors(tmp_path):
    kind, env = suite_database()
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
    assert {"cpu", "cores", "memory_gb", "os", "python"} <= set(report["machine"])
    (result,) = report["results"]
    assert result["database"] == kind
    assert result["server_version"]
    assert result["data"]["contacts"] >= 3000 and result["data"]["cases"] > 0
    assert set(result["operations"]) == OPERATIONS
    for name, operation in result["operations"].items():
        assert operation["errors"] == 0, name
        # The cold dashboard takes a tenth of the samples, at least ten.
        assert operation["samples"] == (10 if "dashboard" in name else 40), name
        assert is_figure(operation["throughput_rps"]), name
        for kind_of_time in ("server_ms", "client_ms"):
            figures = operation[kind_of_time]
            assert set(figures) == {"p50", "p95", "p99"}, name
            assert all(is_figure(v) for v in figures.values()), name
    assert "contact_phone_idx" in result["raw_sql"]["plan"]
    assert is_figure(result["lookup_ratio_to_raw_sql"])
    # The server's own floor, measured in the same run (issue 18).
    for floor in ("anonymous", "signed_in"):
        assert all(is_figure(v) for v in result["lookup_ratio_to_floor"][floor].values()), floor

    load = result["load"]
    assert load["requests"] > 0 and load["failures"] == 0, load
    # The analyst beside the advocates reached the dashboards (issue 14).
    assert load["by_request"]["dashboard"]["requests"] > 0, load["by_request"]
    assert all(is_figure(load[key]) for key in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms"))
    assert result["worker_peak_mb"] > 0
    streams = result["streams"]
    assert streams["held"] == streams["opened"] == 20 and streams["dropped"] == 0, streams
    assert streams["server_memory_with_streams_mb"] > 0
    assert result["server_log"]["tracebacks"] == 0, result["server_log"]["path"]
    assert {v["check"] for v in result["verdicts"]} >= {
        "phone lookup (history): server p95",
        "phone lookup ÷ anonymous page (client p95)",
        "load test: p95, failures",
        "server worker peak memory",
        "call → screen-pop event (SSE): p95 from webhook to event",
        "live streams held through the load test",
    }
    # The printed table names every operation.
    for name in OPERATIONS:
        assert f"| {name} |" in run.stdout


def test_the_raw_sql_floor_is_the_lookups_own_contact_query():
    """The ratio means something only if the bench times the query the screen-pop runs."""
    from puente.intake import queries

    bench_run = bench_module("run")

    def words(sql: str) -> list[str]:
        return sql.replace(",", " , ").split()

    lookup = queries._CONTACTS_SQL.replace("LIMIT %s", "LIMIT 11")
    assert words(bench_run.RAW_LOOKUP_SQL.format(p="%s")) == words(lookup)
