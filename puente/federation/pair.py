"""Two hotlines on one machine, paired: `puente demo --pair`, and the two-process tests.

Each side is a separate Puente — its own database, its own signing key, its own server
and worker processes — exactly as two real deployments would be; they only meet over
HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DEMO_PASSWORD = "puente-demo-2026"  # puente.sampledata.demo.DEMO_PASSWORD, without Django
HOTLINE_NAMES = {
    "US": "National Human Trafficking Hotline (demo)",
    "MX": "Línea Nacional contra la Trata de Personas (demo)",
}


@dataclass
class Side:
    country: str
    port: int
    data_dir: Path
    database_url: str = ""
    extra_env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def key_file(self) -> Path:
        return self.data_dir / f"demo-{self.country.lower()}-signing-key.pem"

    def env(self) -> dict:
        env = dict(os.environ)
        for name in [n for n in env if n.startswith(("PUENTE_", "DJANGO_"))]:
            env.pop(name)  # the parent's hotline settings are not this side's
        env.update(
            {
                "PUENTE_DEMO": "true",
                "PUENTE_COUNTRY": self.country,
                "PUENTE_DATA_DIR": str(self.data_dir),
                "PUENTE_HOTLINE_NAME": HOTLINE_NAMES[self.country],
                "PUENTE_SIGNING_KEY_FILE": str(self.key_file),
                "DATABASE_URL": self.database_url
                or f"sqlite:///{self.data_dir / f'demo-{self.country.lower()}.sqlite3'}",
                # A demo shows retries within seconds, not minutes.
                "PUENTE_EXCHANGE_BACKOFF_MS": "1000",
                "PUENTE_EXCHANGE_BACKOFF_MAX_MS": "5000",
                "PUENTE_WORKER_SWEEP_SECONDS": "2",
                "PUENTE_EXCHANGE_LEASE_SECONDS": "5",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("SECRET_KEY", None)
        env.update(self.extra_env)
        return env

    def puente(
        self, *args: str, check: bool = True, key: bool = True
    ) -> subprocess.CompletedProcess:
        env = self.env()
        if not key:  # the key file is being made
            env.pop("PUENTE_SIGNING_KEY_FILE")
        return subprocess.run(
            [sys.executable, "-m", "puente", *args],
            env=env,
            capture_output=True,
            text=True,
            check=check,
        )

    def spawn(self, *args: str, log: Path | None = None) -> subprocess.Popen:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "puente", *args],
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def public_key(self) -> dict:
        return json.loads(self.puente("keys", "show", "--json").stdout)

    def stop(self, process: subprocess.Popen | None = None, *, sig=signal.SIGTERM) -> None:
        for p in [process] if process else list(self.processes):
            if p.poll() is None:
                os.killpg(p.pid, sig)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            if p in self.processes:
                self.processes.remove(p)


def prepare(side: Side) -> None:
    """Database, demo data and a signing key for one side (idempotent)."""
    side.data_dir.mkdir(parents=True, exist_ok=True)
    if not side.key_file.exists():
        side.puente("keys", "new", "--out", str(side.key_file), key=False)
    side.puente("demo", "--country", side.country, "--no-serve")


def pair(a: Side, b: Side) -> None:
    """Register each side with the other (skipped when already done)."""
    for here, there in ((a, b), (b, a)):
        key = there.public_key()
        listed = here.puente("partners", "list").stdout
        if key["key_id"] in listed:
            continue
        here.puente(
            "partners",
            "add",
            "--name",
            HOTLINE_NAMES[there.country],
            "--country",
            there.country,
            "--url",
            there.url,
            "--public-key",
            key["public_key"],
        )


def start_server(side: Side, log: Path | None = None) -> subprocess.Popen:
    process = side.spawn("demo", "--country", side.country, "--port", str(side.port), log=log)
    wait_until_up(side.url, process)
    return process


def start_worker(side: Side, log: Path | None = None) -> subprocess.Popen:
    return side.spawn("worker", "--interval", "0.2", log=log)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def run_pair(*, us_port: int, mx_port: int, data_dir: Path) -> None:
    """`puente demo --pair`: both hotlines, paired, until Ctrl+C."""
    us = Side("US", us_port, data_dir)
    mx = Side("MX", mx_port, data_dir)

    def _stop(signum, frame):
        raise KeyboardInterrupt

    # A service manager stops us with SIGTERM: the children must go with us.
    signal.signal(signal.SIGTERM, _stop)
    print("Preparing both hotlines (first time: about a minute) …", flush=True)
    for side in (us, mx):
        prepare(side)
    pair(us, mx)
    try:
        for side in (us, mx):
            start_server(side, log=data_dir / f"demo-{side.country.lower()}.log")
            start_worker(side, log=data_dir / f"demo-{side.country.lower()}-worker.log")
        lines = [
            "Puente — two hotlines, paired across the border (all data fictional)",
            "",
            f"U.S. hotline     {us.url}/   (English)",
            f"Mexico hotline   {mx.url}/   (Spanish)",
            f"Password         {DEMO_PASSWORD}   (every demo login; no MFA in the demo)",
            "Logins           liaison, advocate, supervisor, administrator, analyst",
            "",
            "Watch a referral cross the border:",
            "  1. U.S.: sign in as liaison, open a case, 'Refer to the partner hotline'.",
            "  2. Mexico: sign in as liaison, 'Partner referrals', accept it, open a case.",
            "  3. U.S.: the case shows Mexico's status updates.",
            f"Logs in {data_dir}/demo-*.log. Stop with Ctrl+C.",
        ]
        width = max(len(line) for line in lines) + 2
        print("┌" + "─" * width + "┐")
        for line in lines:
            print("│ " + line.ljust(width - 1) + "│")
        print("└" + "─" * width + "┘", flush=True)
        while all(p.poll() is None for p in us.processes + mx.processes):
            time.sleep(1)
        print("A process stopped; shutting the pair down.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        us.stop()
        mx.stop()
