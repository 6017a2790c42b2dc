from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from puente.accounts.models import ApiKey, User
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from tests.factories import make_user

STRONG = "violet harbour lantern 1987"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_createadmin_with_flags_creates_a_staff_administrator(tmp_path):
    password_file = tmp_path / "pw"
    password_file.write_text(STRONG + "\n")
    out = run(
        "createadmin",
        "--username",
        "rosa",
        "--email",
        "rosa@example.org",
        "--password-file",
        str(password_file),
        "--no-input",
    )
    user = User.objects.get(username="rosa")
    assert user.role == Role.ADMINISTRATOR and user.is_staff and not user.is_superuser
    assert user.email == "rosa@example.org" and user.check_password(STRONG)
    assert "two-step verification" in out and "/accounts/login/" in out
    entry = AuditEntry.objects.get(action="create", object_type="user")
    assert entry.object_id == str(user.pk) and entry.via == "cli"


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["short1", "password1234", "12345678901234"])
def test_createadmin_refuses_weak_passwords(weak):
    with pytest.raises(CommandError):
        run("createadmin", "--username", "rosa", "--email", "", "--password", weak, "--no-input")
    assert not User.objects.filter(username="rosa").exists()


@pytest.mark.django_db
def test_createadmin_refuses_a_taken_username():
    make_user(Role.ADVOCATE, username="rosa")
    with pytest.raises(CommandError, match="already taken"):
        run("createadmin", "--username", "rosa", "--email", "", "--password", STRONG, "--no-input")
    assert User.objects.get(username="rosa").role == Role.ADVOCATE


@pytest.mark.django_db
def test_createadmin_asks_interactively(monkeypatch):
    answers = iter(["rosa", "rosa@example.org"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": STRONG)
    run("createadmin")
    assert User.objects.get(username="rosa").check_password(STRONG)


@pytest.mark.django_db
def test_apikey_create_prints_the_raw_key_once_and_it_works():
    make_user(Role.ADVOCATE, username="bridge")
    out = run(
        "apikey",
        "create",
        "--name",
        "Telephony bridge",
        "--user",
        "bridge",
        "--scope",
        "phone.lookup",
    )
    raw = re.search(r"^(pk_\S+)$", out, re.M).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash == ApiKey.digest(raw) and key.scopes == ["phone.lookup"]
    assert key.acting_user.username == "bridge"
    listing = run("apikey", "list")
    assert f"#{key.pk}" in listing and "Telephony bridge" in listing and "active" in listing
    assert raw not in listing
    assert AuditEntry.objects.filter(action="api_key", object_id=str(key.pk)).count() == 1


@pytest.mark.django_db
def test_apikey_refuses_a_scope_the_person_does_not_hold():
    make_user(Role.ANALYST, username="stats")
    with pytest.raises(CommandError, match="does not hold"):
        run("apikey", "create", "--name", "x", "--user", "stats", "--scope", "case.create")
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_apikey_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No staff member"):
        run("apikey", "create", "--name", "x", "--user", "ghost", "--scope", "phone.lookup")


@pytest.mark.django_db
def test_apikey_revoke_stops_the_key():
    from django.test import RequestFactory

    from puente.accounts.api_auth import ApiKeyAuth

    make_user(Role.ADVOCATE, username="bridge")
    raw = run(
        "apikey", "create", "--name", "b", "--user", "bridge", "--scope", "phone.lookup"
    ).split()[-1]
    key = ApiKey.objects.get()
    out = run("apikey", "revoke", str(key.pk))
    assert "revoked" in out
    key.refresh_from_db()
    assert key.revoked_at is not None
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ApiKeyAuth()(request) is None
    assert "revoked" in run("apikey", "list")
    with pytest.raises(CommandError, match="No API key"):
        run("apikey", "revoke", "99999")
