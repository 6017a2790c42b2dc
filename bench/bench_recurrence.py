"""Benchmark of "this number appears in N other cases" (`puente.networks.recurrence`): the
incremental lookup the intake screen makes as a number is typed, for (a) a brand-new
number (in no case: each sample a different one, so nothing is cached) and (b) the busiest
recurring number of the database (the phone held by the most cases, through case
identifiers and contacts filed in cases).

Two measurements of each:
- the domain function `appearances()` called in this process, below the HTTP stack (the
  database's and the function's time only), as an advocate;
- the intake hint endpoint (/networks/appearances/) through the real production server
  (`puente serve`, gunicorn, as bench/run.py starts it), as an MFA-verified advocate made
  by bench/prepare.py: the `Server-Timing` time and the client's round trip. Each lookup
  is audited as the page audits it (a new number writes an entry; the same number again
  within ten minutes does not).

It writes to the database named by DATABASE_URL (bench/prepare.py's benchmark users and
sessions, the audit entries of the HTTP lookups), so point it at a generated database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente_bench_2m \\
        .venv/bin/python bench/bench_recurrence.py [--samples 300] [--no-http]
    DATABASE_URL=sqlite:///var/bench-2m.sqlite3 .venv/bin/python bench/bench_recurrence.py

Also times the network view's work below HTTP (ranking every group of cases that share
an identifier, then opening the largest), as a supervisor, for every kind and for ads
only. Prints p50 / p95 / p99 in milliseconds (nearest rank). Target (issue 16): a new
identifier's count ≤ 10 ms p95 at 2,000,000 contacts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run  # noqa: E402  (bench/run.py: the server, the client, percentiles)


def _new_numbers(count: int, seed: int = 16) -> list[str]:
    """Numbers in the fictional 555-01xx ranges of area codes the generator does not use
    for them: never held by a case (checked below)."""
    rng = random.Random(seed)
    areas = ["202", "303", "404", "505", "808", "907"]
    return [f"+1{rng.choice(areas)}5550{rng.randint(100, 199)}" for _ in range(count)]


def _busiest_phone() -> tuple[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT phone, COUNT(DISTINCT case_id) FROM intake_contact
            WHERE case_id IS NOT NULL AND phone <> ''
            GROUP BY phone ORDER BY COUNT(DISTINCT case_id) DESC LIMIT 1
            """
        )
        phone, cases = cursor.fetchone()
    return phone, cases


def _time_domain(user, values: list[str]) -> tuple[dict, list[int]]:
    from puente.networks.recurrence import appearances

    timings, totals = [], []
    for value in values:
        started = time.perf_counter()
        found = appearances(kind="phone", value_or_normalised=value, user=user)
        timings.append((time.perf_counter() - started) * 1000)
        totals.append(found.total)
    return bench_run.percentiles(timings), totals


def _time_graph(user, runs: int) -> dict:
    """The network view's work below HTTP: rank every component, then build the largest
    (cut at PUENTE_NETWORK_GRAPH_MAX_NODES) with degree and betweenness."""
    from puente.networks.recurrence_graph import GraphFilters, focus, network

    figures = {}
    for label, filters in [
        ("all kinds", GraphFilters()),
        ("ads only", GraphFilters(kind="online_ad")),
    ]:
        ranked, opened = [], []
        for _run in range(runs):
            started = time.perf_counter()
            net = network(user=user, filters=filters)
            ranked.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            graph = focus(net=net, component=net.components[0]) if net.components else None
            opened.append((time.perf_counter() - started) * 1000)
        figures[label] = {
            "components": len(net.components),
            "largest_cases": net.components[0].size if net.components else 0,
            "nodes_drawn": len(graph.nodes) if graph else 0,
            "rank_ms": bench_run.percentiles(ranked),
            "open_ms": bench_run.percentiles(opened),
        }
    return figures


def _time_http(url: str, new: list[str], busy: str, samples: int) -> dict:
    env = bench_run.production_env(url)
    prepared = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "prepare.py"), "1"],
        env=env, cwd=ROOT, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if prepared.returncode:
        sys.exit(f"bench/prepare.py failed:\n{prepared.stderr[-3000:]}")
    inputs = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = bench_run.free_port()
    log = ROOT / "var" / "bench-recurrence-server.log"
    results = {}
    with bench_run.production_server(env, port, workers=2, log=log):
        client = bench_run.Client(port, inputs["sessions"][0], inputs["csrf"])
        numbers = iter(new * 2)
        results["new"] = bench_run.measure(
            client,
            "GET",
            lambda: f"/networks/appearances/?kind=phone&value={next(numbers).replace('+', '%2B')}",
            samples,
            bench_run.page_with('id="recurrence-hint"', without="appears in"),
        )
        results["busy"] = bench_run.measure(
            client,
            "GET",
            f"/networks/appearances/?kind=phone&value={busy.replace('+', '%2B')}",
            samples,
            bench_run.page_with("This number appears in"),
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=300, help="timed lookups per measurement")
    parser.add_argument("--no-http", action="store_true", help="the domain function only")
    parser.add_argument("--graph-runs", type=int, default=5, help="timed network views")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from puente.accounts.models import User
    from puente.intake.models import Contact

    url = os.environ.get("DATABASE_URL", "")
    contacts = Contact.objects.count()
    user = User.objects.filter(role="advocate", is_active=True).order_by("pk").first()
    if user is None:
        sys.exit("No advocate in this database: generate one first (puente generate).")
    busy, busy_contact_cases = _busiest_phone()
    new = _new_numbers(options.samples + 50)

    # Warm-up (connection, first plans), then the timed runs.
    _time_domain(user, new[:50] + [busy] * 20)
    new_figures, new_totals = _time_domain(user, new[50:])
    if any(new_totals):
        sys.exit("a 'new' number is held by a case: choose other numbers")
    busy_figures, busy_totals = _time_domain(user, [busy] * options.samples)
    result = {
        "database": connection.vendor,
        "contacts": contacts,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "busy_number": {"cases": busy_totals[0], "cases_through_contacts": busy_contact_cases},
        "domain_ms": {"new": new_figures, "busy": busy_figures},
        "samples": options.samples,
        "country": settings.PUENTE_COUNTRY,
    }
    supervisor = User.objects.filter(role="supervisor", is_active=True).order_by("pk").first()
    result["graph"] = _time_graph(supervisor or user, options.graph_runs)
    connection.close()
    if not options.no_http:
        result["http"] = _time_http(url, new[50:], busy, options.samples)

    print(f"{result['database']}, {contacts:,} contacts; busiest number in {busy_totals[0]} cases")
    for name in ("new", "busy"):
        figures = result["domain_ms"][name]
        line = f"  {name:5} domain  p50 {figures['p50']:7.2f}  p95 {figures['p95']:7.2f} ms"
        if "http" in result:
            http = result["http"][name]
            line += (
                f"   HTTP server p50 {http['server_ms']['p50']:7.2f} p95 {http['server_ms']['p95']:7.2f}"
                f"  round trip p50 {http['client_ms']['p50']:7.2f} p95 {http['client_ms']['p95']:7.2f} ms"
                f"  errors {http['errors']}"
            )
        print(line)
    for label, graph in result["graph"].items():
        print(
            f"  network view ({label}): {graph['components']:,} groups, largest "
            f"{graph['largest_cases']} cases, {graph['nodes_drawn']} nodes drawn; rank p50 "
            f"{graph['rank_ms']['p50']:.0f} ms, open p50 {graph['open_ms']['p50']:.0f} ms"
        )
    print("target: a new identifier ≤ 10 ms p95")
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
