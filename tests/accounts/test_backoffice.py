"""The back office (/backoffice/) is for developers only: superusers, signing in through
the hotline's own login. Hotline administrators manage staff and keys in Puente's own
pages (tests/accounts/test_staff_admin.py) and are refused here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.domain import create_api_key
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.core.permissions import Perm
from tests.conftest import signed_in_client
from tests.factories import make_user

USERS = "/backoffice/accounts/user/"
KEYS = "/backoffice/accounts/apikey/"


@pytest.fixture
def developer_client(db):
    return signed_in_client(make_user("", username="dev1", is_staff=True, is_superuser=True))


@pytest.mark.django_db
def test_administrators_and_every_other_role_are_refused():
    for role in Role:
        person = make_user(role, is_staff=True)
        client = signed_in_client(person)
        assert client.get(USERS).status_code in (302, 403), role
        assert client.get(KEYS).status_code in (302, 403), role
        assert client.get("/backoffice/login/?next=/backoffice/").status_code == 403, role


@pytest.mark.django_db
def test_a_developer_sees_staff_with_their_lock_state(developer_client):
    make_user(Role.ADVOCATE, username="ana", locked_until=timezone.now() + timedelta(minutes=5),
              failed_logins=5)  # fmt: skip
    page = developer_client.get(USERS)
    assert page.status_code == 200
    assert "ana" in page.text and "Hotline advocate" in page.text


@pytest.mark.django_db
def test_back_office_actions_still_go_through_the_domain(developer_client):
    ana = make_user(Role.ADVOCATE, username="ana", mfa=True,
                    locked_until=timezone.now() + timedelta(minutes=5), failed_logins=5)  # fmt: skip
    StaticDevice.objects.create(user=ana, name="recovery codes", confirmed=True)
    developer_client.post(USERS, {"action": "unlock_accounts", "_selected_action": [ana.pk]})
    developer_client.post(USERS, {"action": "reset_second_factor", "_selected_action": [ana.pk]})
    ana.refresh_from_db()
    assert not ana.is_locked and not TOTPDevice.objects.filter(user=ana).exists()
    reasons = {e.reason for e in AuditEntry.objects.filter(action="change", object_id=str(ana.pk))}
    assert "account unlocked" in reasons
    assert any(r.startswith("two-step verification reset (2 devices") for r in reasons)


@pytest.mark.django_db
def test_api_keys_are_read_only_and_never_deleted_there(developer_client):
    key, raw = create_api_key(
        name="Telephony bridge", user=make_user(Role.ADVOCATE), scopes=[Perm.PHONE_LOOKUP]
    )
    listing = developer_client.get(KEYS)
    assert "Telephony bridge" in listing.text and raw not in listing.text
    assert developer_client.get(f"{KEYS}add/").status_code == 403
    assert developer_client.get(f"{KEYS}{key.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_backoffice_sign_in_goes_through_the_hotline_login():
    response = Client().get(USERS)
    assert response.status_code == 302
    follow = Client().get(response["Location"])
    assert follow["Location"] == "/accounts/login/?next=/backoffice/accounts/user/"


@pytest.mark.django_db
def test_a_signed_in_developer_is_not_bounced_between_login_pages(developer_client):
    assert developer_client.get(f"/backoffice/login/?next={USERS}")["Location"] == USERS
