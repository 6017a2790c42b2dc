"""Puente's benchmarks: every figure through the real HTTP stack of the production server.

    .venv/bin/python bench/run.py [--databases sqlite,postgres] [--contacts 2000000]
                                  [--tiny] [--duration 120] [--users 100] [--json FILE]

For each database: reuse (or generate) a synthetic database of --contacts contacts, start
`puente serve` (gunicorn) with a production configuration, and measure the phone
lookup, search, saving an intake, the case page and the home queue (p50/p95/p99 of the
server time from `Server-Timing` and of the client's round trip), the lookup as one raw
SQL query, a load test with 100 simulated advocates (locust), and the peak memory of a
server worker. Prints a table and writes JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PUENTE = [sys.executable, "-m", "puente"]
TARGETS_MS = {  # issue "National scale": p95 targets
    "phone lookup (history)": 10,
    "phone lookup (none)": 10,
    "search: reference": 100,
    "search: phone": 100,
    "search: name": 100,
    "search: word (en)": 100,
    "search: word (es)": 100,
    "search: two words (en)": 100,
    "search: two words (es)": 100,
    "save an intake": 50,
    "case page (20 contacts, 10 persons)": 100,
    "home queue": 100,
}
LOAD_P95_MS = 250
WORKER_MB = 250
RAW_RATIO = 5


def label_of(contacts: int) -> str:
    return (
        f"{contacts // 1_000_000}m"
        if contacts >= 1_000_000 and contacts % 1_000_000 == 0
        else str(contacts)
    )


def database_url(kind: str, contacts: int, tiny: bool) -> str:
    name = "tiny" if tiny else label_of(contacts)
    if kind == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-{name}.sqlite3'}"
    base = os.environ.get("PUENTE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
    return base.rstrip("/") + f"/puente_bench_{name}"


def run_puente(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*PUENTE, *args], env=env, cwd=ROOT, check=True, text=True, **kwargs)


def ensure_database(url: str, contacts: int, tiny: bool, env: dict) -> None:
    """Reuse a generated database of the right size; otherwise create and fill one. The
    tiny one (CI) is made fresh every time."""
    fresh = tiny
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            fresh = True
    else:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if fresh and exists:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            if fresh or not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
                fresh = True
    run_puente(["migrate", "-v0"], env)
    if fresh:
        print(f"  generating {contacts:,} contacts in {url} …", flush=True)
        run_puente(["generate", "--contacts", str(contacts), "--batch-size", "20000"], env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def production_server(env: dict, port: int, workers: int):
    process = subprocess.Popen(
        [*PUENTE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"puente serve exited: {process.stderr.read()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/accounts/login/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("puente serve did not answer in 90 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class MemoryWatch(threading.Thread):
    """Samples the resident memory of every gunicorn worker; keeps the peak."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server = psutil.Process(server_pid)
        self.peak_mb = 0.0
        self.running = True

    def run(self):
        while self.running:
            try:
                for child in self.server.children(recursive=True):
                    self.peak_mb = max(self.peak_mb, child.memory_info().rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.25)


