"""An analyst builds a release for the partner hotline in Chromium: fills the form,
looks at the preview (hidden cells marked), releases it and downloads the CSV."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.federation.models import PartnerHotline
from puente.sharing.models.releases import Release
from puente.sharing.models.trends import SentRelease
from tests.e2e.journeys import VARIANTS, check_page, signed_in_page, use_hotline
from tests.factories import make_user
from tests.sharing.release_data import add_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_analyst_releases_a_protected_table(
    request, browser, asgi_server, settings, own_key, assert_accessible, variant
):
    use_hotline(settings, variant)
    analyst = make_user(Role.ANALYST, username="ana", language=variant.language)
    partner = PartnerHotline.objects.create(
        name="Polaris", country="US", base_url="https://us.example"
    )
    january, february = (timezone.make_aware(datetime(2026, m, 10, 12)) for m in (1, 2))
    add_cases(30, forms=["SexualExploitation"], opened=january)
    add_cases(25, forms=["SexualExploitation"], opened=february)
    add_cases(3, forms=["ForcedLabour"], opened=january)
    add_cases(20, forms=["ForcedLabour"], opened=february)
    page = signed_in_page(request, browser, asgi_server, analyst, variant)
    page.goto(asgi_server.url + reverse("sharing:releases"))
    check_page(page, "release log", variant, assert_accessible)
    page.locator("[data-testid=new-release]").click()
    form = page.locator("[data-testid=release-form] form")
    form.locator("select[name=table]").select_option("cases_type_month")
    form.locator("input[name=period_start]").fill("2026-01-01")
    form.locator("input[name=period_end]").fill("2026-02-28")
    form.locator("select[name=recipient]").select_option(str(partner.pk))
    check_page(page, "release form", variant, assert_accessible)
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=draft-notice]")).to_be_visible()
    expect(page.locator("[data-testid=hidden-cell]")).to_have_count(4)
    check_page(page, "release preview", variant, assert_accessible)
    page.locator("[data-testid=confirm-release]").click()
    expect(page.locator("[data-testid=download-csv]")).to_be_visible()
    assert Release.objects.get().status == "released"
    assert SentRelease.objects.get().partner == partner  # released for Polaris: sent to it
    with page.expect_download() as download:
        page.locator("[data-testid=download-csv]").click()
    body = open(download.value.path(), encoding="utf-8").read()
    assert body.startswith("\ufeff")
    check_page(page, "release", variant, assert_accessible)
    page.goto(asgi_server.url + reverse("sharing:releases"))
