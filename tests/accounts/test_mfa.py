from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from tests.conftest import signed_in_client
from tests.factories import PASSWORD, make_user

ENROL = reverse("accounts:mfa_enrol")
VERIFY = reverse("accounts:mfa_verify")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def password_only_client(user) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert int(client.session["_auth_user_id"]) == user.pk
    return client


def with_recovery_codes(user, codes: list[str]) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


@pytest.mark.django_db
def test_enrolment_end_to_end_with_a_real_totp_code():
    user = make_user(Role.ADVOCATE, username="ana")
    client = password_only_client(user)

    page = client.get(ENROL + "?next=/audit/")
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in page.text and 'class="qr"' in page.text
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1)
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()
    # Reloading shows the same secret: the code already scanned keeps working.
    assert secret in client.get(ENROL).text
    assert TOTPDevice.objects.filter(user=user).count() == 1

    done = client.post(ENROL, {"code": current_code(device), "next": "/audit/"})
    device.refresh_from_db()
    assert device.confirmed
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", done.text)
    stored = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(shown) == 10 and sorted(shown) == stored
    assert 'href="/audit/"' in done.text
    assert client.session["otp_device_id"] == device.persistent_id
    entry = AuditEntry.objects.get(action="mfa_enrolled")
    assert entry.actor_id == user.pk
    # The codes are shown once: the page afterwards only counts them.
    manage = client.get(reverse("accounts:recovery_codes"))
    assert "You have 10 unused recovery codes." in manage.text
    assert shown[0] not in manage.text


@pytest.mark.django_db
def test_wrong_enrolment_code_leaves_the_device_unconfirmed():
    user = make_user(Role.ADVOCATE, username="ana")
    client = password_only_client(user)
    client.get(ENROL)
    page = client.post(ENROL, {"code": "000000"})
    assert "did not match" in page.text
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert not StaticDevice.objects.filter(user=user).exists()
    assert "otp_device_id" not in client.session
    assert AuditEntry.objects.filter(action="mfa_failed", actor=user).count() == 1


@pytest.mark.django_db
def test_someone_with_only_the_password_cannot_replace_an_existing_authenticator():
    user = make_user(Role.ADVOCATE, username="ana", mfa=True)
    client = password_only_client(user)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_verify_with_a_totp_code_signs_in_and_follows_a_local_next():
    user = make_user(Role.SUPERVISOR, username="sam", mfa=True)
    device = TOTPDevice.objects.get(user=user)
    client = password_only_client(user)
    response = client.post(VERIFY, {"code": current_code(device), "next": "/audit/"})
    assert response["Location"] == "/audit/"
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/audit/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa_verified", actor=user).count() == 1


