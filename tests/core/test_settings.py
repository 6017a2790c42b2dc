"""The settings module: its env helpers fail loudly, .env.example lists every variable it
reads, and its defaults are secure in production and relaxed only for the demo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from puente import settings as puente_settings
from puente.settings import env, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("Yes", True),
        (" on ", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("PUENTE_X", raw)
    assert env_bool("PUENTE_X", not expected) is expected


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("PUENTE_X", raising=False)
    assert env_bool("PUENTE_X", True) is True
    monkeypatch.setenv("PUENTE_X", "")
    assert env_bool("PUENTE_X", False) is False


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("PUENTE_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PUENTE_X='maybe' is not a boolean"):
        env_bool("PUENTE_X", False)


def test_env_int_reads_checks_and_enforces_a_minimum(monkeypatch):
    monkeypatch.setenv("PUENTE_X", "30")
    assert env_int("PUENTE_X", 15, minimum=1) == 30
    monkeypatch.setenv("PUENTE_X", "fifteen")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("PUENTE_X", 15)
    monkeypatch.setenv("PUENTE_X", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 1"):
        env_int("PUENTE_X", 15, minimum=1)
    monkeypatch.delenv("PUENTE_X")
    assert env_int("PUENTE_X", 15) == 15


def test_env_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    monkeypatch.delenv("PUENTE_X", raising=False)
    monkeypatch.setenv("PUENTE_X_FILE", str(secret))
    assert env("PUENTE_X") == "s3cret-value"
    # The variable itself wins over the file.
    monkeypatch.setenv("PUENTE_X", "direct")
    assert env("PUENTE_X") == "direct"


def test_env_refuses_an_unreadable_secret_file(monkeypatch, tmp_path):
    monkeypatch.delenv("PUENTE_X", raising=False)
    monkeypatch.setenv("PUENTE_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="PUENTE_X_FILE=.* cannot be read"):
        env("PUENTE_X")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("PUENTE_X", " a.example , b.example,, ")
    assert env_list("PUENTE_X") == ["a.example", "b.example"]


def test_env_example_lists_every_variable_the_settings_read():
    source = Path(puente_settings.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z0-9_]+)"', source))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert len(read) > 15
    assert read - listed == set()


# --- Defaults, read by a fresh interpreter (settings are read once per process) -------------

PROBE = """
import json
from django.conf import settings
from puente.core.checks import insecure_configuration_reasons
print(json.dumps({
    "mfa": settings.PUENTE_MFA_REQUIRED, "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "debug": settings.DEBUG,
    "reasons": insecure_configuration_reasons(settings),
}))
"""


def probe(**environ) -> subprocess.CompletedProcess:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PUENTE_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"))
    }
    keep.update(DJANGO_SETTINGS_MODULE="puente.settings", **environ)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=keep,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# What `secrets.token_urlsafe(64)` printed once.
GOOD_KEY = (
    "q8Zr1fV-3xK_pW7nLc2TbYh9MuGe4dSa0jRo6Qi5tXw8vNz-kE1yAs_Hf3lUg7PmDb2CnJ4oW9rVt6ZqLx0Ke5Yh8Mu"
)


def test_production_defaults_are_secure_once_a_key_is_set():
    result = probe(
        SECRET_KEY=GOOD_KEY, PUENTE_AUDIT_KEY=GOOD_KEY[::-1], ALLOWED_HOSTS="hotline.example.org"
    )
    values = json.loads(result.stdout)
    assert values["reasons"] == []
    assert values["mfa"] is True and values["secure_cookies"] is True and values["debug"] is False


def test_without_a_secret_key_serve_would_refuse():
    values = json.loads(probe(PUENTE_AUDIT_KEY=GOOD_KEY[::-1]).stdout)
    assert len(values["reasons"]) == 1
    assert "SECRET_KEY" in values["reasons"][0]


def test_demo_mode_relaxes_mfa_and_cookies_and_serve_names_it():
    values = json.loads(probe(PUENTE_DEMO="true", PUENTE_COUNTRY="MX").stdout)
    assert values["mfa"] is False and values["secure_cookies"] is False
    assert values["language"] == "es" and values["tz"] == "America/Mexico_City"
    assert any("PUENTE_DEMO" in reason for reason in values["reasons"])
    assert any("PUENTE_MFA_REQUIRED" in reason for reason in values["reasons"])


def test_an_unknown_country_stops_start_up_by_name():
    result = probe(PUENTE_COUNTRY="CA")
    assert result.returncode != 0
    assert "PUENTE_COUNTRY='CA': choose US or MX" in result.stderr


def test_a_bad_boolean_stops_start_up_by_name():
    result = probe(DEBUG="sometimes")
    assert result.returncode != 0
    assert "DEBUG='sometimes' is not a boolean" in result.stderr
