"""Puente's benchmarks: every figure through the real HTTP stack of the production server.

    .venv/bin/python bench/run.py [--databases sqlite,postgres] [--contacts 2000000]
                                  [--tiny] [--samples 200] [--users 100] [--duration 120]
                                  [--json FILE]

For each database: reuse (or generate with `puente generate`) a synthetic database of
--contacts contacts, start `puente serve` (gunicorn) with a production configuration, and
measure the phone lookup (page partial and API), search, saving an intake, the case page,
the home queue and a supervisor's team view (p50/p95/p99 of the server time from `Server-Timing` and of the
client's round trip), the lookup as one raw SQL query, a load test of simulated advocates
(locust) and the peak memory of a server worker. Prints a table against the targets and
writes JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import itertools
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "var" / "bench-data"
PUENTE = [sys.executable, "-m", "puente"]
TINY_CONTACTS = 3000
YEARS = report.YEARS
# The provider's account as the bench's server is configured with it (the auth token is new
# every run): the webhooks it receives are signed exactly as Twilio signs them.
TWILIO_ACCOUNT_SID = "AC" + "be7c" * 8
PUBLIC_PAGES = {
    "public page: home": "/",
    "public page: what trafficking looks like": "/trafficking/",
    "public page: what happens when you reach out": "/reaching-out/",
    "public page: tip form": "/tip/",
    "public page: chat": "/chat/",
}
STAFF_STREAM = "/channels/live/events/"
FLOOR_PAGE = PUBLIC_PAGES["public page: what trafficking looks like"]

# The lookup's contact query (puente.intake.queries._CONTACTS_SQL, the first of its two)
# as it runs there, served by contact_phone_idx (phone, -started_at): the floor the HTML
# lookup is compared with. tests/bench checks the two stay the same.
RAW_LOOKUP_SQL = (
    "SELECT ct.id, ct.started_at, ct.channel, ct.reason, ct.signaler_type, ct.summary, "
    "ct.level_of_indicators, ct.imminent_danger, ct.case_id, cs.reference, cs.restricted, "
    "cs.owner_id FROM intake_contact ct LEFT JOIN cases_case cs ON cs.id = ct.case_id "
    "WHERE ct.phone = {p} ORDER BY ct.started_at DESC LIMIT 11"
)


# --- The database ---------------------------------------------------------------------------


def size_label(contacts: int, tiny: bool, years: int = YEARS) -> str:
    if tiny:
        # One per run, removed afterwards: two suites on one machine (or one tree shared by
        # several people) must not drop each other's database mid-run.
        return f"tiny_{os.getpid()}"
    label = str(contacts)
    for unit, suffix in ((1_000_000, "m"), (1_000, "k")):
        if contacts >= unit and contacts % unit == 0:
            label = f"{contacts // unit}{suffix}"
            break
    # The same contacts over other years are another database (bench-6m-45y).
    return label if years == YEARS else f"{label}_{years}y"


def database_url(kind: str, contacts: int, tiny: bool, years: int = YEARS) -> str:
    label = size_label(contacts, tiny, years)
    if kind == "sqlite":
        name = f"bench-{label.replace('_', '-')}.sqlite3"
        return f"sqlite:///{ROOT / 'var' / name}"
    base = os.environ.get("PUENTE_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
    return base.rstrip("/") + f"/puente_bench_{label}"


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def pg_connect(url: str, **kwargs):
    import psycopg  # only needed when PostgreSQL is benchmarked

    return psycopg.connect(url, **kwargs)


def query_one(url: str, sql: str, params: tuple = ()):
    """One value from the benchmark database, outside Django (the bench process never
    loads Django settings: the server and prepare.py do, in their own processes)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(sqlite_path(url)) as conn:
            row = conn.execute(sql.replace("%s", "?"), params).fetchone()
    else:
        with pg_connect(url) as conn:
            row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def table_exists(url: str, table: str) -> bool:
    if url.startswith("sqlite:///"):
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s"
    else:
        sql = "SELECT count(*) FROM pg_tables WHERE tablename = %s"
    return bool(query_one(url, sql, (table,)))


def index_exists(url: str, name: str) -> bool:
    if url.startswith("sqlite:///"):
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = %s"
    else:
        sql = "SELECT count(*) FROM pg_indexes WHERE indexname = %s"
    return bool(query_one(url, sql, (name,)))


