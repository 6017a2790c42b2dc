"""A supervisor's shift, in headless Chromium, on the U.S. line in English and the Mexican
line in Spanish, on a phone and on a desktop: the team view (each advocate's open cases
and overdue tasks, the cases nobody owns, imminent danger nobody attends to), one
advocate's work, a case opened from there and restricted after a confirmation, and the
break-glass review, where an advocate's opening of a restricted case waits to be
reviewed. Every main page is checked on the way (tests/e2e/journeys.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.cases.models import BreakGlass
from tests.e2e.journeys import VARIANTS, check_page, go_by_menu, signed_in_page, use_hotline
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BREAK_GLASS_REASON = "The caller says she is in danger tonight and asks for Beto's case."


def _a_team(variant):
    """Ana carries two cases, one with a task overdue since yesterday; a case in
    imminent danger came in and nobody owns it; Beto's case is restricted, and Ana broke
    the glass to open it."""
    supervisor = make_user(
        Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Rivera",
        language=variant.language,
    )  # fmt: skip
    ana = make_user(Role.ADVOCATE, username="ana", first_name="Ana", last_name="López")
    beto = make_user(Role.ADVOCATE, username="beto", first_name="Beto", last_name="Díaz")
    farm = cases.open_case(by=ana, title="Farm workers without pay")
    cases.open_case(by=ana, title="Nail salon, documents kept")
    cases.add_task(
        case=farm, by=ana, assignee=ana, title="Call the farm workers' lawyer",
        due_date=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    nobody = cases.open_case(
        by=supervisor, owner=None, title="Teenager sold online", imminent_danger=True
    )
    restricted = cases.open_case(by=beto, title="Witness in a prosecution")
    cases.restrict_case(case=restricted, by=make_user(Role.SUPERVISOR))
    cases.break_glass(case=restricted, user=ana, reason=BREAK_GLASS_REASON)
    return supervisor, ana, farm, nobody, restricted


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_supervisor_watches_the_team_restricts_a_case_and_reviews_broken_glass(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    supervisor, ana, farm, nobody, restricted = _a_team(variant)
    with translation.override(variant.language):
        restrict_question = gettext("Restrict this case? Only named staff will be able to open it.")
    page = signed_in_page(request, browser, asgi_server, supervisor, variant)
    page.goto(asgi_server.url + reverse("core:home"))
    check_page(page, "supervisor's home", variant, assert_accessible)

    # The team view: the unattended danger first, then nobody's cases, then each person.
    go_by_menu(page, reverse("cases:team"))
    unattended = page.locator("[data-testid=unattended-case]")
    expect(unattended).to_have_count(1)
    expect(unattended).to_contain_text(nobody.reference)
    expect(page.locator("[data-testid=unassigned-case]")).to_contain_text(nobody.reference)
    row = page.locator("[data-testid=advocate-row]", has_text="Ana López")
    expect(row.locator("[data-testid=open-cases]")).to_have_text("2")
    expect(row.locator("[data-testid=overdue-tasks]")).to_contain_text("1")
    check_page(page, "team", variant, assert_accessible)

    # One advocate's work: her overdue task and her open cases.
    row.locator(f"a[href='{reverse('cases:team_person', args=[ana.pk])}']").click()
    expect(page.locator("[data-testid=overdue-task]")).to_contain_text(
        "Call the farm workers' lawyer"
    )
    expect(page.locator("[data-testid=case-row]")).to_have_count(2)
    check_page(page, "an advocate's open work", variant, assert_accessible)

    # Open the case from there and restrict it: asked first, done only when confirmed.
    page.locator("[data-testid=overdue-task] a", has_text=farm.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{farm.reference}/"))
    page.locator("#tab-access").click()
    check_page(page, "case, access", variant, assert_accessible)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.locator("[data-testid=restrict-form] button[type=submit]").click()
    expect(page.locator("[data-testid=case-summary] [data-testid=restricted]")).to_be_visible()
    assert asked == [restrict_question]
    farm.refresh_from_db()
    assert farm.restricted

    # The break-glass review: Ana opened Beto's restricted case, with her reason.
    go_by_menu(page, reverse("cases:break_glass_review"))
    event = page.locator("[data-testid=break-glass-row]")
    expect(event).to_have_count(1)
    expect(event).to_contain_text(restricted.reference)
    expect(event).to_contain_text("Ana López")
    expect(event).to_contain_text(BREAK_GLASS_REASON)
    check_page(page, "break-glass review", variant, assert_accessible)
    event.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=break-glass-row]")).to_have_count(0)
    reviewed = BreakGlass.objects.get(case=restricted)
    assert reviewed.reviewed_by == supervisor and reviewed.reviewed_at is not None
