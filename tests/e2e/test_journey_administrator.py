"""An administrator manages staff in Puente's own pages, in headless Chromium, on the U.S.
line in English and the Mexican line in Spanish, on a phone and on a desktop: adds an
account with a role (and gets the one-time link to hand over), changes a colleague's
role, resets their second factor and their password (a new link), deactivates them, and
unlocks a colleague locked out by wrong passwords. Every main page is checked on the
way (tests/e2e/journeys.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from puente.accounts.models import User
from puente.accounts.roles import Role
from tests.e2e.journeys import VARIANTS, check_page, go_by_menu, signed_in_page, use_hotline
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _action(page, name: str, person: User, *, form: bool = False):
    """The button (or its form) of one action on a person's account page."""
    found = page.locator(f"form[action='{reverse(f'staff:{name}', args=[person.pk])}']")
    return found if form else found.locator("button")


def _staff_row_link(page, person: User):
    return page.locator(
        f"[data-testid=staff-row] a[href='{reverse('staff:detail', args=[person.pk])}']"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_administrator_manages_staff_accounts(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    admin = make_user(
        Role.ADMINISTRATOR, username="alma", first_name="Alma", last_name="Reyes",
        language=variant.language,
    )  # fmt: skip
    beto = make_user(Role.ADVOCATE, username="beto", first_name="Beto", last_name="Díaz", mfa=True)
    carla = make_user(
        Role.ADVOCATE, username="carla", first_name="Carla", last_name="Núñez",
        failed_logins=5, locked_until=timezone.now() + timedelta(minutes=15),
    )  # fmt: skip
    with translation.override(variant.language):
        supervisor_label = str(Role.SUPERVISOR.label)
    page = signed_in_page(request, browser, asgi_server, admin, variant)
    page.goto(asgi_server.url + reverse("core:home"))

    # The staff list, reached from the menu.
    go_by_menu(page, reverse("staff:list"))
    expect(page.locator("[data-testid=staff-row]")).to_have_count(3)
    check_page(page, "staff", variant, assert_accessible)

    # A new account, with its role: the page hands over the one-time link.
    page.locator(f"main a[href='{reverse('staff:new')}']").click()
    page.fill("#id_first_name", "Dora")
    page.fill("#id_last_name", "Campos")
    page.fill("#id_username", "dora")
    page.fill("#id_email", "dora@example.org")
    page.select_option("#id_role", Role.LIAISON.value)
    page.select_option("#id_language", variant.language)
    check_page(page, "add a staff member", variant, assert_accessible)
    page.locator("main form button[type=submit]").click()
    link = page.locator("[data-testid=link]")
    expect(link).to_have_value(re.compile(rf"^{re.escape(asgi_server.url)}/.*password/"))
    dora = User.objects.get(username="dora")
    assert (dora.role, dora.language, dora.has_usable_password()) == (
        Role.LIAISON, variant.language, False,
    )  # fmt: skip
    check_page(page, "one-time link", variant, assert_accessible)

    # A colleague's account: a new role, a reset second factor, a new password link.
    page.goto(asgi_server.url + reverse("staff:list"))
    _staff_row_link(page, beto).click()
    check_page(page, "staff member", variant, assert_accessible)
    page.select_option("#id_role", Role.SUPERVISOR.value)
    _action(page, "role", beto).click()
    expect(page.locator("[data-testid=role]")).to_contain_text(supervisor_label)
    beto.refresh_from_db()
    assert beto.role == Role.SUPERVISOR

    _action(page, "mfa_reset", beto).click()
    expect(page.locator("main .message-success")).to_contain_text("Beto Díaz")
    assert not TOTPDevice.objects.filter(user=beto).exists()

    _action(page, "password", beto).click()
    expect(page.locator("[data-testid=link]")).to_have_value(re.compile("password/"))
    beto.refresh_from_db()
    assert not beto.has_usable_password()

    # Deactivated: they no longer sign in, the account stays for the audit trail.
    page.goto(asgi_server.url + reverse("staff:detail", args=[beto.pk]))
    _action(page, "deactivate", beto).click()
    expect(_action(page, "reactivate", beto, form=True)).to_be_visible()
    beto.refresh_from_db()
    assert not beto.is_active

    # Carla typed her password wrong too often: unlocked from her account's page.
    page.goto(asgi_server.url + reverse("staff:list"))
    _staff_row_link(page, carla).click()
    expect(page.locator("main .danger-flag")).to_be_visible()
    _action(page, "unlock", carla).click()
    expect(_action(page, "unlock", carla, form=True)).to_have_count(0)
    carla.refresh_from_db()
    assert not carla.is_locked and carla.failed_logins == 0
    check_page(page, "staff member, unlocked", variant, assert_accessible)