@pytest.mark.django_db
def test_verify_refuses_to_redirect_off_site():
    user = make_user(Role.ADVOCATE, mfa=True)
    client = password_only_client(user)
    response = client.post(
        VERIFY, {"code": current_code(TOTPDevice.objects.get(user=user)), "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_is_consumed():
    user = make_user(Role.ADVOCATE, mfa=True)
    with_recovery_codes(user, ["abcd2345", "efgh6723"])
    client = password_only_client(user)
    response = client.post(VERIFY, {"code": "ABCD 2345"})
    assert response["Location"] == reverse("core:home")
    assert list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == [
        "efgh6723"
    ]
    entry = AuditEntry.objects.get(action="recovery_code_used")
    assert entry.actor_id == user.pk and entry.reason == "1 recovery codes left"

    again = password_only_client(user)
    page = again.post(VERIFY, {"code": "abcd2345"})
    assert "did not work" in page.text
    assert "otp_device_id" not in again.session
    assert AuditEntry.objects.filter(action="mfa_failed", actor=user).count() == 1


@pytest.mark.django_db
def test_wrong_codes_count_toward_lockout_and_end_the_half_signed_in_session(settings):
    settings.PUENTE_LOCKOUT_ATTEMPTS = 3
    user = make_user(Role.ADVOCATE, mfa=True)
    client = password_only_client(user)
    client.post(VERIFY, {"code": "111111"})
    client.post(VERIFY, {"code": "222222"})
    last = client.post(VERIFY, {"code": "333333"}, follow=True)
    assert "paused for" in last.text
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.is_locked and user.failed_logins == 3
    assert AuditEntry.objects.filter(action="mfa_failed", actor=user).count() == 3
    assert AuditEntry.objects.filter(action="locked_out", object_id=str(user.pk)).count() == 1


@pytest.mark.django_db
def test_a_correct_password_does_not_reset_the_counter_before_the_second_factor(settings):
    settings.PUENTE_LOCKOUT_ATTEMPTS = 3
    user = make_user(Role.ADVOCATE, mfa=True)
    client = password_only_client(user)
    client.post(VERIFY, {"code": "111111"})
    client.post(VERIFY, {"code": "222222"})
    client = password_only_client(user)
    client.post(VERIFY, {"code": "333333"})
    user.refresh_from_db()
    assert user.is_locked


@pytest.mark.django_db
def test_unverified_staff_are_sent_to_the_second_factor_for_any_page():
    enrolled = make_user(Role.SUPERVISOR, mfa=True)
    fresh = make_user(Role.SUPERVISOR)
    to_verify = password_only_client(enrolled).get("/audit/?action=login")
    assert to_verify["Location"] == VERIFY + "?next=/audit/?action=login"
    to_enrol = password_only_client(fresh).get("/audit/")
    assert to_enrol["Location"].startswith(ENROL + "?next=/audit/")
    assert not AuditEntry.objects.filter(action="view", object_type="audit").exists()


@pytest.mark.django_db
def test_staff_work_under_accounts_waits_for_the_second_factor_too():
    supervisor = make_user(Role.SUPERVISOR, mfa=True)
    locked = make_user(Role.ADVOCATE, username="locked")
    type(locked).objects.filter(pk=locked.pk).update(
        failed_logins=99, locked_until=timezone.now() + timedelta(hours=1)
    )
    client = password_only_client(supervisor)
    answer = client.post(reverse("accounts:unlock", args=[locked.pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(VERIFY)
    locked.refresh_from_db()
    assert locked.is_locked
    # The steps that lead to the second factor stay open.
    assert client.get(VERIFY).status_code == 200


@pytest.mark.django_db
def test_the_second_factor_page_shows_nothing_of_the_hotline_yet():
    advocate = make_user(Role.ADVOCATE, mfa=True)
    waiting = password_only_client(advocate).get(VERIFY).content.decode()
    # No menu of pages that would only send back here, and no live stream.
    assert 'href="/intake/new/"' not in waiting
    assert "data-live-stream" not in waiting
    working = signed_in_client(advocate).get("/workspace/").content.decode()
    assert 'href="/intake/new/"' in working
    assert "data-live-stream" in working


@pytest.mark.django_db
def test_unverified_api_calls_get_401_json():
    user = make_user(Role.ADVOCATE, mfa=True)
    response = password_only_client(user).get("/api/v1/search/?q=x")
    assert response.status_code == 401
    assert response.json() == {"detail": "Multi-factor authentication required."}


@pytest.mark.django_db
def test_mfa_pages_send_visitors_to_sign_in():
    for url in (ENROL, VERIFY, reverse("accounts:recovery_codes")):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )


@pytest.mark.django_db
def test_regenerating_recovery_codes_replaces_the_old_ones(advocate):
    with_recovery_codes(advocate, ["oldcode1", "oldcode2"])
    client = signed_in_client(advocate)
    assert (
        "You have 2 unused recovery codes." in client.get(reverse("accounts:recovery_codes")).text
    )
    page = client.post(reverse("accounts:recovery_codes"))
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", page.text)
    stored = sorted(
        StaticToken.objects.filter(device__user=advocate).values_list("token", flat=True)
    )
    assert len(shown) == 10 and sorted(shown) == stored
    assert "oldcode1" not in stored
    assert AuditEntry.objects.filter(action="recovery_codes_renewed", actor=advocate).count() == 1


@pytest.mark.django_db
def test_regenerating_recovery_codes_needs_a_verified_session():
    user = make_user(Role.ADVOCATE, mfa=True)
    with_recovery_codes(user, ["oldcode1"])
    client = password_only_client(user)
    response = client.post(reverse("accounts:recovery_codes"))
    assert response["Location"].startswith(VERIFY)
    assert list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == [
        "oldcode1"
    ]