def busy_elsewhere(url: str) -> str:
    """Who else is using the database right now (a `puente generate` still running, say):
    measuring a half-built database would publish nonsense."""
    if url.startswith("sqlite:///"):
        path = str(sqlite_path(url))
        for process in psutil.process_iter(["pid", "cmdline"]):
            try:
                if process.pid != os.getpid() and any(
                    f.path.startswith(path) for f in process.open_files()
                ):
                    return f"process {process.pid} ({' '.join(process.info['cmdline'] or [])[:80]})"
            except psutil.Error:
                continue
        return ""
    name = url.rsplit("/", 1)[1]
    others = query_one(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND state <> 'idle'",
        (name,),
    )
    return f"{others} other active connection(s)" if others else ""


def ensure_database(url: str, contacts: int, tiny: bool, env: dict, years: int = YEARS) -> None:
    """Reuse a complete generated database of the right size, or create and fill one. The
    tiny one (CI) is made fresh every time, so it always matches the current generator."""
    fresh = tiny
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            fresh = True
    else:
        base, name = url.rsplit("/", 1)
        with pg_connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if fresh and exists:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            if fresh or not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
                fresh = True
    if not fresh:
        problem = check_reusable(url, contacts)
        if problem:
            raise SystemExit(f"Cannot benchmark {url}: {problem}")
        print(f"  reusing {url}", flush=True)
    run_puente(["migrate", "-v0"], env)
    if fresh:
        print(f"  generating {contacts:,} contacts …", flush=True)
        quiet = {"stdout": subprocess.DEVNULL} if tiny else {}  # progress only when it is long
        run_puente(["generate", "--contacts", str(contacts), "--years", str(years)], env, **quiet)


def prepare(env: dict, advocates: int) -> dict:
    """bench/prepare.py in the server's environment: the advocates' signed-in sessions
    and the inputs every measurement uses (numbers, words, a case reference)."""
    prepared = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "prepare.py"), str(max(advocates, 1))],
        env=env, cwd=ROOT, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if prepared.returncode:
        raise SystemExit(f"bench/prepare.py failed:\n{prepared.stderr[-3000:]}")
    return json.loads(prepared.stdout.strip().splitlines()[-1])


def database_kinds(parser: argparse.ArgumentParser, databases: str) -> list[str]:
    """--databases as a list of "sqlite" and "postgres" ("postgresql" accepted)."""
    kinds = [k.strip().replace("postgresql", "postgres") for k in databases.split(",")]
    kinds = [k for k in kinds if k]
    unknown = set(kinds) - {"sqlite", "postgres"}
    if unknown or not kinds:
        parser.error(f"--databases: choose sqlite and/or postgres, not {', '.join(unknown)}")
    return kinds


def check_reusable(url: str, contacts: int) -> str:
    """Why an existing database must not be measured, or "" when it may."""
    other = busy_elsewhere(url)
    if other:
        return f"it is in use by {other}; wait for it to finish."
    if not table_exists(url, "intake_contact"):
        return "it has no Puente tables; delete it (or drop it) to have it generated."
    have = query_one(url, "SELECT count(*) FROM intake_contact")
    # A previous bench run adds its saved intakes; fewer than asked means an unfinished
    # or different generation.
    if have < contacts:
        return f"it holds {have:,} contacts, fewer than {contacts:,}; delete it to regenerate."
    if not index_exists(url, "contact_phone_idx"):
        return "its indexes are missing (generation did not finish); delete it to regenerate."
    return ""


def drop_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(url)}{suffix}").unlink(missing_ok=True)
        return
    base, name = url.rsplit("/", 1)
    with pg_connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_puente(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*PUENTE, *args], env=env, cwd=ROOT, check=True, text=True, **kwargs)


def server_version(url: str) -> str:
    if url.startswith("sqlite:///"):
        return f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL " + query_one(url, "SHOW server_version")


def database_size_mb(url: str) -> float:
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        size = sum(
            Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
        )
    else:
        size = query_one(url, "SELECT pg_database_size(current_database())")
    return round(size / 2**20, 1)


def contact_count(url: str) -> int:
    return query_one(url, "SELECT count(*) FROM intake_contact")


# --- The server -----------------------------------------------------------------------------


