"""Where a database stops: the load test of bench/run.py at a rising number of advocates.

    .venv/bin/python bench/capacity.py --databases sqlite --users 100,150,200,300 \
        --duration 120 --json var/capacity-sqlite.json

The same production server (`puente serve`, 2 workers), the same prepared sessions and the
same mix and think time (bench/locustfile.py: 1-5 s between actions, one analyst beside
them), with each advocate's live page connected as in the channels issue. One server for
the whole ladder; each step is a fresh locust run. For each step: the requests a second
served, p50/p95/p99 and failures, so the step where p95 leaves its target (250 ms) and
the rate stops following the advocates shows what one machine sustains.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

TARGET_P95_MS = 250


def ladder(kind: str, args: argparse.Namespace) -> dict:
    url = run.database_url(kind, args.contacts, False, args.years)
    env = run.production_env(url)
    run.ensure_database(url, args.contacts, False, env, args.years)
    inputs = run.prepare(env, max(args.users))
    workdir = run.BENCH_DATA / f"{datetime.now():%Y%m%d-%H%M%S}-capacity-{kind}"
    workdir.mkdir(parents=True)
    port = run.free_port()
    steps = []
    with run.production_server(env, port, args.workers, workdir / "server.log") as server:
        for users in args.users:
            # Every advocate's page is open, as on a real floor: its live stream held.
            streams = run.open_streams(port, inputs["sessions"], users)
            time.sleep(1)
            step_args = argparse.Namespace(
                users=users, spawn_rate=args.spawn_rate, duration=args.duration
            )
            print(f"  {kind}: {users} advocates for {args.duration} s …", flush=True)
            load = run.load_test(port, inputs, step_args, workdir)
            load["streams_dropped"] = sum(s.closed.is_set() or not s.open for s in streams)
            load["server_memory_mb"] = run.server_memory_mb(server.pid)["total_mb"]
            for stream in streams:
                stream.close()
            steps.append(load)
            print(
                f"    {load['throughput_rps']} requests/s, p95 {load['p95_ms']} ms, "
                f"{load['failures']} failures, {load['streams_dropped']} streams dropped",
                flush=True,
            )
    return {
        "database": kind,
        "server_version": run.server_version(url),
        "contacts": run.contact_count(url),
        "steps": steps,
    }


def markdown(full: dict) -> str:
    lines = [
        "| database | advocates | requests/s | p50 ms | p95 ms | p99 ms | failures | "
        f"p95 ≤ {TARGET_P95_MS} ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in full["results"]:
        for step in result["steps"]:
            met = step["p95_ms"] <= TARGET_P95_MS and not step["failures"]
            lines.append(
                f"| {result['database']} | {step['users']} | {step['throughput_rps']} | "
                f"{step['p50_ms']:.0f} | {step['p95_ms']:.0f} | {step['p99_ms']:.0f} | "
                f"{step['failures']} | {'yes' if met else 'no'} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--years", type=int, default=run.YEARS)
    parser.add_argument(
        "--users",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[100, 150, 200, 300],
        help="advocates at each step, comma-separated",
    )
    parser.add_argument("--duration", type=int, default=120, help="seconds per step")
    parser.add_argument("--spawn-rate", type=int, default=10, help="advocates started per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--json", type=Path, help="default var/capacity-<time>.json")
    args = parser.parse_args()
    kinds = run.database_kinds(parser, args.databases)
    started = datetime.now(UTC)
    full = {
        "date": started.isoformat(timespec="seconds"),
        "machine": run.machine(),
        "command": "bench/capacity.py " + " ".join(sys.argv[1:]),
        "results": [ladder(kind, args) for kind in kinds],
    }
    path = args.json or run.ROOT / "var" / f"capacity-{started:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(full, indent=2))
    print("\n" + markdown(full) + f"\n\nJSON: {path}")


if __name__ == "__main__":
    main()
