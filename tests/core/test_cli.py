"""`puente demo` and `puente serve`, the demo data, and the configuration checks."""

from __future__ import annotations

import io
import os
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from puente import cli
from puente.accounts.models import User
from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from puente.cases.models import Case, CaseAccess, Identifier, Task
from puente.core import demo_data
from puente.core.checks import configuration_warnings, insecure_configuration_reasons
from puente.core.geography import is_subdivision_of
from puente.core.management import server
from puente.intake.models import Contact
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_settings(settings):
    settings.PUENTE_DEMO = True
    settings.PUENTE_MFA_REQUIRED = False
    return settings


@pytest.fixture
def no_server(monkeypatch):
    calls = []
    monkeypatch.setattr(server, "run_server", lambda **kwargs: calls.append(kwargs))
    return calls


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Contact.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )


# --- puente demo -------------------------------------------------------------------------------


def test_demo_seeds_once_and_reuses_on_the_second_run(demo_settings):
    first = run_demo()
    after_first = counts()
    second = run_demo()

    assert "Creating the demo hotline (US)" in first
    assert counts() == after_first
    assert "Reusing demo data in" in second
    assert "Creating" not in second
    for output in (first, second):
        assert demo_data.DEMO_PASSWORD in output
        assert "not required" in output  # MFA
        for username in ["advocate", "supervisor", "liaison", "analyst", "administrator"]:
            assert f"  {username} " in output
        assert "+1 713-555-0142" in output  # the known caller to try
    assert after_first[:3] == (demo_data.TARGET_CONTACTS, demo_data.TARGET_CASES, 7)


def test_demo_leaves_a_valid_audit_chain_with_one_create_per_case(demo_settings):
    run_demo()

    result = verify_chain()
    assert result.ok, result.problem
    # One "create" per case, and the directory listings the administrator added.
    assert Case.objects.count() == demo_data.TARGET_CASES
    case_entries = AuditEntry.objects.filter(object_type="case")
    assert case_entries.count() == demo_data.TARGET_CASES
    assert result.checked == AuditEntry.objects.count()
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"create"}


def test_us_demo_data_covers_what_a_newcomer_should_see(demo_settings):
    run_demo()

    contacts = Contact.objects.all()
    phone_share = contacts.filter(channel="phone").count() / contacts.count()
    assert 0.55 < phone_share < 0.85
    assert contacts.filter(reason="hang_up").count() > 20
    assert contacts.filter(reason="general_info").count() > 30
    assert contacts.filter(language="eng").count() > contacts.filter(language="spa").count() > 20
    assert all(
        c.subdivision == "" or c.subdivision.startswith(("US-", "MX-"))
        for c in contacts.only("subdivision")
    )
    english = contacts.filter(language="eng", reason="general_info").first()
    assert english.summary and "la " not in english.summary.lower()[:3]

    statuses = dict.fromkeys(["new", "active", "referred", "monitoring", "closed"], 0)
    for case in Case.objects.all():
        statuses[case.status] += 1
        assert case.reference.startswith("US-")
        assert case.forms_of_exploitation and case.venues and case.methods_of_control
        assert case.persons.filter(role="potential_victim").exists()
        assert case.persons.filter(role="exploiter").exists()
        if case.status == "closed":
            assert case.closing_reason and case.closed_at
    assert all(statuses.values()), statuses
    assert Case.objects.filter(persons__is_business=True).exists()
    assert Case.objects.filter(imminent_danger=True).exclude(status="closed").count() >= 2

    restricted = list(Case.objects.filter(restricted=True))
    assert len(restricted) == 2
    assert CaseAccess.objects.filter(case__in=restricted, user__username="supervisor").count() == 1

    today = demo_data.timezone.localdate()
    overdue = Task.objects.filter(done_at__isnull=True, due_date__lt=today)
    assert overdue.exists()
    assert set(overdue.values_list("assignee__role", flat=True)) == {"advocate"}
    assert all(u.language == "en" for u in User.objects.all())


def test_known_caller_and_an_exploiter_phone_recur_across_records(demo_settings):
    run_demo()

    known = "+17135550142"
    assert Contact.objects.filter(phone=known).count() >= 3
    assert Contact.objects.filter(phone=known, case__isnull=False).exists()
    assert Identifier.objects.filter(kind="phone", normalised=known).exists()
    assert demo_data.recurring_counts().get("+17025550187") == 3


