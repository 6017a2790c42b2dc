"""`puente serve`, the configuration checks, and the `puente` command's demo environment
(`puente demo` itself and its data: tests/sampledata)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from puente import cli
from puente.core.checks import configuration_warnings, insecure_configuration_reasons
from puente.core.management import server

# `serve` checks the practice sandbox's migrations too.
pytestmark = pytest.mark.django_db(databases=["default", "practice"])


@pytest.fixture
def no_server(monkeypatch):
    calls = []
    monkeypatch.setattr(server, "run_server", lambda **kwargs: calls.append(kwargs))
    return calls


# --- puente serve ------------------------------------------------------------------------------

STRONG_KEY = "Xq7-vR2_mK9pL4sT8wZ1nB6cD3fG5hJ0aE-yU7iO2qW9rT4eY1uI8oP6aS3dF5gH"


def secure(**overrides):
    values = dict(
        PUENTE_DEMO=False,
        DEBUG=False,
        SECRET_KEY=STRONG_KEY,
        INSECURE_SECRET_PREFIX="insecure-",
        PUENTE_MFA_REQUIRED=True,
        ALLOWED_HOSTS=["hotline.example.org"],
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        PUENTE_AUDIT_KEY=STRONG_KEY[::-1],
    )
    values.update(overrides)
    return SimpleNamespace(**values)


def test_a_secure_configuration_has_no_reasons():
    assert insecure_configuration_reasons(secure()) == []
    assert insecure_configuration_reasons(secure(ALLOWED_HOSTS=[".hotline.example.org"])) == []


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ({"PUENTE_DEMO": True}, "PUENTE_DEMO"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "insecure-" + "x" * 60}, "placeholder"),
        ({"SECRET_KEY": "short-but-random-9f8e7d"}, "too short"),
        ({"SECRET_KEY": "a" * 60}, "not random"),
        ({"SECRET_KEY": "abcde" * 12}, "not random"),
        ({"SECRET_KEY": "change-me-" * 6}, "not random"),
        ({"SECRET_KEY": "abcdefghijklmnopqrstuvwxyz" * 2}, "not random"),
        ({"PUENTE_MFA_REQUIRED": False}, "PUENTE_MFA_REQUIRED"),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ["hotline.example.org", "*"]}, "ALLOWED_HOSTS contains"),
        ({"ALLOWED_HOSTS": [".org"]}, "ALLOWED_HOSTS contains .org"),
        ({"ALLOWED_HOSTS": ["."]}, "ALLOWED_HOSTS contains ."),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"CSRF_COOKIE_SECURE": False}, "CSRF_COOKIE_SECURE"),
        ({"PUENTE_AUDIT_KEY": ""}, "PUENTE_AUDIT_KEY is missing"),
        ({"PUENTE_AUDIT_KEY": "short-but-random-9f8e7d"}, "PUENTE_AUDIT_KEY is too short"),
    ],
)
def test_each_insecure_setting_is_named(override, names):
    reasons = insecure_configuration_reasons(secure(**override))
    assert len(reasons) == 1
    assert names in reasons[0]


def test_every_problem_is_listed_at_once():
    reasons = insecure_configuration_reasons(
        secure(
            PUENTE_DEMO=True,
            DEBUG=True,
            SECRET_KEY="insecure-x",
            PUENTE_MFA_REQUIRED=False,
            ALLOWED_HOSTS=["*"],
            SESSION_COOKIE_SECURE=False,
            CSRF_COOKIE_SECURE=False,
        )
    )
    assert len(reasons) == 7


def test_sqlite_is_allowed_with_a_warning():
    config = secure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3"}},
        SECURE_HSTS_SECONDS=31536000,
        SECURE_SSL_REDIRECT=True,
    )
    assert insecure_configuration_reasons(config) == []
    assert [w for w in configuration_warnings(config) if "SQLite" in w]
    postgres = secure(
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql"}},
        SECURE_HSTS_SECONDS=31536000,
        SECURE_SSL_REDIRECT=True,
    )
    assert configuration_warnings(postgres) == []


def test_serve_refuses_an_insecure_configuration_listing_every_reason(settings, no_server):
    settings.PUENTE_DEMO = True
    settings.DEBUG = True
    settings.SECRET_KEY = "insecure-set-SECRET_KEY-in-the-environment"
    settings.PUENTE_MFA_REQUIRED = False
    settings.ALLOWED_HOSTS = ["*"]

    with pytest.raises(CommandError) as refused:
        call_command("serve", stdout=io.StringIO(), stderr=io.StringIO())

    message = str(refused.value)
    for name in [
        "PUENTE_DEMO",
        "DEBUG",
        "SECRET_KEY",
        "PUENTE_MFA_REQUIRED",
        "ALLOWED_HOSTS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]:
        assert name in message
    assert no_server == []


def test_serve_collects_static_files_and_starts_gunicorn(settings, no_server, tmp_path):
    settings.SECRET_KEY = STRONG_KEY
    settings.ALLOWED_HOSTS = ["hotline.example.org"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.STATIC_ROOT = tmp_path / "static"
    out, err = io.StringIO(), io.StringIO()

    settings.PUENTE_EVENTS_BACKEND = "postgres"
    call_command("serve", "--bind", "0.0.0.0:9000", "--workers", "3", stdout=out, stderr=err)

    assert no_server == [{"bind": "0.0.0.0:9000", "workers": 3}]
    assert (tmp_path / "static" / "puente" / "puente.css").exists()
    assert "Serving" in out.getvalue()
    assert "unapplied migrations" not in err.getvalue()


def test_gunicorn_application_takes_the_given_options():
    app = server.PuenteServer(
        {"bind": "127.0.0.1:9001", "workers": 2, "worker_class": server.WORKER_CLASS}
    )
    assert app.cfg.bind == ["127.0.0.1:9001"]
    assert app.cfg.workers == 2
    assert app.cfg.worker_class_str == server.WORKER_CLASS


def test_serve_runs_one_process_when_live_events_travel_in_memory(settings, no_server, tmp_path):
    settings.SECRET_KEY = STRONG_KEY
    settings.ALLOWED_HOSTS = ["hotline.example.org"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PUENTE_EVENTS_BACKEND = "memory"
    err = io.StringIO()

    call_command("serve", "--workers", "3", stdout=io.StringIO(), stderr=err)

    assert no_server == [{"bind": "127.0.0.1:8000", "workers": 1}]
    assert "PUENTE_EVENTS_BACKEND=memory" in err.getvalue()


# --- puente.cli ----------------------------------------------------------------------------------


@pytest.fixture
def clean_environ(monkeypatch, tmp_path):
    names = {
        "PUENTE_DEMO",
        "PUENTE_COUNTRY",
        "DEBUG",
        "DATABASE_URL",
        "SECRET_KEY_FILE",
        "SECRET_KEY",
        "PUENTE_AUDIT_KEY",
        "PUENTE_AUDIT_KEY_FILE",
    }
    environ = {k: v for k, v in os.environ.items() if k not in names}
    environ["PUENTE_DATA_DIR"] = str(tmp_path)
    monkeypatch.setattr(os, "environ", environ)
    return environ


def test_cli_demo_environment_uses_a_country_database_and_a_private_key_file(
    clean_environ, tmp_path
):
    cli._demo_environment(["demo", "--country", "mx", "--no-serve"])
    audit_key = tmp_path / "demo-audit-key"
    assert clean_environ["PUENTE_AUDIT_KEY_FILE"] == str(audit_key)
    assert oct(audit_key.stat().st_mode & 0o777) == "0o600"
    assert len(audit_key.read_text()) >= 32

    assert clean_environ["PUENTE_COUNTRY"] == "MX"
    assert clean_environ["PUENTE_DEMO"] == "true"
    assert clean_environ["DATABASE_URL"] == f"sqlite:///{tmp_path / 'demo-mx.sqlite3'}"
    key_file = tmp_path / "demo-secret-key"
    assert clean_environ["SECRET_KEY_FILE"] == str(key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(key_file.read_text()) >= 50

    key = key_file.read_text()
    clean_environ.pop("DATABASE_URL")
    cli._demo_environment(["demo", "--country=US"])
    assert key_file.read_text() == key  # reused, so demo sessions survive a restart
    assert clean_environ["DATABASE_URL"].endswith("demo-us.sqlite3")


def test_cli_demo_environment_keeps_an_explicit_database(clean_environ):
    clean_environ["DATABASE_URL"] = "postgres://demo@db/demo"
    cli._demo_environment(["demo"])
    assert clean_environ["DATABASE_URL"] == "postgres://demo@db/demo"
    assert clean_environ["PUENTE_COUNTRY"] == "US"


def test_a_bad_setting_stops_any_command_with_one_line_not_a_traceback():
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE_", "DEBUG"))}
    result = subprocess.run(
        [sys.executable, "-m", "puente", "serve"],
        env={**environ, "DEBUG": "maybe"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Puente cannot start: DEBUG='maybe' is not a boolean" in result.stderr
    assert "Traceback" not in result.stderr
