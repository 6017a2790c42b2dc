"""Staff administration in Puente's own pages (/staff/), in English and Spanish: list,
create with a one-time password link, change role, deactivate and reactivate, reset the
password or two-step verification, unlock — each a domain function that checks the
permission, refuses what must never happen, and writes the chained audit trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts import domain
from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from tests.conftest import signed_in_client
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STAFF = "/staff/"
NEW_PASSWORD = "a long and fine passphrase 42"


@pytest.fixture
def root(db):
    return make_user(Role.ADMINISTRATOR, username="root1", first_name="Rita", last_name="Root")


@pytest.fixture
def root_client(root):
    return signed_in_client(root)


def _link_from(html: str) -> str:
    match = re.search(r'value="(http://testserver/accounts/password/[^"]+)"', html)
    assert match, "no one-time link on the page"
    return match.group(1).replace("http://testserver", "")


def _use_link(path: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    # Django moves the token into the session and redirects to a token-free address.
    form_page = client.get(path, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    return client


# --- the list --------------------------------------------------------------------------


def test_the_list_shows_role_state_mfa_lock_and_last_sign_in(root_client):
    make_user(Role.ADVOCATE, first_name="Ana", last_name="Avila", mfa=True,
              locked_until=timezone.now() + timedelta(minutes=5), failed_logins=5,
              last_login=timezone.now() - timedelta(days=1))  # fmt: skip
    make_user(Role.ANALYST, first_name="Olga", last_name="Gone", is_active=False)
    html = root_client.get(STAFF).content.decode()
    ana = html.split("Ana Avila")[1].split("</tr>")[0]
    assert "Hotline advocate" in ana and "Set up" in ana and "Locked" in ana
    assert "Never" not in ana
    assert "Olga Gone" not in html  # active staff by default
    assert 'class="stack"' in html and 'data-label="Two-step verification"' in html
    everyone = root_client.get(STAFF, {"active": ""}).content.decode()
    assert "Olga Gone" in everyone
    analysts = root_client.get(STAFF, {"role": "analyst", "active": "no"}).content.decode()
    assert "Olga Gone" in analysts and "Ana Avila" not in analysts


def test_the_list_is_in_spanish_for_a_spanish_speaking_administrator(root):
    root.language = "es"
    root.save()
    make_user(Role.ADVOCATE, first_name="Ana")
    html = signed_in_client(root).get(STAFF, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Personal" in html and "Verificación en dos pasos" in html
    assert "Último inicio de sesión" in html and "Agregar a una persona" in html


def test_only_administrators_manage_staff(users_by_role):
    target = make_user(Role.ADVOCATE)
    for role, person in users_by_role.items():
        client = signed_in_client(person)
        allowed = role == Role.ADMINISTRATOR
        assert (client.get(STAFF).status_code == 200) is allowed, role
        response = client.post(f"{STAFF}{target.pk}/deactivate/")
        assert (response.status_code == 403) is not allowed, role
    assert Client().get(STAFF).status_code == 302
    for role in (Role.ADVOCATE, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            domain.deactivate_staff(user=target, by=make_user(role))


# --- creating an account ------------------------------------------------------------


def test_creating_an_account_gives_a_one_time_link_the_person_uses(root, root_client):
    page = root_client.post(
        f"{STAFF}new/",
        {"first_name": "Sam", "last_name": "Soto", "username": "sam", "email": "sam@example.org",
         "role": "supervisor", "language": "es"},
    )  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200 and "Account created for Sam Soto" in html
    sam = User.objects.get(username="sam")
    assert sam.role == Role.SUPERVISOR and sam.language == "es" and sam.role_given_by == root
    assert not sam.has_usable_password()
    entry = AuditEntry.objects.get(action="create", object_id=str(sam.pk))
    assert (
        entry.actor == root and {"field": "role", "old": None, "new": "supervisor"} in entry.changes
    )
    link = _link_from(html)
    assert link.split("/")[-2] not in str(entry.changes) + entry.reason  # the token is nowhere

    _use_link(link)
    sam.refresh_from_db()
    assert sam.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.filter(object_id=str(sam.pk)).latest("id")
    assert entry.actor == sam and entry.reason == "password set by its owner from a one-time link"
    # Once used, the link opens nothing.
    again = Client().get(link, follow=True).content.decode()
    assert 'data-testid="link-invalid"' in again and 'name="new_password1"' not in again
    assert verify_chain().ok


def test_the_link_refuses_a_weak_password():
    sam, link = domain.add_staff_member(by=make_user(Role.ADMINISTRATOR), username="sam",
                                        role="advocate")  # fmt: skip
    client = Client()
    path = f"/accounts/password/{link.uidb64}/{link.token}/"
    form_page = client.get(path, follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "12345678", "new_password2": "12345678"})  # fmt: skip
    assert response.status_code == 200 and "too common" in response.content.decode()
    sam.refresh_from_db()
    assert not sam.has_usable_password()


def test_a_taken_username_or_missing_role_is_shown_on_the_form(root_client):
    make_user(Role.ADVOCATE, username="ana")
    html = root_client.post(
        f"{STAFF}new/",
        {"first_name": "Ana", "username": "ana", "role": "advocate", "language": "en"},
    ).content.decode()
    assert "That username is already taken." in html
    html = root_client.post(
        f"{STAFF}new/", {"first_name": "X", "username": "x y!", "role": "", "language": "en"}
    ).content.decode()
    assert "This field is required." in html and "Enter a valid username" in html
    assert not User.objects.filter(first_name="X").exists()


def test_creating_an_account_in_spanish(root):
    root.language = "es"
    root.save()
    client = signed_in_client(root)
    html = client.post(
        f"{STAFF}new/",
        {"first_name": "Lupe", "username": "lupe", "role": "advocate", "language": "es"},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "Cuenta creada para Lupe" in html and "un solo uso" in html


# --- changing an account ---------------------------------------------------------------


def test_changing_a_role_is_audited_and_shown_to_supervisors(root, root_client, supervisor):
    ana = make_user(Role.ANALYST, username="ana", first_name="Ana")
    root_client.post(f"{STAFF}{ana.pk}/role/", {"role": "advocate"})
    ana.refresh_from_db()
    assert ana.role == Role.ADVOCATE and ana.role_given_by == root
    entry = AuditEntry.objects.filter(action="change", object_type="user").latest("id")
    assert (
        entry.actor == root
        and {"field": "role", "old": "analyst", "new": "advocate"} in entry.changes
    )
    home = signed_in_client(supervisor).get(reverse("core:home")).content.decode()
    assert "Ana" in home.split('data-testid="account-watch"')[1].split("</section>")[0]


def test_deactivate_and_reactivate_never_delete(root, root_client):
    ana = make_user(Role.ADVOCATE, username="ana")
    ana_client = signed_in_client(ana)
    root_client.post(f"{STAFF}{ana.pk}/deactivate/")
    ana.refresh_from_db()
    assert ana.is_active is False and User.objects.filter(pk=ana.pk).exists()
    # Their open session ends at their next request.
    assert ana_client.get(reverse("core:home")).status_code == 302
    assert "Deactivated" in root_client.get(f"{STAFF}{ana.pk}/").content.decode()
    root_client.post(f"{STAFF}{ana.pk}/reactivate/")
    ana.refresh_from_db()
    assert ana.is_active is True
    changes = [e.changes for e in AuditEntry.objects.filter(action="change", object_id=str(ana.pk))]
    assert [{"field": "is_active", "old": True, "new": False}] in changes
    assert [{"field": "is_active", "old": False, "new": True}] in changes


def test_nobody_deactivates_or_demotes_themselves(root, root_client):
    page = root_client.get(f"{STAFF}{root.pk}/").content.decode()
    assert 'data-testid="own-account"' in page and "/deactivate/" not in page
    response = root_client.post(f"{STAFF}{root.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    root_client.post(f"{STAFF}{root.pk}/role/", {"role": "supervisor"})
    for action in ("password", "mfa-reset"):
        root_client.post(f"{STAFF}{root.pk}/{action}/")
    root.refresh_from_db()
    assert root.is_active and root.role == Role.ADMINISTRATOR and root.has_usable_password()
    assert TOTPDevice.objects.filter(user=root).exists()


def test_the_last_administrator_is_never_removed(root):
    # Only reachable by someone outside the administrator role (a developer's superuser
    # in the back office, a command): an administrator cannot change their own access.
    developer = make_user("", username="dev", is_superuser=True)
    with pytest.raises(ValidationError) as refused:
        domain.change_staff(user=root, by=developer, changes={"is_active": False})
    assert "last active administrator" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        domain.change_staff(user=root, by=developer, changes={"role": "supervisor"})
    root.refresh_from_db()
    assert root.is_active and root.role == Role.ADMINISTRATOR
    # With a second administrator, the first may go.
    make_user(Role.ADMINISTRATOR)
    domain.change_staff(user=root, by=developer, changes={"is_active": False})
    root.refresh_from_db()
    assert not root.is_active


def test_resetting_a_password_stops_the_old_one_and_gives_a_new_link(root, root_client):
    ana = make_user(Role.ADVOCATE, username="ana")
    ana_client = signed_in_client(ana)
    html = root_client.post(f"{STAFF}{ana.pk}/password/").content.decode()
    ana.refresh_from_db()
    assert not ana.has_usable_password()
    assert ana_client.get(reverse("core:home")).status_code == 302  # the open session ended with it
    entry = AuditEntry.objects.filter(action="change", object_id=str(ana.pk)).latest("id")
    assert entry.actor == root
    assert entry.reason == "password reset by an administrator: one-time link issued"
    first = _link_from(html)
    second = _link_from(root_client.post(f"{STAFF}{ana.pk}/password/").content.decode())
    # A newer link replaces the older one.
    assert 'data-testid="link-invalid"' in Client().get(first, follow=True).content.decode()
    _use_link(second)
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)


def test_a_deactivated_account_gets_no_link(root):
    ana = make_user(Role.ADVOCATE, is_active=False)
    with pytest.raises(ValidationError):
        domain.issue_password_link(user=ana, by=root)
    _user, link = domain.add_staff_member(by=root, username="gone", role="advocate")
    domain.deactivate_staff(user=_user, by=root)
    page = Client().get(f"/accounts/password/{link.uidb64}/{link.token}/", follow=True)
    assert 'data-testid="link-invalid"' in page.content.decode()


def test_resetting_two_step_verification(root, root_client):
    ana = make_user(Role.ADVOCATE, username="ana", mfa=True)
    StaticDevice.objects.create(user=ana, name="recovery codes", confirmed=True)
    root_client.post(f"{STAFF}{ana.pk}/mfa-reset/")
    assert not TOTPDevice.objects.filter(user=ana).exists()
    assert not StaticDevice.objects.filter(user=ana).exists()
    entry = AuditEntry.objects.filter(action="change", object_id=str(ana.pk)).latest("id")
    assert entry.actor == root and entry.reason.startswith("two-step verification reset (2 devices")
    # At the next sign-in they enrol again.
    client = Client()
    client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert "/accounts/mfa/enrol/" in client.get(reverse("core:home"))["Location"]


def test_unlocking_from_the_staff_page(root, root_client):
    ana = make_user(Role.ADVOCATE, username="ana", failed_logins=5,
                    locked_until=timezone.now() + timedelta(minutes=10))  # fmt: skip
    assert "/unlock/" in root_client.get(f"{STAFF}{ana.pk}/").content.decode()
    root_client.post(f"{STAFF}{ana.pk}/unlock/")
    ana.refresh_from_db()
    assert not ana.is_locked and ana.failed_logins == 0
    entry = AuditEntry.objects.filter(action="change", object_id=str(ana.pk)).latest("id")
    assert entry.actor == root and entry.reason == "account unlocked"


def test_refusals_are_shown_in_spanish(root):
    root.language = "es"
    root.save()
    client = signed_in_client(root)
    html = client.post(
        f"{STAFF}{root.pk}/deactivate/", follow=True, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "No puede desactivar su propia cuenta" in html


# --- API keys, and the back office ---------------------------------------------------------


def test_api_keys_are_seen_and_revoked_here(root, root_client):
    from puente.core.permissions import Perm

    key, raw = domain.create_api_key(
        name="Telephony bridge", user=make_user(Role.ADVOCATE), scopes=[Perm.PHONE_LOOKUP]
    )
    html = root_client.get(f"{STAFF}api-keys/").content.decode()
    assert "Telephony bridge" in html and key.key_prefix in html and raw not in html
    assert key.key_hash not in html
    root_client.post(f"{STAFF}api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(action="api_key", actor=root).exists()
    assert signed_in_client(make_user(Role.SUPERVISOR)).get(f"{STAFF}api-keys/").status_code == 403


def test_administrators_find_staff_from_the_navigation_and_home(root_client):
    html = root_client.get(reverse("core:home")).content.decode()
    assert 'href="/staff/"' in html
    assert "/backoffice/" not in html
