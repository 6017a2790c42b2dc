"""`puente demo --pair`: both demo hotlines up, each knowing the other, and gone again
when the command is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.federation.two_hotlines import free_port

pytestmark = pytest.mark.two_hotlines


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_demo_pair_runs_both_hotlines_paired_and_stops_them(tmp_path):
    port = free_port()
    while not all(_free(p) for p in (port, port + 1)):
        port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["PUENTE_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "puente", "demo", "--pair", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        us, mx = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
        deadline = time.monotonic() + 180
        while not (_up(us) and _up(mx)):
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the pair never came up"
            time.sleep(0.5)
        listed = {
            country: subprocess.run(
                [sys.executable, "-m", "puente", "partners", "list"],
                env={
                    **env,
                    "PUENTE_DEMO": "true",
                    "PUENTE_COUNTRY": country,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'pair' / f'demo-{country.lower()}.sqlite3'}",
                },
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for country in ("US", "MX")
        }
        assert f"(MX) {mx}" in listed["US"]
        assert f"(US) {us}" in listed["MX"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    time.sleep(1)
    assert not _up(us) and not _up(mx)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