class Client:
    def __init__(self, port: int, session: str, csrf: str):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Host": "127.0.0.1",
        }

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, float, float]:
        """(status, client ms, server ms)."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 599, (time.perf_counter() - started) * 1000, 0.0
        client_ms = (time.perf_counter() - started) * 1000
        timing = response.getheader("Server-Timing") or "app;dur=0"
        return response.status, client_ms, float(timing.split("dur=")[1])


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def measure(client: Client, method: str, path, samples: int, ok: set[int], body=None) -> dict:
    for _ in range(max(3, samples // 10)):  # warm-up: connections, caches, query plans
        client.request(
            method, path() if callable(path) else path, body() if callable(body) else body
        )
    server, wall, errors = [], [], 0
    started = time.perf_counter()
    for _ in range(samples):
        status, client_ms, server_ms = client.request(
            method, path() if callable(path) else path, body() if callable(body) else body
        )
        if status not in ok:
            errors += 1
        server.append(server_ms)
        wall.append(client_ms)
    elapsed = time.perf_counter() - started
    return {
        "server_ms": percentiles(server),
        "client_ms": percentiles(wall),
        "throughput_rps": round(samples / elapsed, 1),
        "samples": samples,
        "errors": errors,
    }


def raw_lookup(url: str, phone: str, samples: int) -> dict:
    """The lookup's main query straight against the database: the floor Puente is
    compared with."""
    sql = (
        "SELECT id, started_at, channel, reason, summary, case_id FROM intake_contact "
        "WHERE phone = {p} ORDER BY started_at DESC LIMIT 11"
    )
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        query = sql.format(p="?")

        def run():
            conn.execute(query, [phone]).fetchall()
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
        query = sql.format(p="%s")

        def run():
            conn.execute(query, [phone]).fetchall()

    for _ in range(20):
        run()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return {
        "client_ms": percentiles(times),
        "server_ms": percentiles(times),
        "samples": samples,
        "errors": 0,
    }


def load_test(port: int, inputs: dict, users: int, duration: int, workdir: Path) -> dict:
    config = workdir / "locust-config.json"
    config.write_text(json.dumps(inputs))
    prefix = workdir / "locust"
    env = {**os.environ, "PUENTE_BENCH_INPUTS": str(config)}
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "--host", f"http://127.0.0.1:{port}", "--users", str(users),
            "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{duration}s",
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        ],
        env=env, cwd=ROOT, check=False, capture_output=True, text=True,
    )  # fmt: skip
    import csv

    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "users": users,
        "duration_s": duration,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput_rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
    }


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def bench_database(kind: str, args) -> dict:
    url = database_url(kind, args.contacts, args.tiny)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PUENTE_DEMO": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUENTE_DATA_DIR": str(ROOT / "var" / "bench-data"),
        "PUENTE_LOG_LEVEL": "ERROR",
    }
    print(f"== {kind}: {url}", flush=True)
    ensure_database(url, args.contacts, args.tiny, env)
    prepared = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "prepare.py"), str(max(args.users, 1))],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    inputs = json.loads(prepared.stdout.strip().splitlines()[-1])
    version = ""
    if kind == "postgresql" or kind == "postgres":
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
    port = free_port()
    results: dict = {
        "database": kind,
        "server_version": version or sqlite3.sqlite_version,
        "data": inputs["counts"],
    }
    samples = args.samples
    with production_server(env, port, args.workers) as server:
        watch = MemoryWatch(server.pid)
        watch.start()
        client = Client(port, inputs["sessions"][0], inputs["csrf"])
        q = urllib.parse.quote
        ops = {}
        ok = {200}
        ops["phone lookup (history)"] = measure(
            client,
            "GET",
            f"/intake/new/phone-lookup/?phone={q(inputs['phone_national'])}",
            samples,
            ok,
        )
        ops["phone lookup (none)"] = measure(
            client,
            "GET",
            f"/intake/new/phone-lookup/?phone={q(inputs['phone_without_history'])}",
            samples,
            ok,
        )
        ops["phone lookup: raw SQL"] = raw_lookup(url, inputs["phone_with_history"], samples)
        searches = {
            "search: reference": inputs["case_reference"],
            "search: phone": inputs["phone_national"],
            "search: name": inputs["person_name"],
            "search: word (en)": "shelter",
            "search: word (es)": "trabajo",
            "search: two words (en)": "caller asked",
            "search: two words (es)": "número equivocado",
        }
        for name, term in searches.items():
            ops[name] = measure(client, "GET", f"/search/?q={q(term)}", samples, ok)
        counter = iter(range(10**9))
        ops["save an intake"] = measure(
            client,
            "POST",
            "/intake/new/",
            samples,
            {302},
            body=lambda: {
                "channel": "phone",
                "reason": "tip",
                "signaler_type": "community_member",
                "language": "eng",
                "phone": f"(713) 555-{next(counter) % 10000:04d}",
                "country": "US",
                "subdivision": "US-TX",
                "city": "Houston",
                "summary": "Benchmark: caller reports workers sleeping at a restaurant.",
            },
        )
        ops["case page (20 contacts, 10 persons)"] = measure(
            client, "GET", f"/cases/{inputs['case_reference']}/", samples, ok
        )
        ops["home queue"] = measure(client, "GET", "/", samples, ok)
        workdir = ROOT / "var" / "bench-data"
        workdir.mkdir(parents=True, exist_ok=True)
        results["load"] = load_test(
            port, {**inputs, "port": port}, args.users, args.duration, workdir
        )
        watch.running = False
        watch.join()
        results["worker_peak_mb"] = round(watch.peak_mb, 1)
    raw = ops["phone lookup: raw SQL"]["server_ms"]["p95"] or 0.001
    results["lookup_ratio_to_raw_sql"] = round(
        ops["phone lookup (history)"]["server_ms"]["p95"] / raw, 1
    )
    results["operations"] = ops
    return results


def verdicts(result: dict) -> list[tuple[str, bool]]:
    out = [
        (
            name,
            result["operations"][name]["server_ms"]["p95"] <= target
            and result["operations"][name]["errors"] == 0,
        )
        for name, target in TARGETS_MS.items()
    ]
    out.append(("lookup ≤ 5× raw SQL", result["lookup_ratio_to_raw_sql"] <= RAW_RATIO))
    out.append(
        ("load test", result["load"]["p95_ms"] <= LOAD_P95_MS and result["load"]["failures"] == 0)
    )
    out.append(("worker memory", result["worker_peak_mb"] <= WORKER_MB))
    return out


def table(result: dict) -> str:
    lines = [
        f"### {result['database']} ({result['server_version']}) — "
        f"{result['data']['contacts']:,} contacts, {result['data']['cases']:,} cases",
        "",
        "| operation | server p50 | server p95 | server p99 | client p95 | req/s (1 client) | errors | target p95 | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, op in result["operations"].items():
        target = TARGETS_MS.get(name)
        met = (
            ""
            if target is None
            else ("yes" if op["server_ms"]["p95"] <= target and op["errors"] == 0 else "**no**")
        )
        lines.append(
            f"| {name} | {op['server_ms']['p50']} ms | {op['server_ms']['p95']} ms | {op['server_ms']['p99']} ms "
            f"| {op['client_ms']['p95']} ms | {op.get('throughput_rps', '')} | {op['errors']} "
            f"| {f'{target} ms' if target else ''} | {met} |"
        )
    load = result["load"]
    lines += [
        "",
        f"- Phone lookup vs raw SQL (p95): **{result['lookup_ratio_to_raw_sql']}×** (target ≤ {RAW_RATIO}×)",
        f"- Load test: {load['users']} simulated advocates for {load['duration_s']} s: "
        f"{load['requests']:,} requests, {load['throughput_rps']} req/s, p50 {load['p50_ms']} ms, "
        f"p95 **{load['p95_ms']} ms** (target ≤ {LOAD_P95_MS} ms), {load['failures']} failures",
        f"- Peak memory of a server worker: **{result['worker_peak_mb']} MB** (target ≤ {WORKER_MB} MB)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--tiny", action="store_true", help="3,000 contacts, short runs: for CI")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.tiny:
        args.contacts, args.samples, args.users, args.duration = 3000, 30, 5, 8
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join(sys.argv),
        "results": [
            bench_database(kind.strip(), args) for kind in args.databases.split(",") if kind.strip()
        ],
    }
    path = args.json or ROOT / "var" / f"bench-results-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    m = report["machine"]
    print(
        f"\n{report['date']} · {m['cpu']} · {m['cores']} cores · {m['memory_gb']} GB · Python {m['python']}\n"
    )
    for result in report["results"]:
        print(table(result))
        missed = [name for name, met in verdicts(result) if not met]
        print(f"\nTargets missed: {', '.join(missed) if missed else 'none'}\n")
    print(f"JSON: {path}")


if __name__ == "__main__":
    main()