def production_env(url: str) -> dict:
    """What an operator sets in production (`serve` refuses anything less), except HTTPS:
    the bench talks plain HTTP on loopback and sends its cookies itself."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PUENTE_DEMO": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters, new every run
        # The audit trail's signing key (`serve` refuses to start without one).
        "PUENTE_AUDIT_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUENTE_MFA_REQUIRED": "true",
        "PUENTE_SECURE_COOKIES": "true",
        "PUENTE_DATA_DIR": str(BENCH_DATA),  # collectstatic's target, shared by runs
        "PUENTE_LOG_LEVEL": "ERROR",
        # Calls and texts arrive through Twilio's signed webhooks. Nothing is sent to the
        # provider's API: no advocate replies, and no bench text is a keyword (HELP, STOP)
        # whose automatic answer goes back in the webhook's own response anyway.
        "PUENTE_CHANNEL_PROVIDER": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        # Every tip of the bench comes from 127.0.0.1: the per-address limit (5 an hour)
        # would refuse all but the first few. Its cost (one cache increment) is still paid.
        "PUENTE_TIP_RATE_PER_HOUR": str(10**9),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def production_server(env: dict, port: int, workers: int, log: Path) -> Iterator[subprocess.Popen]:
    """`puente serve` as an operator runs it, until it answers; stopped on the way out."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*PUENTE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log: one line per request
            stderr=log_file,  # a file, not a pipe: a full pipe would stall the server
        )
        try:
            wait_until_serving(process, port, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"puente serve exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"puente serve did not answer in 120 s:\n{log.read_text()[-3000:]}")


class MemoryWatch(threading.Thread):
    """Samples the resident memory of every gunicorn worker (the children of the `serve`
    process, which is gunicorn's master) every 0.25 s; keeps the peak."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server = psutil.Process(server_pid)
        self.peak_mb = 0.0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                for worker in self.server.children(recursive=True):
                    self.peak_mb = max(self.peak_mb, worker.memory_info().rss / 2**20)
                self.samples += 1
            except psutil.Error:
                pass  # a worker exiting between listing and reading
            self.stop.wait(0.25)


# --- Measuring ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection acting as a signed-in, MFA-verified advocate. The session
    and CSRF cookies are Secure, so no client would send them over plain HTTP: the bench
    sends the Cookie header itself."""

    def __init__(self, port: int, session: str, csrf: str):
        self.port = port
        self.csrf = csrf
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }

    @classmethod
    def visitor(cls, port: int) -> Client:
        """No cookies at all: a member of the public, or the provider calling a webhook."""
        client = cls(port, "", "")
        client.headers = {}
        return client

    def request(
        self, method: str, path: str, form: dict | None = None, extra: dict | None = None
    ) -> tuple[int, str, dict, float, float]:
        """(status, body, headers, client ms, server ms); status 599 when the connection
        failed."""
        headers = {**self.headers, **(extra or {})}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            body = response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 599, "", {}, (time.perf_counter() - started) * 1000, 0.0
        client_ms = (time.perf_counter() - started) * 1000
        timing = re.search(r"dur=([\d.]+)", response.getheader("Server-Timing") or "")
        return (
            response.status,
            body,
            # Header names are case-insensitive, and servers differ (uvicorn sends them
            # lower-case): the checks read them by their lower-case names.
            {name.lower(): value for name, value in response.getheaders()},
            client_ms,
            float(timing.group(1)) if timing else -1.0,
        )


def percentiles(values: list[float]) -> dict[str, float]:
    """Nearest-rank percentiles (no interpolation: every figure is a measured request)."""
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 2)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99)}


Check = Callable[[int, str, dict], bool]


