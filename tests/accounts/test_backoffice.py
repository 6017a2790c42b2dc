from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.domain import create_api_key
from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.core.permissions import Perm
from tests.conftest import signed_in_client
from tests.factories import make_user

USERS = "/backoffice/accounts/user/"
KEYS = "/backoffice/accounts/apikey/"


@pytest.fixture
def admin_client(db):
    return signed_in_client(make_user(Role.ADMINISTRATOR, username="root1", is_staff=True))


@pytest.mark.django_db
def test_administrator_sees_staff_with_their_lock_state(admin_client):
    make_user(
        Role.ADVOCATE,
        username="ana",
        locked_until=timezone.now() + timedelta(minutes=5),
        failed_logins=5,
    )
    page = admin_client.get(USERS)
    assert page.status_code == 200
    assert "ana" in page.text and "Hotline advocate" in page.text
    assert "Unlock selected accounts" in page.text


@pytest.mark.django_db
def test_unlock_action_clears_the_lock_and_is_audited(admin_client):
    ana = make_user(
        Role.ADVOCATE,
        username="ana",
        locked_until=timezone.now() + timedelta(minutes=5),
        failed_logins=5,
    )
    admin_client.post(USERS, {"action": "unlock_accounts", "_selected_action": [ana.pk]})
    ana.refresh_from_db()
    assert ana.failed_logins == 0 and ana.locked_until is None and not ana.is_locked
    entry = AuditEntry.objects.get(action="change", object_id=str(ana.pk))
    assert entry.actor_name == "root1" and entry.reason == "account unlocked"
    assert {c["field"] for c in entry.changes} == {"failed_logins", "locked_until"}


@pytest.mark.django_db
def test_reset_second_factor_removes_every_device(admin_client):
    ana = make_user(Role.ADVOCATE, username="ana", mfa=True)
    StaticDevice.objects.create(user=ana, name="recovery codes", confirmed=True)
    admin_client.post(USERS, {"action": "reset_second_factor", "_selected_action": [ana.pk]})
    assert not TOTPDevice.objects.filter(user=ana).exists()
    assert not StaticDevice.objects.filter(user=ana).exists()
    assert AuditEntry.objects.get(action="change", object_id=str(ana.pk)).reason.startswith(
        "two-step verification reset (2 devices"
    )


@pytest.mark.django_db
def test_administrator_sees_api_keys_read_only(admin_client):
    key, raw = create_api_key(
        name="Telephony bridge", user=make_user(Role.ADVOCATE), scopes=[Perm.PHONE_LOOKUP]
    )
    listing = admin_client.get(KEYS)
    assert "Telephony bridge" in listing.text and key.key_prefix in listing.text
    assert raw not in listing.text
    detail = admin_client.get(f"{KEYS}{key.pk}/change/")
    assert key.key_hash in detail.text and 'name="key_hash"' not in detail.text
    assert admin_client.get(f"{KEYS}add/").status_code == 403


@pytest.mark.django_db
def test_other_staff_roles_are_refused(supervisor):
    User.objects.filter(pk=supervisor.pk).update(is_staff=True)
    supervisor.refresh_from_db()
    client = signed_in_client(supervisor)
    assert client.get(USERS).status_code == 403
    index = client.get("/backoffice/")
    assert "/backoffice/accounts/user/" not in index.text


@pytest.mark.django_db
def test_backoffice_sign_in_goes_through_the_hotline_login():
    response = Client().get(USERS)
    assert response.status_code == 302
    follow = Client().get(response["Location"])
    assert follow["Location"] == "/accounts/login/?next=/backoffice/accounts/user/"


@pytest.mark.django_db
def test_signed_in_staff_member_is_not_bounced_between_login_pages(admin_client, advocate_client):
    assert (
        admin_client.get("/backoffice/login/?next=/backoffice/accounts/user/")["Location"] == USERS
    )
    # Not back-office staff: a plain refusal instead of a redirect loop.
    assert advocate_client.get("/backoffice/login/?next=/backoffice/").status_code == 403
