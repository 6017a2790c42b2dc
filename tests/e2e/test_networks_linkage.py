"""An analyst reviews proposed matches between persons in Chromium: reads both persons
and the weights, confirms one pair, rejects another, and finds each under its status."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases.models import Person
from puente.networks.models import LinkStatus, PersonLink
from tests.e2e.journeys import VARIANTS, check_page, signed_in_page, use_hotline
from tests.factories import make_case, make_user
from tests.networks.linkage_data import EVIDENCE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pair(owner, first, second, weight):
    people = []
    for i, (given, last) in enumerate((first, second)):
        case = make_case(created_by=owner, title=f"{last} {i}")
        people.append(
            Person.objects.create(
                case=case, roles=["exploiter"], first_name=given, last_name=last, age=40 + i
            )
        )
    return PersonLink.objects.create(
        person_a=people[0], person_b=people[1], match_weight=weight,
        match_probability=0.999, evidence=EVIDENCE,
    )  # fmt: skip


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_analyst_confirms_and_rejects_proposed_matches(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    owner = make_user(Role.ADVOCATE)
    strong = _pair(owner, ("José Luis", "Hernández Ruiz"), ("Jose Luis", "Hernandez"), 15.0)
    weak = _pair(owner, ("Kevin", "Wilson"), ("Wilson", "Kevin"), 9.0)
    analyst = make_user(Role.ANALYST, username="ana", language=variant.language)
    page = signed_in_page(request, browser, asgi_server, analyst, variant)
    page.goto(asgi_server.url + reverse("networks:links"))
    pairs = page.locator("[data-testid=link-pair]")
    expect(pairs).to_have_count(2)
    expect(pairs.first).to_contain_text("José Luis Hernández Ruiz")
    expect(pairs.first.locator("[data-testid=link-evidence] tbody tr")).to_have_count(6)
    check_page(page, "proposed matches", variant, assert_accessible)

    pairs.first.locator("input[name=note]").fill("Same phone")
    pairs.first.locator("[data-testid=link-confirm]").click()
    expect(page.locator("[data-testid=link-pair]")).to_have_count(1)
    page.locator("[data-testid=link-pair]").first.locator("[data-testid=link-reject]").click()
    expect(page.locator("[data-testid=link-empty]")).to_be_visible()
    strong.refresh_from_db()
    weak.refresh_from_db()
    assert (strong.status, strong.note, strong.decided_by) == (
        LinkStatus.CONFIRMED, "Same phone", analyst,
    )  # fmt: skip
    assert weak.status == LinkStatus.REJECTED
    page.goto(asgi_server.url + reverse("networks:links") + "?status=confirmed")
    expect(page.locator("[data-testid=link-pair]")).to_have_count(1)
    expect(page.locator("[data-testid=link-pair]")).to_contain_text("Same phone")
    check_page(page, "confirmed matches", variant, assert_accessible)
