from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from puente.accounts import kept
from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.accounts.views import SIGNED_IN_COOKIE
from puente.audit.models import AuditEntry
from puente.core.middleware import SessionActivityMiddleware
from tests.conftest import signed_in_client
from tests.factories import PASSWORD, make_user

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _lockout(settings):
    settings.PUENTE_LOCKOUT_ATTEMPTS = 3
    settings.PUENTE_LOCKOUT_MINUTES = 15


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def actions(**filters) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_login_page_shows_the_form_to_a_visitor():
    page = Client().get(LOGIN)
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text


@pytest.mark.django_db
def test_right_password_starts_a_session_and_is_audited():
    user = make_user(Role.ADVOCATE, username="ana")
    client = Client()
    response = sign_in(client, "ana", PASSWORD)
    # No device yet: the next stop is enrolling one.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_enrol"))
    assert int(client.session["_auth_user_id"]) == user.pk
    entry = AuditEntry.objects.get(action="login")
    assert entry.actor_id == user.pk and entry.actor_name == "ana"


@pytest.mark.django_db
def test_user_with_a_device_goes_to_the_code_step_with_next_kept():
    make_user(Role.ADVOCATE, username="ana", mfa=True)
    response = sign_in(Client(), "ana", PASSWORD, next="/audit/?action=login")
    assert (
        response["Location"]
        == reverse("accounts:mfa_verify") + "?next=%2Faudit%2F%3Faction%3Dlogin"
    )


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited_with_the_attempted_name():
    user = make_user(Role.ADVOCATE, username="ana")
    client = Client()
    page = sign_in(client, "ana", "wrong password entirely")
    assert "did not match" in page.text
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.actor_name == "ana" and entry.actor_id is None and entry.object_id == str(user.pk)
    user.refresh_from_db()
    assert user.failed_logins == 1 and user.locked_until is None


@pytest.mark.django_db
def test_account_locks_after_the_configured_failures_and_refuses_the_right_password():
    user = make_user(Role.ADVOCATE, username="ana")
    client = Client()
    for _attempt in range(2):
        assert "did not match" in sign_in(client, "ana", "nope nope nope").text
    third = sign_in(client, "ana", "nope nope nope")
    assert "paused for 15 minutes" in third.text
    user.refresh_from_db()
    assert user.failed_logins == 3 and user.is_locked
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    assert actions(actor_name="ana") == ["login_failed"] * 3 + ["locked_out"]

    still_locked = sign_in(client, "ana", PASSWORD)
    assert "paused for 15 minutes" in still_locked.text
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", reason="account locked").count() == 1
    assert not AuditEntry.objects.filter(action="login").exists()


@pytest.mark.django_db
def test_lock_expires_after_the_window_and_success_resets_the_counter():
    user = make_user(Role.ADVOCATE, username="ana")
    User.objects.filter(pk=user.pk).update(
        failed_logins=3, locked_until=timezone.now() - timedelta(seconds=1)
    )
    client = Client()
    response = sign_in(client, "ana", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.locked_until is None


@pytest.mark.django_db
def test_after_an_expired_lock_the_person_gets_a_fresh_set_of_attempts():
    user = make_user(Role.ADVOCATE, username="ana")
    User.objects.filter(pk=user.pk).update(
        failed_logins=3, locked_until=timezone.now() - timedelta(seconds=1)
    )
    page = sign_in(Client(), "ana", "still wrong, sorry")
    assert "did not match" in page.text
    user.refresh_from_db()
    assert user.failed_logins == 1 and user.locked_until is None


@pytest.mark.django_db
def test_unknown_username_gets_the_same_answers_as_a_real_one():
    real = Client()
    ghost = Client()
    make_user(Role.ADVOCATE, username="ana")
    answers_real = [sign_in(real, "ana", "bad password 1").text for _ in range(3)]
    answers_ghost = [sign_in(ghost, "nobody", "bad password 1").text for _ in range(3)]
    assert ["did not match" in a for a in answers_real] == [True, True, False]
    assert ["did not match" in a for a in answers_ghost] == [True, True, False]
    assert "paused for 15 minutes" in answers_ghost[-1]
    failed = AuditEntry.objects.filter(action="login_failed", actor_name="nobody")
    assert failed.count() == 3 and all(e.actor_id is None for e in failed)


@pytest.mark.django_db
def test_successful_login_sets_the_interface_language_of_the_person():
    make_user(Role.ADVOCATE, username="ana", language="es")
    client = Client()
    response = sign_in(client, "ana", PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("accounts:mfa_enrol"))
    assert '<html lang="es">' in page.text


@pytest.mark.django_db
def test_inactive_account_cannot_sign_in():
    make_user(Role.ADVOCATE, username="ana", is_active=False)
    client = Client()
    assert "did not match" in sign_in(client, "ana", PASSWORD).text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_visitor_to_the_login_page_is_sent_on(advocate):
    client = signed_in_client(advocate)
    response = client.get(LOGIN + "?next=/audit/")
    assert response.status_code == 302 and response["Location"] == "/audit/"


@pytest.mark.django_db
def test_next_pointing_off_site_is_ignored(advocate):
    client = signed_in_client(advocate)
    response = client.get(LOGIN + "?next=https://evil.example/")
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_sign_out_is_post_only_and_audited(advocate):
    client = signed_in_client(advocate)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="logout")
    assert entry.actor_id == advocate.pk


