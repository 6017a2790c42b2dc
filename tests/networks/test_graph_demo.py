"""The demo hotline shows a small network: the recurring exploiter's number, an ad and a
business address join six cases or more into one group (repeated scenarios share business names too), in either country."""

from __future__ import annotations

import pytest

from puente.accounts.models import User
from puente.networks.recurrence_graph import GraphFilters, focus, network
from puente.sampledata import demo as demo_hotline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("country", ["US", "MX"])
def test_the_demo_draws_one_group_joined_by_a_number_an_ad_and_an_address(settings, country):
    settings.PUENTE_DEMO = True
    settings.PUENTE_COUNTRY = country
    demo_hotline.seed_demo_data(country=country)
    supervisor = User.objects.get(username="supervisor")
    net = network(user=supervisor, filters=GraphFilters())
    largest = net.components[0]
    kinds = {kind for kind, _value in largest.identifiers}
    assert {"phone", "online_ad", "address"} <= kinds
    assert largest.size >= 6
    graph = focus(net=net, component=largest)
    assert {node.kind for node in graph.nodes} >= {"case", "identifier"}
    assert max(node.betweenness for node in graph.nodes) > 0
