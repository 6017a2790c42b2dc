"""An advocate's call, end to end in headless Chromium: sign in with MFA, take a call from
a number that already has a case and see it, record the contact, screen it, open a case,
add a potential victim and an exploiter, then switch to Spanish and see the same case."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.cases.models import Case, Person
from puente.intake.models import Contact
from puente.screening.models import Screening
from tests.factories import PASSWORD, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_NUMBER = "+17135550142"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_advocate_takes_a_call_screens_it_and_opens_a_case(page, live_server):
    colleague = make_user(Role.ADVOCATE, username="colleague")
    earlier = cases.open_case(by=colleague, title="Restaurant kitchen workers")
    cases.add_identifier(case=earlier, kind="phone", value="713-555-0142", by=colleague)
    make_contact(phone=KNOWN_NUMBER, case=earlier, taken_by=colleague, summary="First call")
    advocate = make_user(
        Role.ADVOCATE, username="ana", first_name="Ana", last_name="López", mfa=True
    )
    device = TOTPDevice.objects.get(user=advocate)

    # Sign in: password, then the code from the authenticator.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/"))
    print(page.url, page.locator("main").inner_text())
    page.fill("input[name=code]", current_code(device))
    page.click("main button[type=submit]")
    expect(page.locator("header")).to_contain_text("Ana López")

    # The phone rings: typing the caller's number shows the earlier case at once.
    page.click("text=New contact")
    page.locator("#id_phone").press_sequentially("(713) 555-0142")
    # Leaving the field looks the whole number up once more, as an advocate tabbing on
    # does (the lookups of the partial number, typed key by key, are replaced by it).
    page.locator("#id_phone").press("Tab")
    lookup = page.locator("#lookup-panel")
    expect(lookup).to_have_class(re.compile("has-history"), timeout=15_000)
    expect(lookup).to_contain_text(earlier.reference)

    # Record the contact.
    page.select_option("#id_channel", "phone")
    page.select_option("#id_reason", "tip")
    page.select_option("#id_signaler_type", "potential_victim")
    expect(page.locator("#protocol-panel")).not_to_contain_text("Choose a reason")
    page.fill("#id_summary", "Caller works in a kitchen, boss keeps her passport and her pay.")
    # Let the draft's autosave land first: the test server shares one SQLite connection
    # between its threads, and two requests at once can trip over each other there.
    page.wait_for_load_state("networkidle")
    page.click("text=Save contact")
    expect(page).to_have_url(re.compile(r"/intake/contacts/\d+/"))
    contact = Contact.objects.get(summary__startswith="Caller works in a kitchen")
    assert (contact.phone, contact.taken_by, contact.reason) == (KNOWN_NUMBER, advocate, "tip")

    # Screen it: the level is computed with its reasons.
    page.click("text=Screen for trafficking")
    for code in ["withholds_documents", "takes_earnings", "labour_no_pay", "false_promises"]:
        page.check(f"input[name=indicators][value={code}]")
    expect(page.locator("#screening-result")).to_contain_text("High")
    page.click("text=Save screening")
    expect(page).to_have_url(re.compile(rf"/intake/contacts/{contact.pk}/"))
    screening = Screening.objects.get(contact=contact)
    assert screening.level == "high"

    # Open a case from the contact, then add the people in it.
    page.click("text=Open a case from this contact")
    expect(page).to_have_url(re.compile(r"/cases/US-\d{4}-\d{6}/"))
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert list(case.contacts.all()) == [contact]

    page.click("text=Add a person or business")
    # Rosa called for herself: potential victim and signaler at once.
    page.check("input[name=roles][value=potential_victim]")
    page.check("input[name=roles][value=signaler]")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_age", "19")
    page.click("button:has-text('Save')")
    expect(page.locator("main")).to_contain_text("Rosa")

    page.click("text=Add a person or business")
    page.check("input[name=roles][value=exploiter]")
    page.check("#id_is_business")
    page.fill("#id_alias", "La Cocina Dorada LLC")
    page.click("button:has-text('Save')")
    expect(page.locator("main")).to_contain_text("La Cocina Dorada LLC")
    roles = {person.display_name: person.roles for person in Person.objects.filter(case=case)}
    assert roles == {
        "Rosa": ["potential_victim", "signaler"],
        "La Cocina Dorada LLC": ["exploiter"],
    }

    # The same case, in Spanish.
    page.click("[data-testid=lang-es]")
    main = page.locator("main")
    expect(main).to_contain_text(case.reference)
    expect(main).to_contain_text("Posible víctima")
    expect(main).to_contain_text("La Cocina Dorada LLC")
    expect(page.locator("html")).to_have_attribute("lang", "es")
