"""Two real Puente deployments for the tests: the U.S. and Mexican hotlines as separate
processes (server + worker each), each on its own database — two SQLite files, or two
PostgreSQL databases when the suite runs on PostgreSQL — talking over loopback.

The U.S. side reaches Mexico through `Wire`, a small HTTP relay in the test process, so a
test can record what crossed, replay it, or swallow Mexico's answer (the worker then
waits, and can be killed mid-delivery).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from puente.federation.pair import HOTLINE_NAMES, Side, prepare, start_server, start_worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wire:
    """Relay U.S. → Mexico. `hold` keeps Mexico's answers from reaching the sender.
    `fake` puts a stub on Mexico's address instead: it answers every message itself
    with a 202 echoing the message id — unsigned ("unsigned"), or signed with the
    Ed25519 private key `fake` is set to — and Mexico never sees the message."""

    # Hop-by-hop and framing headers the relay writes itself.
    SKIP = {"content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"}

    def __init__(self, target: str):
        self.target = target
        self.port = free_port()
        self.requests: list[dict] = []
        self.forwarded = threading.Event()
        self.release = threading.Event()
        self.hold = False
        self.fake = None
        self.faked = 0
        wire = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in {"host", "content-length"}
                }
                if wire.fake is not None:
                    self._answer(wire.stub_answer(headers))
                    return
                wire.requests.append({"path": self.path, "headers": headers, "body": body})
                try:
                    answer = requests.post(
                        wire.target + self.path, data=body, headers=headers, timeout=30
                    )
                except requests.RequestException:
                    self.send_error(502)
                    return
                wire.forwarded.set()
                if wire.hold:
                    wire.release.wait(60)
                    return  # the connection closes with no answer
                self._answer(answer)

            def _answer(self, answer):
                # Mexico's own headers, the signature among them, pass through unchanged.
                self.send_response_only(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in Wire.SKIP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stub_answer(self, headers: dict) -> requests.Response:
        from tests.federation.conftest import answer

        self.faked += 1
        message_id = next(v for k, v in headers.items() if k.lower() == "puente-message-id")
        return answer(
            {"message_id": message_id, "status": "accepted"},
            private_key=None if self.fake == "unsigned" else self.fake,
            message_id=message_id,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


class Hotline:
    """One running deployment, with quick reads of its database for assertions."""

    def __init__(self, side: Side, log_dir: Path):
        self.side = side
        self.log_dir = log_dir
        self.server = None
        self.worker = None

    def start_server(self):
        self.server = start_server(self.side, log=self.log_dir / f"{self.side.country}-server.log")

    def start_worker(self):
        self.worker = start_worker(self.side, log=self.log_dir / f"{self.side.country}-worker.log")

    def stop_server(self):
        self.side.stop(self.server)

    def stop_worker(self, *, kill: bool = False):
        import signal

        self.side.stop(self.worker, sig=signal.SIGKILL if kill else signal.SIGTERM)

    def shell(self, code: str) -> str:
        return self.side.puente("shell", "-c", code).stdout

    def rows(self, sql: str, params=()) -> list[tuple]:
        url = self.side.env()["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
            return connection.execute(sql, params).fetchall()

    def count(self, table: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]

    def wait_for(self, sql: str, expected, *, timeout: float = 60, params=()) -> list[tuple]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.rows(sql, params)
            if found == expected or (callable(expected) and expected(found)):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.side.country}: {sql} gave {found}, expected {expected}"
                )
            time.sleep(0.25)


def _databases(base_url: str):
    """Two fresh PostgreSQL databases beside the suite's, or None for SQLite."""
    if not base_url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    prefix, suite = base_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    root = f"{prefix}/postgres"  # the maintenance database: the suite's may not exist yet
    # Named after the suite's database, so two suites on one server never share a pair.
    suite = suite.split("?")[0] or "puente"
    names = {"US": f"{suite}_pair_us", "MX": f"{suite}_pair_mx"}
    # Each with its practice sandbox, as an operator creates it ("<name>_practice").
    created = [*names.values(), *(f"{name}_practice" for name in names.values())]
    with psycopg.connect(root, autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    return {country: f"{prefix}/{name}" for country, name in names.items()}, root, created


@contextmanager
def two_hotlines(data_dir: Path):
    """Both hotlines prepared (demo data, keys), paired, servers and workers running."""
    dbs = _databases(os.environ.get("DATABASE_URL", ""))
    us = Side("US", free_port(), data_dir, database_url=dbs[0]["US"] if dbs else "")
    mx = Side("MX", free_port(), data_dir, database_url=dbs[0]["MX"] if dbs else "")
    for side in (us, mx):
        # The worker waits for an answer longer than the tests take to kill it.
        side.extra_env["PUENTE_EXCHANGE_TIMEOUT_SECONDS"] = "30"
        # Low enough for a test to flood past in a second or two.
        side.extra_env["PUENTE_EXCHANGE_RATE_PER_SOURCE"] = "100"
        # These tests are about delivery, not the supervisor's approval (on by default;
        # tests/federation/test_approval.py covers it): a referral goes straight out.
        side.extra_env["PUENTE_APPROVE_CROSS_BORDER"] = "false"
        # Nor about the monthly trends, which the worker's schedule would send at once
        # (tests/sharing/test_trends_two_hotlines.py sends them when it means to).
        side.extra_env["PUENTE_TREND_TABLES"] = ""
        prepare(side)
    wire = Wire(mx.url)
    _register(us, mx, url=wire.url)
    _register(mx, us, url=us.url)
    hotlines = Hotline(us, data_dir), Hotline(mx, data_dir)
    try:
        for hotline in hotlines:
            hotline.start_server()
            hotline.start_worker()
        yield (*hotlines, wire)
    finally:
        wire.close()
        us.stop()
        mx.stop()
        if dbs:
            import psycopg

            with psycopg.connect(dbs[1], autocommit=True) as connection:
                for name in dbs[2]:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _register(here: Side, there: Side, *, url: str) -> None:
    key = there.public_key()
    here.puente(
        "partners",
        "add",
        "--name",
        HOTLINE_NAMES[there.country],
        "--country",
        there.country,
        "--url",
        url,
        "--public-key",
        key["public_key"],
    )