def test_mx_demo_is_a_mexican_hotline_in_spanish(demo_settings):
    demo_settings.PUENTE_COUNTRY = "MX"
    demo_settings.LANGUAGE_CODE = "es"

    output = run_demo("--country", "MX")

    assert "+52 55 5501 4270" in output
    contacts = Contact.objects.all()
    assert contacts.filter(language="spa").count() / contacts.count() > 0.85
    mexican = contacts.filter(country="MX").exclude(subdivision="")
    assert mexican.count() > 150
    assert all(is_subdivision_of(c.subdivision, "MX") for c in mexican)
    assert contacts.filter(channel="whatsapp").count() > 30
    assert contacts.filter(phone_raw__startswith="+52 1 ").exists()
    assert all(
        p.startswith("+52")
        for p in contacts.filter(country="MX").exclude(phone="").values_list("phone", flat=True)
    )
    spanish = contacts.filter(language="spa", reason="general_info").first()
    assert any(word in spanish.summary for word in [" la ", " de ", " el "])
    for case in Case.objects.all():
        assert case.reference.startswith("MX-")
        assert case.mx_forms_of_exploitation
    assert all(u.language == "es" for u in User.objects.all())
    assert verify_chain().ok


def test_demo_refuses_outside_demo_mode(settings):
    settings.PUENTE_DEMO = False
    with pytest.raises(CommandError, match="PUENTE_DEMO"):
        run_demo()
    assert User.objects.count() == 0


def test_demo_refuses_a_country_other_than_the_configured_one(demo_settings):
    with pytest.raises(CommandError, match="--country MX"):
        run_demo("--country", "MX")


def test_demo_refuses_to_mix_fictional_data_into_real_records(demo_settings):
    make_contact()
    with pytest.raises(CommandError, match="not demo data"):
        run_demo()
    assert Contact.objects.count() == 1
    assert not User.objects.filter(username="advocate").exists()


def test_demo_serves_on_the_requested_port(demo_settings, no_server):
    out = io.StringIO()
    call_command("demo", "--port", "8123", "--host", "0.0.0.0", stdout=out)

    assert no_server == [{"bind": "0.0.0.0:8123", "workers": 2, "threads": 4}]
    assert "http://127.0.0.1:8123/" in out.getvalue()


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
    )
    values.update(overrides)
    return SimpleNamespace(**values)


def test_a_secure_configuration_has_no_reasons():
    assert insecure_configuration_reasons(secure()) == []


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ({"PUENTE_DEMO": True}, "PUENTE_DEMO"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "insecure-" + "x" * 60}, "placeholder"),
        ({"SECRET_KEY": "short-but-random-9f8e7d"}, "too weak"),
        ({"SECRET_KEY": "a" * 60}, "too weak"),
        ({"PUENTE_MFA_REQUIRED": False}, "PUENTE_MFA_REQUIRED"),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ["hotline.example.org", "*"]}, "ALLOWED_HOSTS contains"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"CSRF_COOKIE_SECURE": False}, "CSRF_COOKIE_SECURE"),
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

    call_command("serve", "--bind", "0.0.0.0:9000", "--workers", "3", stdout=out, stderr=err)

    assert no_server == [{"bind": "0.0.0.0:9000", "workers": 3, "threads": 4}]
    assert (tmp_path / "static" / "puente" / "puente.css").exists()
    assert "Serving" in out.getvalue()
    assert "unapplied migrations" not in err.getvalue()


def test_gunicorn_application_takes_the_given_options():
    app = server.PuenteServer(
        {"bind": "127.0.0.1:9001", "workers": 2, "worker_class": "gthread", "threads": 3}
    )
    assert app.cfg.bind == ["127.0.0.1:9001"]
    assert app.cfg.workers == 2
    assert app.cfg.threads == 3


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
    }
    environ = {k: v for k, v in os.environ.items() if k not in names}
    environ["PUENTE_DATA_DIR"] = str(tmp_path)
    monkeypatch.setattr(os, "environ", environ)
    return environ


def test_cli_demo_environment_uses_a_country_database_and_a_private_key_file(
    clean_environ, tmp_path
):
    cli._demo_environment(["demo", "--country", "mx", "--no-serve"])

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
