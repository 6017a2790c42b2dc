"""An advocate's call, end to end in headless Chromium, on the U.S. line in English and
the Mexican line in Spanish, on a phone and on a desktop: sign in with the second factor,
take a call from a number that already has a case and see it while typing, record the
contact (not without its narrative), screen it with the result in view, open a case from
it (titled, at the contact's place), add a person and a task on the case page and see
them in the timeline. Every main page is checked on the way (tests/e2e/journeys.py)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.cases.models import Case, Person, Task
from puente.core import choices as c
from puente.intake.models import Contact
from puente.screening.models import Screening
from tests.e2e.journeys import (
    VARIANTS,
    check_page,
    go_by_menu,
    new_page,
    sign_in_with_mfa,
    use_hotline,
)
from tests.factories import make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each line's known caller, as stored and as an advocate types it, and where they call from.
CALLERS = {
    "US": ("+17135550142", "(713) 555-0142", "US-TX", "Houston"),
    "MX": ("+528181234567", "81 8123 4567", "MX-NLE", "Monterrey"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_advocate_takes_a_call_screens_it_and_opens_a_case(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    number, typed, subdivision, city = CALLERS[variant.country]
    colleague = make_user(Role.ADVOCATE, username="colleague")
    earlier = cases.open_case(by=colleague, title="Restaurant kitchen workers")
    cases.add_identifier(case=earlier, kind="phone", value=number, by=colleague)
    make_contact(
        phone=number, case=earlier, taken_by=colleague, summary="First call",
        country=variant.country, subdivision=subdivision, city=city,
    )  # fmt: skip
    advocate = make_user(
        Role.ADVOCATE, username="ana", first_name="Ana", last_name="López", mfa=True,
        language=variant.language,
    )  # fmt: skip
    with translation.override(variant.language):
        high = str(c.label_for(c.IndicatorLevel, "high"))
        choose_a_reason = gettext("Choose a reason for contact to see the protocol steps.")
    page = new_page(request, browser, variant)

    # Sign in: the password, then the code from the authenticator app.
    sign_in_with_mfa(
        page, asgi_server, username="ana", device=TOTPDevice.objects.get(user=advocate)
    )
    expect(page.locator("header .whoami")).to_have_text("Ana López")
    check_page(page, "home", variant, assert_accessible)

    # The phone rings: typing the caller's number shows the earlier case at once.
    go_by_menu(page, reverse("intake:new"))
    page.locator("#id_phone").press_sequentially(typed)
    page.locator("#id_phone").press("Tab")  # leaving the field looks the whole number up
    lookup = page.locator("#lookup-panel")
    expect(lookup).to_have_class(re.compile("has-history"))
    expect(lookup).to_contain_text(earlier.reference)

    # Record the contact: the reason's protocol appears beside the form.
    page.select_option("#id_channel", "phone")
    page.select_option("#id_reason", "tip")
    page.select_option("#id_signaler_type", "potential_victim")
    page.select_option("#id_country", variant.country)
    page.wait_for_load_state("networkidle")  # the country's states replace the list
    page.select_option("#id_subdivision", subdivision)
    expect(page.locator("#id_subdivision")).to_have_value(subdivision)
    page.fill("#id_city", city)
    expect(page.locator("#protocol-panel")).not_to_contain_text(choose_a_reason)
    check_page(page, "new contact, caller known", variant, assert_accessible)

    # Enter in a one-line field saves nothing; the save button without the narrative is
    # refused with the reason, the typing kept.
    page.locator("#id_city").press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_summary")).not_to_have_attribute("aria-invalid", "true")  # not sent
    page.locator("#intake-form button[type=submit]").click()
    expect(page.locator("#id_summary")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_city")).to_have_value(city)
    assert not Contact.objects.filter(taken_by=advocate).exists()

    page.fill("#id_summary", "Caller works in a kitchen, boss keeps her passport and her pay.")
    # The draft's autosave lands first, so the save is not raced by it.
    page.wait_for_load_state("networkidle")
    page.locator("#intake-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/intake/contacts/\d+/$"))
    contact = Contact.objects.get(taken_by=advocate)
    assert (contact.phone, contact.reason, contact.subdivision, contact.city) == (
        number, "tip", subdivision, city,
    )  # fmt: skip
    check_page(page, "contact", variant, assert_accessible)

    # Screen it: two columns on a desktop, and the result stays in view while ticking.
    page.locator(f"a[href='{reverse('screening:contact', args=[contact.pk])}']").click()
    for code in ["withholds_documents", "takes_earnings", "labour_no_pay", "false_promises"]:
        page.check(f"input[name=indicators][value={code}]")
    level = page.locator("#screening-result [data-testid=level]")
    expect(level).to_contain_text(high)
    if not variant.phone:  # one column on a phone: the result follows the questions
        page.locator("input[name=indicators]").last.scroll_into_view_if_needed()
        expect(level).to_be_in_viewport()  # sticky beside the questions, even far down
        questions = page.locator(".screening-questions").bounding_box()
        result = page.locator("[data-testid=result-panel]").bounding_box()
        assert result["x"] >= questions["x"] + questions["width"], "result not beside questions"
    check_page(page, "screening", variant, assert_accessible)
    page.locator("[data-testid=result-panel] button[type=submit]").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("intake:detail", args=[contact.pk])) + "$")
    )
    assert Screening.objects.get(contact=contact).level == "high"

    # Open a case from the contact: it is titled, at the contact's place, and screened.
    page.locator(f"form[action='{reverse('intake:open_case', args=[contact.pk])}'] button").click()
    expect(page).to_have_url(re.compile(rf"/cases/{variant.country}-\d{{4}}-\d{{6}}/"))
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert list(case.contacts.all()) == [contact]
    assert case.title and city in case.title
    assert [(loc.country, loc.subdivision, loc.city) for loc in case.locations.all()] == [
        (variant.country, subdivision, city)
    ]
    summary = page.locator("[data-testid=case-summary]")
    expect(summary).to_contain_text(case.title)
    expect(summary.locator("[data-testid=level-of-indicators]")).to_have_text(high)
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline.locator("[data-kind=contact]")).to_have_count(1)
    check_page(page, "case", variant, assert_accessible)

    # Add a person: the people part, its form on its own page, back to the people.
    page.locator("#tab-people").click()
    page.locator(f"#people a[href='{reverse('cases:person_add', args=[case.reference])}']").click()
    page.check("input[name=roles][value=potential_victim]")
    page.check("input[name=roles][value=signaler]")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_age", "19")
    check_page(page, "add a person", variant, assert_accessible)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile("#people$"))
    expect(page.locator("#people [data-testid=person-potential_victim]")).to_contain_text("Rosa")
    # The exploiter is a business: named by its trade name alone.
    page.locator(f"#people a[href='{reverse('cases:person_add', args=[case.reference])}']").click()
    page.check("input[name=roles][value=exploiter]")
    page.check("#id_is_business")
    page.fill("#id_alias", "La Cocina Dorada LLC")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#people [data-testid=person-exploiter]")).to_contain_text(
        "La Cocina Dorada LLC"
    )
    roles = {person.display_name: person.roles for person in Person.objects.filter(case=case)}
    assert roles == {
        "Rosa": ["potential_victim", "signaler"],
        "La Cocina Dorada LLC": ["exploiter"],
    }
    assert Person.objects.get(first_name="Rosa").age == 19

    # Add a task: the form opens on demand, in place; the task is listed at once.
    page.locator("#tab-tasks-and-notes").click()
    task_title = page.locator("#tasks #id_title")
    expect(task_title).to_be_hidden()
    page.locator("#tasks [data-testid=task-disclosure] > summary").click()
    task_title.fill("Call the shelter back")
    page.locator("#id_due_date").fill(timezone.localdate().isoformat())
    page.locator("#tasks button[type=submit]").click()
    expect(page.locator("#tasks [data-testid=task]")).to_contain_text("Call the shelter back")
    assert Task.objects.get(case=case).title == "Call the shelter back"
    check_page(page, "case, tasks and notes", variant, assert_accessible)

    # The timeline tells what happened, newest first: the task is on top. (The task was
    # added in place; the timeline is drawn with the page, so it shows on the next load.)
    page.reload()
    page.locator("#tab-overview").click()
    expect(timeline.locator("[data-testid=timeline-entry]").first).to_contain_text(
        "Call the shelter back"
    )
    expect(page.locator("[data-testid=next-task]")).to_contain_text("Call the shelter back")

    if not variant.spanish:
        # A Spanish-speaking advocate on the U.S. line switches the interface: the same
        # case, every label in Spanish, and the choice kept for the next page.
        page.locator("[data-testid=lang-es]").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#people [data-testid=person-potential_victim]")).to_be_attached()
        with translation.override("es"):
            victim = str(c.label_for(c.PersonRole, "potential_victim"))
        expect(page.locator("#people")).to_contain_text(victim)
        check_page(
            page, "case, switched to Spanish", replace(variant, language="es"), assert_accessible
        )
