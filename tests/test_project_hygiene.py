"""Promises about the repository itself, checked on every run."""

import re
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


# What makes a browser fetch something: a script, style sheet, image, frame or media
# source, or a CSS url()/@import. A link the visitor may follow (WhatsApp's wa.me) is not.
LOADS_FROM_ELSEWHERE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*"
    r"\b(?:src|href|data|srcset)=[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//|@import\s",
    re.IGNORECASE,
)


def test_no_asset_is_loaded_from_another_origin():
    """Static files ship with the project: a hotline on a closed network must still work."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "puente").rglob("*")
        if path.suffix in {".html", ".css", ".js"}
        and "vendor" not in path.parts
        and LOADS_FROM_ELSEWHERE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_asset_check_sees_what_a_browser_would_fetch():
    for loads in (
        '<script src="https://cdn.example/htmx.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        "body { background: url(https://example.org/bg.png) }",
        '@import "https://example.org/x.css";',
    ):
        assert LOADS_FROM_ELSEWHERE.search(loads), loads
    assert not LOADS_FROM_ELSEWHERE.search('<a href="https://wa.me/5215555555555">WhatsApp</a>')


def test_responses_carry_server_timing(client):
    response = client.get("/accounts/login/")
    assert response["Server-Timing"].startswith("app;dur=")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