def measure(
    client: Client,
    method: str,
    path: Callable[[], str] | str,
    samples: int,
    check: Check,
    form: Callable[[], dict] | None = None,
    signed: Callable[[str, dict], dict] | None = None,
) -> dict:
    """Warm-up, then `samples` sequential requests. A response is an error when `check`
    rejects it (wrong status, or not the page expected: a login redirect is fast too).
    `signed(path, form)` gives the headers that sign a request (a provider's webhook)."""

    def once() -> tuple[bool, float, float]:
        where = path() if callable(path) else path
        data = form() if form else None
        extra = signed(where, data or {}) if signed else None
        status, body, headers, client_ms, server_ms = client.request(method, where, data, extra)
        return check(status, body, headers) and server_ms >= 0, client_ms, server_ms

    # Enough warm-up requests to reach every server thread (2 workers × 4 threads by
    # default), so no sample pays for opening a thread's database connection.
    warm_errors = sum(not once()[0] for _ in range(max(20, samples // 10)))
    server, wall, errors = [], [], warm_errors
    started = time.perf_counter()
    for _ in range(samples):
        ok, client_ms, server_ms = once()
        errors += not ok
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


def page_with(*needles: str, status: int = 200, without: str = "") -> Check:
    def check(code: int, body: str, _headers: dict) -> bool:
        return (
            code == status and all(n in body for n in needles) and not (without and without in body)
        )

    return check


def raw_lookup(url: str, phone: str, samples: int) -> tuple[dict, str]:
    """The lookup's contact query straight on the database from this process (no HTTP, no
    Django, no permission checks, no audit entry): the floor Puente is compared with.
    Returns the figures and the database's query plan, to show the index is used."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(sqlite_path(url))
        query = RAW_LOOKUP_SQL.format(p="?")
        plan = " / ".join(
            str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", [phone])
        )
    else:
        conn = pg_connect(url)
        query = RAW_LOOKUP_SQL.format(p="%s")
        plan = " / ".join(
            row[0].strip() for row in conn.execute(f"EXPLAIN {query}", [phone]).fetchall()
        )
    errors = 0
    times = []
    for i in range(20 + samples):
        started = time.perf_counter()
        rows = conn.execute(query, [phone]).fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 20:  # the first 20 warm the cache and the statement
            times.append(elapsed)
            errors += not rows  # the number has history: no rows means the wrong query
    conn.close()
    figures = percentiles(times)
    return {
        "server_ms": figures,
        "client_ms": figures,
        "throughput_rps": round(samples / (sum(times) / 1000), 1) if sum(times) else 0.0,
        "samples": samples,
        "errors": errors,
    }, plan


def measure_operations(client: Client, inputs: dict, url: str, samples: int) -> tuple[dict, str]:
    q = urllib.parse.quote
    ops: dict[str, dict] = {}
    ref = inputs["case_reference"]
    with_history = q(inputs["phone_national"])
    ops["phone lookup (history)"] = measure(
        client,
        "GET",
        f"/intake/new/phone-lookup/?phone={with_history}",
        samples,
        page_with("has-history"),
    )
    ops["phone lookup (none)"] = measure(
        client,
        "GET",
        f"/intake/new/phone-lookup/?phone={q(inputs['phone_without_history'])}",
        samples,
        page_with("lookup-panel", without="has-history"),
    )
    ops["phone lookup API (history)"] = measure(
        client,
        "GET",
        f"/api/v1/phone-lookup?number={with_history}",
        samples,
        page_with('"found": true'),
    )
    ops[report.RAW_SQL], plan = raw_lookup(url, inputs["phone_with_history"], samples)
    ops.update(measure_floor(client, inputs, samples))
    searches = {
        "search: reference": (ref, page_with(ref)),
        "search: phone": (inputs["phone_national"], page_with()),
        "search: name": (inputs["person_name"], page_with()),
        "search: word (en)": (inputs["word_en"], page_with()),
        "search: word (es)": (inputs["word_es"], page_with()),
        "search: two words (en)": (inputs["phrase_en"], page_with()),
        "search: two words (es)": (inputs["phrase_es"], page_with()),
        report.OLD_WORD: (inputs["old_word"], page_with()),
    }
    for name, (term, check) in searches.items():
        ops[name] = measure(client, "GET", f"/search/?q={q(term)}", samples, check)
    ops["save an intake"] = measure_save(client, inputs, url, samples)
    ops[report.CASE_PAGE] = measure(client, "GET", f"/cases/{ref}/", samples, page_with(ref))
    ops["home queue"] = measure(client, "GET", "/workspace/", samples, page_with())
    # The team view is a supervisor's page: the same server, a supervisor's session.
    supervisor = Client(client.port, inputs["supervisor_session"], client.csrf)
    ops["team view"] = measure(
        supervisor, "GET", "/cases/team/", samples, page_with('data-testid="advocates"')
    )
    ops[report.DASHBOARD] = measure_dashboard(client, inputs, samples)
    return ops, plan


def measure_dashboard(client: Client, inputs: dict, samples: int) -> dict:
    """The analyst's contacts dashboard over twelve months, cold: each request asks for
    a year ending one day earlier than the last, as an analyst moving the period does,
    so the figures cache never answers. A tenth of the samples (each takes about a
    second at 2,000,000 contacts), but at least ten."""
    analyst = Client(client.port, inputs["analyst_session"], client.csrf)
    days_back = itertools.count()

    def a_year_not_asked_yet() -> str:
        end = date.today() - timedelta(days=next(days_back))
        return f"/insights/dashboards/?start={end - timedelta(days=365)}&end={end}"

    return measure(
        analyst,
        "GET",
        a_year_not_asked_yet,
        max(10, samples // 10),
        page_with('data-testid="dashboard-period"'),
    )


def measure_floor(client: Client, inputs: dict, samples: int) -> dict:
    """What the server costs before any page's own work (issue 18): the cheapest anonymous
    page (a public page of fixed text: session, CSRF, security headers, language, a
    template, no database) and the cheapest signed-in, audited request (the API's lookup
    of a number nobody has called from: the session, the user, the second factor, the
    permission check, the audit entry and one indexed query that finds nothing)."""
    unknown = urllib.parse.quote(inputs["phone_without_history"])
    return {
        report.FLOOR_ANONYMOUS: measure(
            Client.visitor(client.port), "GET", FLOOR_PAGE, samples, page_with("data-quick-exit")
        ),
        report.FLOOR_SIGNED_IN: measure(
            client,
            "GET",
            f"/api/v1/phone-lookup?number={unknown}",
            samples,
            page_with('"found": false'),
        ),
    }


def measure_save(client: Client, inputs: dict, url: str, samples: int) -> dict:
    """POST the new-contact form; a save counts only if it redirects to the new contact,
    and the contacts table must have grown by exactly the number of saves."""
    numbers = iter(range(10**6))
    saved = 0

    def form() -> dict:
        return {
            **inputs["intake_form"],
            "phone": f"{inputs['intake_phone_prefix']}{next(numbers) % 10000:04d}",
        }

    def check(status: int, _body: str, headers: dict) -> bool:
        nonlocal saved
        ok = status == 302 and re.search(r"/intake/contacts/\d+/$", headers.get("location", ""))
        saved += bool(ok)
        return bool(ok)

    before = contact_count(url)
    figures = measure(client, "POST", "/intake/new/", samples, check, form=form)
    missing = saved - (contact_count(url) - before)
    figures["errors"] += abs(missing)
    return figures


# --- Channels: webhooks, the public site, the live streams ---------------------------------


def twilio_signer(port: int, token: str) -> Callable[[str, dict], dict]:
    """The X-Twilio-Signature of a POST, computed as Twilio computes it (the official
    library's RequestValidator) over the URL the server sees and the form."""
    validator = RequestValidator(token)

    def sign(path: str, form: dict) -> dict:
        url = f"http://127.0.0.1:{port}{path}"
        return {"X-Twilio-Signature": validator.compute_signature(url, form)}

    return sign


def e164(prefix: str, n: int) -> str:
    return prefix.replace(" ", "") + f"{n:04d}"


def measure_channels(port: int, inputs: dict, env: dict, url: str, samples: int) -> dict:
    """The provider's messaging webhook (signed texts from 20 texters, so most join a
    thread already open), the anonymous tip form and the public pages, as a visitor with
    no cookie."""
    ops: dict[str, dict] = {}
    visitor = Client.visitor(port)
    sign = twilio_signer(port, env["TWILIO_AUTH_TOKEN"])
    texts = itertools.count()

    def text() -> dict:
        n = next(texts)
        sid = "SM" + secrets.token_hex(16)
        return {
            "AccountSid": TWILIO_ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "SmsStatus": "received",
            "From": e164(inputs["intake_phone_prefix"], 9000 + n % 20),
            "To": "+18883737888",
            "Body": f"Benchmark text {n}: my employer keeps my passport.",
            "NumMedia": "0",
            "NumSegments": "1",
        }

    ops["messaging webhook (signed)"] = measure(
        visitor,
        "POST",
        "/channels/twilio/messaging/",
        samples,
        page_with("<Response"),
        form=text,
        signed=sign,
    )
    tips = itertools.count()
    before = contact_count(url)
    ops["tip form post"] = measure(
        visitor,
        "POST",
        "/tip/",
        samples,
        page_with('data-testid="tip-sent"'),
        form=lambda: {"account": f"Benchmark tip {next(tips)}: workers sleep at the farm."},
    )
    # Every tip is a contact: the table must have grown by exactly the tips sent.
    sent = next(tips)
    ops["tip form post"]["errors"] += abs(sent - (contact_count(url) - before))
    for name, path in PUBLIC_PAGES.items():
        ops[name] = measure(visitor, "GET", path, samples, page_with("data-quick-exit"))
    return ops


class Stream:
    """One advocate's page listening to the live stream (server-sent events), as a browser's
    EventSource does: a GET that stays open. Each event's arrival is timestamped as it is
    read, by a thread of its own."""

    def __init__(self, port: int, session: str, *, keep_events: bool = False):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request(
            "GET",
            STAFF_STREAM,
            headers={"Cookie": f"sessionid={session}", "Accept": "text/event-stream"},
        )
        self.response = self.conn.getresponse()
        self.open = self.response.status == 200 and self.response.getheader(
            "Content-Type", ""
        ).startswith("text/event-stream")
        self.events: list[tuple[float, dict]] = []
        self.received = 0
        self.keep_events = keep_events
        self.arrived = threading.Event()
        self.closed = threading.Event()
        if self.open:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                if line.startswith(b"data:"):
                    at = time.perf_counter()
                    self.received += 1
                    if self.keep_events:
                        self.events.append((at, json.loads(line[5:])))
                        self.arrived.set()
        except Exception:  # noqa: BLE001 (the server went, or close() pulled the socket)
            pass
        self.closed.set()

    def close(self) -> None:
        try:
            self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def open_streams(port: int, sessions: list[str], count: int) -> list[Stream]:
    """`count` advocates' pages connected at once (sessions reused in turn)."""
    streams = []
    for session in itertools.islice(itertools.cycle(sessions), count):
        streams.append(Stream(port, session))
    return streams


def measure_screen_pop(port: int, inputs: dict, env: dict, samples: int) -> dict:
    """A call rings (the provider's signed voice webhook, from a number with history) and
    the screen-pop's event reaches an advocate's open stream: from just before the POST to
    the moment the event is read. Server time is the webhook's own (Server-Timing)."""
    sign = twilio_signer(port, env["TWILIO_AUTH_TOKEN"])
    caller = Client.visitor(port)
    stream = Stream(port, inputs["sessions"][0], keep_events=True)
    errors = 0 if stream.open else samples
    server: list[float] = []
    wall: list[float] = []
    path = "/channels/twilio/voice/"
    warm_up = max(5, samples // 10)
    started = time.perf_counter()
    for i in range(warm_up + samples if stream.open else 0):
        form = {
            "AccountSid": TWILIO_ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": "CA" + secrets.token_hex(16),
            "CallStatus": "ringing",
            "Direction": "inbound",
            "From": inputs["phone_with_history"],
            "To": "+18883737888",
        }
        stream.events.clear()
        stream.arrived.clear()
        if i == warm_up:
            started = time.perf_counter()
        sent_at = time.perf_counter()
        status, body, _h, _client_ms, server_ms = caller.request(
            "POST", path, form, sign(path, form)
        )
        popped = None
        deadline = sent_at + 10
        while popped is None and time.perf_counter() < deadline:
            popped = next(
                (at for at, data in stream.events if data.get("kind") == "call_waiting"), None
            )
            if popped is None:
                stream.arrived.wait(0.05)
                stream.arrived.clear()
        ok = status == 200 and "<Response" in body and popped is not None and server_ms >= 0
        if i >= warm_up:
            errors += not ok
            server.append(server_ms)
            wall.append(((popped or deadline) - sent_at) * 1000)
    elapsed = time.perf_counter() - started
    stream.close()
    return {
        "server_ms": percentiles(server),
        "client_ms": percentiles(wall),
        "throughput_rps": round(samples / elapsed, 1) if elapsed else 0.0,
        "samples": samples,
        "errors": errors,
    }


def server_memory_mb(server_pid: int) -> dict:
    """Resident memory of the server now: its workers (each) and all its processes."""
    master = psutil.Process(server_pid)
    workers = [p.memory_info().rss / 2**20 for p in master.children(recursive=True)]
    return {
        "workers_mb": [round(w, 1) for w in workers],
        "total_mb": round(master.memory_info().rss / 2**20 + sum(workers), 1),
    }


def load_test(port: int, inputs: dict, args: argparse.Namespace, workdir: Path) -> dict:
    """Locust, headless, as a separate process (it uses gevent): simulated advocates with
    think time, the weighted mix in bench/locustfile.py. Read back from its CSV."""
    config = workdir / "locust-inputs.json"
    config.write_text(json.dumps(inputs))
    prefix = workdir / "locust"
    Path(f"{prefix}_stats.csv").unlink(missing_ok=True)
    run = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--host", f"http://127.0.0.1:{port}",
            # The advocates, and the one analyst of bench/locustfile.py beside them.
            "--users", str(args.users + 1), "--spawn-rate", str(args.spawn_rate),
            "--run-time", f"{args.duration}s", "--stop-timeout", "10",
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        ],
        env={**os.environ, "PUENTE_BENCH_INPUTS": str(config)},
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # Locust exits 1 when any request failed; that is a result, not a crash. No CSV is.
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust failed ({run.returncode}):\n{run.stderr[-3000:]}")
    with stats.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows.pop("Aggregated")
    failures_csv = Path(f"{prefix}_failures.csv")
    failures = list(csv.DictReader(failures_csv.open(newline=""))) if failures_csv.exists() else []
    return {
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "duration_s": args.duration,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput_rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            name: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
            }
            for name, row in rows.items()
        },
        # What failed, as locust saw it (status or exception), to chase without a rerun.
        "failure_details": [
            {"request": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
            for f in failures
        ],
    }


# --- One database, the whole run -------------------------------------------------------------


def bench_database(kind: str, args: argparse.Namespace) -> dict:
    url = database_url(kind, args.contacts, args.tiny, args.years)
    # Logs and locust's files of this run (kept for a full run, removed for --tiny).
    workdir = BENCH_DATA / f"{datetime.now():%Y%m%d-%H%M%S}-{kind}-{os.getpid()}"
    workdir.mkdir(parents=True)
    try:
        result = measure_database(kind, url, args, workdir)
    finally:
        if args.tiny:
            drop_database(url)
    clean = (
        not result["server_log"]["tracebacks"]
        and not result["load"]["failures"]
        and not result["streams"]["dropped"]
    )
    if args.tiny and clean:  # a failed tiny run keeps its logs to be read
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def measure_database(kind: str, url: str, args: argparse.Namespace, workdir: Path) -> dict:
    env = production_env(url)
    print(f"== {kind}: {url}", flush=True)
    phases: dict[str, float] = {}
    started = time.monotonic()
    ensure_database(url, args.contacts, args.tiny, env, args.years)
    phases["database"] = time.monotonic() - started
    inputs = prepare(env, args.users)
    phases["prepare"] = time.monotonic() - started - sum(phases.values())
    result: dict = {
        "database": kind,
        "server_version": server_version(url),
        "data": {**inputs["counts"], "size_mb": database_size_mb(url)},
        "inputs": {
            key: inputs[key]
            for key in (
                "phone_national",
                "phone_with_history_contacts",
                "phone_without_history",
                "case_reference",
                "person_name",
                "word_en",
                "word_es",
                "phrase_en",
                "phrase_es",
                "old_word",
            )
        },
    }
    port = free_port()
    log = workdir / "server.log"
    with production_server(env, port, args.workers, log) as server:
        phases["server start"] = time.monotonic() - started - sum(phases.values())
        watch = MemoryWatch(server.pid)
        watch.start()
        print(f"  measuring {args.samples} requests per operation …", flush=True)
        client = Client(port, inputs["sessions"][0], inputs["csrf"])
        ops, plan = measure_operations(client, inputs, url, args.samples)
        ops.update(measure_channels(port, inputs, env, url, args.samples))
        phases["operations"] = time.monotonic() - started - sum(phases.values())
        # The whole floor connected: every advocate's page holds its live stream open while
        # a call rings and while the load test runs.
        print(f"  {args.streams} live streams held open …", flush=True)
        idle_mb = server_memory_mb(server.pid)
        streams = open_streams(port, inputs["sessions"], args.streams)
        time.sleep(1)  # let the server settle its new connections before reading memory
        held_mb = server_memory_mb(server.pid)
        ops[report.SCREEN_POP] = measure_screen_pop(port, inputs, env, args.samples)
        phases["live streams"] = time.monotonic() - started - sum(phases.values())
        print(f"  load test: {args.users} users for {args.duration} s …", flush=True)
        result["load"] = load_test(port, inputs, args, workdir)
        phases["load test"] = time.monotonic() - started - sum(phases.values())
        result["streams"] = {
            "held": args.streams,
            "opened": sum(s.open for s in streams),
            # Closed by the server (or failed) before the bench let go: each is an error.
            "dropped": sum(s.closed.is_set() or not s.open for s in streams),
            "events_received": sum(s.received for s in streams),
            "server_memory_without_streams_mb": idle_mb["total_mb"],
            "server_memory_with_streams_mb": held_mb["total_mb"],
            "server_memory_after_load_mb": server_memory_mb(server.pid)["total_mb"],
        }
        for stream in streams:
            stream.close()
        watch.stop.set()
        watch.join()
    raw_p95 = ops[report.RAW_SQL]["server_ms"]["p95"]
    result["operations"] = ops
    result["raw_sql"] = {"query": RAW_LOOKUP_SQL.format(p="?"), "plan": plan}
    lookup = ops["phone lookup (history)"]
    result["lookup_ratio_to_raw_sql"] = round(lookup["server_ms"]["p95"] / max(raw_p95, 0.001), 1)
    result["lookup_ratio_to_floor"] = {
        which: {
            side: round(lookup[f"{side}_ms"]["p95"] / max(ops[name][f"{side}_ms"]["p95"], 0.001), 1)
            for side in ("client", "server")
        }
        for which, name in (
            ("anonymous", report.FLOOR_ANONYMOUS),
            ("signed_in", report.FLOOR_SIGNED_IN),
        )
    }
    result["worker_peak_mb"] = round(watch.peak_mb, 1)
    # A 500 is counted where it happened; the traceback count says whether any occurred.
    result["server_log"] = {
        "path": str(log.relative_to(ROOT)),
        "tracebacks": log.read_text().count("Traceback"),
    }
    result["memory_samples"] = watch.samples
    result["verdicts"] = report.verdicts(result)
    result["phases_s"] = {name: round(seconds, 1) for name, seconds in phases.items()}
    return result


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
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
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument(
        "--years",
        type=int,
        default=YEARS,
        help=f"the years the contacts span ({YEARS}); more years at the same contacts a year "
        "show what the years alone cost",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help=f"{TINY_CONTACTS:,} contacts made fresh, 40 samples, 5 users for 10 s, 20 streams (CI)",
    )
    parser.add_argument("--samples", type=int, default=200, help="requests per operation")
    parser.add_argument("--users", type=int, default=100, help="simulated advocates")
    parser.add_argument("--spawn-rate", type=int, default=20, help="advocates started per second")
    parser.add_argument("--duration", type=int, default=120, help="load test, seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--streams", type=int, help="advocates' live streams held open (200; 20 with --tiny)"
    )
    parser.add_argument("--json", type=Path, help="default var/bench-results-<time>.json")
    args = parser.parse_args(argv)
    if args.tiny:
        args.contacts, args.samples, args.users, args.duration = TINY_CONTACTS, 40, 5, 10
        args.streams = 20 if args.streams is None else args.streams
    if args.streams is None:
        args.streams = 200
        args.spawn_rate = 5
    args.kinds = database_kinds(parser, args.databases)
    return args


def main() -> None:
    args = parse_args()
    # Stopped from outside (CI timeout, kill): unwind so the server and locust stop too.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    started = datetime.now(UTC)
    results = [bench_database(kind, args) for kind in args.kinds]
    full = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "bench/run.py " + " ".join(sys.argv[1:]),
        "settings": {
            "contacts": args.contacts,
            "years": args.years,
            "samples": args.samples,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration_s": args.duration,
            "workers": args.workers,
            "threads_per_worker": 4,
            "streams": args.streams,
        },
        "results": results,
    }
    path = args.json or ROOT / "var" / f"bench-results-{started:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(full, indent=2, ensure_ascii=False))
    print("\n" + report.markdown(full) + "\n")
    for result in results:
        missed = [v["check"] for v in result["verdicts"] if not v["met"]]
        print(f"{result['database']}: targets missed: {', '.join(missed) if missed else 'none'}")
    print(f"JSON: {path}")


if __name__ == "__main__":
    main()
