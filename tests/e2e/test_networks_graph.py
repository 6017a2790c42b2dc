"""The network view draws in Chromium: a supervisor opens it, Cytoscape.js draws the
group's nodes on its canvas (counted through the library and the page), the table below
holds the same nodes, and the page passes the accessibility checks on a desktop and a
phone, in English and in Spanish."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.cases.models import Case
from tests.e2e.journeys import VARIANTS, check_page, signed_in_page, use_hotline
from tests.networks.recurrence_data import PHONE, recurring_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_network_view_draws_the_group(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    world = recurring_world()  # numbers read as U.S. ones, before the variant's hotline
    use_hotline(settings, variant)
    if variant.spanish:
        # Titles in the hotline's language (they are people's words, shown as written).
        for case, title in [(world.warehouse, "Bodega"), (world.salon, "Salón de uñas")]:
            Case.objects.filter(pk=case.pk).update(title=title)
    supervisor = world.restrictor
    supervisor.language = variant.language
    supervisor.save(update_fields=["language"])
    page = signed_in_page(request, browser, asgi_server, supervisor, variant)
    page.goto(asgi_server.url + reverse("networks:graph"))
    graph = page.locator("[data-testid=network-graph]")
    expect(graph).to_have_attribute("data-drawn", "true")
    # Nine nodes: four cases, the exploiter, two businesses, the phone and the address.
    assert page.evaluate("window.puenteNetwork.nodes().length") == 9
    assert page.evaluate("window.puenteNetwork.edges().length") == 8
    assert (
        page.evaluate(f"window.puenteNetwork.getElementById('identifier:phone:{PHONE}').degree()")
        == 3
    )
    expect(graph.locator("canvas").first).to_be_attached()
    box = graph.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    expect(page.locator("[data-testid=network-node]")).to_have_count(9)
    check_page(page, "network view", variant, assert_accessible)
    # A search opens the group of the number.
    page.locator("[data-testid=network-filters] input[name=q]").fill(world.parlor.reference)
    page.locator("[data-testid=network-filters] button[type=submit]").click()
    expect(graph).to_have_attribute("data-drawn", "true")
    expect(page.locator("[data-testid=network-table]")).to_contain_text(world.parlor.reference)
