"""Every change to an account is in the chained audit trail with before and after, from
the staff pages and from the developers' back office alike; nobody changes their own
role; a role that reads case files shows on supervisors' home pages; a supervisor can
lift a sign-in lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from puente.accounts import domain
from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from tests.conftest import signed_in_client
from tests.factories import make_user

USERS = "/backoffice/accounts/user/"


def _staff_form(user: User, **changes) -> dict:
    values = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v != ""}


@pytest.fixture
def root(db):
    return make_user(Role.ADMINISTRATOR, username="root1", is_staff=True)


@pytest.fixture
def developer(db):
    """The back office is for superusers only (developers), with no Puente role."""
    return make_user("", username="dev1", is_staff=True, is_superuser=True)


def test_a_role_change_in_the_back_office_is_chained_and_shown_to_supervisors(
    root, developer, supervisor
):
    ana = make_user(Role.ANALYST, username="ana", first_name="Ana")
    signed_in_client(developer).post(f"{USERS}{ana.pk}/change/", _staff_form(ana, role="advocate"))
    ana.refresh_from_db()
    assert ana.role == Role.ADVOCATE and ana.role_given_by == developer
    entry = AuditEntry.objects.filter(action="change", object_type="user").latest("id")
    assert entry.actor == developer and entry.object_ref == "ana"
    assert {"field": "role", "old": "analyst", "new": "advocate"} in entry.changes
    assert verify_chain().ok
    home = signed_in_client(supervisor).get(reverse("core:home")).content.decode()
    grants = home.split('data-testid="account-watch"')[1].split("</section>")[0]
    assert "Ana" in grants and developer.display_name in grants


def test_nobody_changes_their_own_role(root, developer):
    client = signed_in_client(developer)
    form = client.get(f"{USERS}{developer.pk}/change/").content.decode()
    assert 'name="username"' in form and 'name="role"' not in form  # shown, not editable
    client.post(f"{USERS}{developer.pk}/change/", _staff_form(developer, role="administrator"))
    developer.refresh_from_db()
    assert developer.role == ""
    # On the staff page, an administrator's own account offers no role form at all.
    page = signed_in_client(root).get(f"/staff/{root.pk}/").content.decode()
    assert 'name="role"' not in page
    signed_in_client(root).post(f"/staff/{root.pk}/role/", {"role": "supervisor"})
    root.refresh_from_db()
    assert root.role == Role.ADMINISTRATOR
    with pytest.raises(ValidationError):
        domain.change_staff(user=root, by=root, changes={"role": "supervisor"})
    root.refresh_from_db()
    assert root.role == Role.ADMINISTRATOR
    # Another administrator may.
    other = make_user(Role.ADMINISTRATOR, username="root2", is_staff=True)
    domain.change_staff(user=root, by=other, changes={"is_active": False})
    root.refresh_from_db()
    assert root.is_active is False


def test_creating_an_account_in_the_back_office_is_chained(developer):
    signed_in_client(developer).post(
        f"{USERS}add/",
        {
            "username": "sam2",
            "role": "supervisor",
            "password1": "a long and fine passphrase 42",
            "password2": "a long and fine passphrase 42",
        },
    )
    sam = User.objects.get(username="sam2")
    assert sam.role == Role.SUPERVISOR and sam.check_password("a long and fine passphrase 42")
    entry = AuditEntry.objects.get(action="create", object_id=str(sam.pk))
    assert entry.actor == developer
    assert {"field": "role", "old": None, "new": "supervisor"} in entry.changes


def test_a_password_reset_is_chained_and_reveals_nothing(developer):
    ana = make_user(Role.ADVOCATE, username="ana")
    signed_in_client(developer).post(
        f"{USERS}{ana.pk}/password/",
        {
            "password1": "another long passphrase 77",
            "password2": "another long passphrase 77",
            "usable_password": "true",
        },
    )
    ana.refresh_from_db()
    assert ana.check_password("another long passphrase 77")
    entry = AuditEntry.objects.filter(action="change", object_id=str(ana.pk)).latest("id")
    assert entry.actor == developer and entry.reason == "password reset by an administrator"
    assert "passphrase" not in str(entry.changes) and ana.password not in str(entry.changes)


def test_a_supervisor_unlocks_a_locked_advocate_from_home(supervisor):
    ana = make_user(
        Role.ADVOCATE,
        username="ana",
        first_name="Ana",
        failed_logins=5,
        locked_until=timezone.now() + timedelta(minutes=10),
    )
    client = signed_in_client(supervisor)
    home = client.get(reverse("core:home")).content.decode()
    assert f"/accounts/unlock/{ana.pk}/" in home
    client.post(f"/accounts/unlock/{ana.pk}/")
    ana.refresh_from_db()
    assert not ana.is_locked
    entry = AuditEntry.objects.filter(action="change", object_id=str(ana.pk)).latest("id")
    assert entry.actor == supervisor and entry.reason == "account unlocked"


def test_an_advocate_cannot_unlock_anyone(advocate):
    ana = make_user(
        Role.ADVOCATE,
        username="ana",
        failed_logins=5,
        locked_until=timezone.now() + timedelta(minutes=10),
    )
    response = signed_in_client(advocate).post(f"/accounts/unlock/{ana.pk}/")
    assert response.status_code == 403
    ana.refresh_from_db()
    assert ana.is_locked