@pytest.mark.django_db
def test_idle_session_expires_and_the_login_page_says_why(supervisor):
    client = Client()
    sign_in(client, supervisor.username, PASSWORD)
    # The marker names who was signed in, signed (puente/accounts/kept.py).
    assert kept.read_marker(client.cookies[SIGNED_IN_COOKIE].value).user_id == supervisor.pk
    key = client.session.session_key
    # Activity pushes the expiry forward by the idle window (renewed at most once a
    # minute, so here the last renewal is made to look two minutes old)...
    session = client.session
    session[SessionActivityMiddleware.KEY] = int(time.time()) - 120
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=30)
    )
    client.get(reverse("accounts:mfa_enrol"))
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + timedelta(minutes=10)
    # ...and once the window has passed with no request, the session is gone.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    protected = client.get(reverse("audit:list"))
    assert protected.status_code == 302 and protected["Location"].startswith(LOGIN)
    page = client.get(protected["Location"])
    assert "signed out after 15 minutes without activity" in page.text
    # The notice is shown once, not on every later visit to the login page.
    assert "without activity" not in client.get(LOGIN).text


@pytest.mark.django_db
def test_signing_out_yourself_does_not_claim_inactivity(advocate):
    client = Client()
    sign_in(client, advocate.username, PASSWORD)
    client.post(reverse("accounts:logout"))
    page = client.get(LOGIN)
    assert "You have signed out." in page.text
    assert "without activity" not in page.text


@pytest.mark.django_db
def test_login_page_speaks_spanish():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(LOGIN)
    assert "Nombre de usuario" in page.text and "Contraseña" in page.text
    make_user(Role.ADVOCATE, username="ana")
    wrong = client.post(LOGIN, {"username": "ana", "password": "no es la correcta"})
    assert "El nombre de usuario y la contraseña no coinciden." in wrong.text


# --- throttling by network address ---------------------------------------------------


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_paused_for_every_account(settings):
    settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS = 5
    for name in ["ana", "bea", "carla", "dora", "eva", "fran"]:
        make_user(Role.ADVOCATE, username=name)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    # Two tries at each of a few accounts: under every account's own limit (3)…
    for name in ["ana", "bea"]:
        for _try in range(2):
            sign_in(attacker, name, "Summer2026!")
    sign_in(attacker, "nobody", "Summer2026!")  # …unknown names count too: 5 in all.
    assert not User.objects.filter(locked_until__isnull=False).exists()
    # …but the address is now paused, even with a right password, for any account.
    paused = sign_in(attacker, "carla", PASSWORD)
    assert "paused" in paused.text and "_auth_user_id" not in attacker.session
    assert (
        AuditEntry.objects.filter(
            action="locked_out", object_type="address", object_ref="203.0.113.9"
        ).count()
        == 1
    )
    # The tries made while paused are not written one by one.
    before = AuditEntry.objects.count()
    sign_in(attacker, "dora", "Summer2026!")
    assert AuditEntry.objects.count() == before
    # The hotline's own office, elsewhere, signs in as usual.
    office = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(office, "eva", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_supervisor_lifts_a_paused_address(settings, supervisor):
    settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS = 2
    make_user(Role.ADVOCATE, username="ana")
    office = Client(REMOTE_ADDR="198.51.100.20")
    sign_in(office, "ana", "typo 1")
    sign_in(office, "ana", "typo 2")
    assert "paused" in sign_in(office, "ana", PASSWORD).text
    sup = signed_in_client(supervisor)
    assert "198.51.100.20" in sup.get(reverse("core:home")).content.decode()
    sup.post(reverse("accounts:release_address"), {"address": "198.51.100.20"})
    assert sign_in(office, "ana", PASSWORD).status_code == 302
    lifted = AuditEntry.objects.filter(object_type="address", action="change").get()
    assert lifted.actor == supervisor and lifted.object_ref == "198.51.100.20"


@pytest.mark.django_db
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS = 2
    settings.PUENTE_BEHIND_PROXY = True
    make_user(Role.ADVOCATE, username="ana")
    # Everyone comes through the proxy (127.0.0.1); a forged first entry changes nothing.
    attacker = Client(REMOTE_ADDR="127.0.0.1")
    for forged in ["10.0.0.1", "10.0.0.2"]:
        attacker.post(
            LOGIN,
            {"username": "ana", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9",
        )
    entry = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert entry.ip == "203.0.113.9"
    office = Client(REMOTE_ADDR="127.0.0.1")
    response = office.post(
        LOGIN,
        {"username": "ana", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302
