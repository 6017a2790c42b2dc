"""Promises about the repository itself, checked on every run."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_code_passes_the_linter_and_the_formatter():
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run(
        [*ruff, "check", "puente", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [*ruff, "format", "--check", "puente", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout


def test_no_asset_is_loaded_from_another_origin():
    """Static files ship with the project: a hotline on a closed network must still work."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "puente").rglob("*")
        if path.suffix in {".html", ".css", ".js"}
        and "vendor" not in path.parts
        and any(
            marker in path.read_text(encoding="utf-8")
            for marker in ('src="http', 'href="http', "url(http", "@import url(")
        )
    ]
    assert offenders == []


def test_responses_carry_server_timing(client):
    response = client.get("/accounts/login/")
    assert response["Server-Timing"].startswith("app;dur=")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
