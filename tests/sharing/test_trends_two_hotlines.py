"""Two real deployments, end to end: each hotline's monthly release crosses the border
over the signed exchange (separate server and worker processes, separate databases), and
each side's analyst then sees both hotlines' figures on the combined page. A release
that carries a count below k is refused by the receiving hotline, signed and for good."""

from __future__ import annotations

import json
import re

import pytest
import requests

from puente.federation.pair import DEMO_PASSWORD, HOTLINE_NAMES
from tests.federation.two_hotlines import two_hotlines

pytestmark = pytest.mark.two_hotlines

# The table with the demo's most records (contacts: hundreds), so numbers of k or more
# cross; the tables of cases (forty) would mostly be suppressed.
SEND_MONTHLY = """
import json
from django.conf import settings
from puente.sharing import trends
settings.PUENTE_TREND_TABLES = ["contacts_channel_month"]
run = trends.send_monthly_releases()
sent = run.sent[0].release
print(json.dumps({
    "problems": run.problems,
    "release_id": str(sent.pk),
    "total": next(m["count"] for m in sent.margins if set(m) == {"count"}),
    "published": sorted({c["count"] for c in sent.cells if c["count"] is not None}),
}))
"""

# What a faulty or hostile sender might put on the exchange: a count below k, straight
# into the outbox (send_release itself refuses to).
SEND_BELOW_K = """
import uuid
from puente.federation import domain
from puente.federation.models import PartnerHotline
from puente.sharing import trends
release_id = str(uuid.uuid4())
body = {
    "release_id": release_id, "table": "contacts_channel_month",
    "period": {"start": "2026-01-01", "end": "2026-01-31"},
    "dimensions": ["channel", "month"],
    "protection": {"method": "suppression", "k": 11, "epsilon": None, "delta": None},
    "cells": [{"channel": "phone", "month": "2026-01", "count": 3, "suppressed": False}],
    "margins": [],
}
message = domain.send_message(partner=PartnerHotline.objects.get(), message_type=trends.MESSAGE_TYPE,
                              exchange_id=release_id, body=body)
print(message.message_id)
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with two_hotlines(tmp_path_factory.mktemp("trends-pair")) as running:
        yield running


def _sent(hotline) -> dict:
    return json.loads(hotline.shell(SEND_MONTHLY).strip().splitlines()[-1])


def _trends_page(hotline, *, language: str) -> str:
    """The combined page as that hotline's analyst sees it, over HTTP."""
    session = requests.Session()
    url = hotline.side.url
    login = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = session.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "analyst", "password": DEMO_PASSWORD},
        headers={"Referer": f"{url}/accounts/login/", "Accept-Language": language},
        timeout=30,
    )
    assert "/accounts/login/" not in signed_in.url
    page = session.get(f"{url}/sharing/trends/", headers={"Accept-Language": language}, timeout=60)
    assert page.status_code == 200
    return page.text


def _total_cell(page: str, hotline: str) -> str:
    footer = page.split('data-testid="trends-table-contacts_channel_month"')[1].split("<tfoot>")[1]
    cell = re.search(rf'data-label="{re.escape(hotline)}"[^>]*>([^<]+)</td>', footer)
    assert cell, footer
    return cell.group(1)


def test_each_hotlines_release_crosses_and_appears_in_both_dashboards(pair):
    us, mx, _wire = pair
    us_release = _sent(us)
    mx_release = _sent(mx)
    assert us_release["problems"] == [] and mx_release["problems"] == []
    # Each side holds the other's release once, exactly as sent, and audited its receipt.
    for here, there in ((mx, us_release), (us, mx_release)):
        here.wait_for("SELECT COUNT(*) FROM sharing_partnerrelease", [(1,)])
        margins, cells = (
            _json(v) for v in here.rows("SELECT margins, cells FROM sharing_partnerrelease")[0]
        )
        assert {"count": there["total"]} in margins
        published = sorted({c["count"] for c in cells if c["count"] is not None})
        assert published == there["published"]
        assert all(n >= 11 for n in published)
        assert here.rows(
            "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'exchange_received' "
            "AND object_type = 'partnerrelease'"
        ) == [(1,)]
    us.wait_for("SELECT DISTINCT state FROM federation_outboxmessage", [("delivered",)])
    mx.wait_for("SELECT DISTINCT state FROM federation_outboxmessage", [("delivered",)])

    us_name, mx_name = HOTLINE_NAMES["US"], HOTLINE_NAMES["MX"]
    us_page = _trends_page(us, language="en")
    assert "United States and Mexico" in us_page
    assert _total_cell(us_page, us_name) == f"{us_release['total']:,}"
    assert _total_cell(us_page, mx_name) == f"{mx_release['total']:,}"
    assert "No count below 11; small cells suppressed" in us_page
    assert "Delivered to the partner" in us_page

    mx_page = _trends_page(mx, language="es")
    assert "México y Estados Unidos" in mx_page
    assert _total_cell(mx_page, mx_name) == str(mx_release["total"])
    assert _total_cell(mx_page, us_name) == str(us_release["total"])
    assert "Ninguna cifra menor que 11; celdas pequeñas suprimidas" in mx_page
    # The same period on both sides: the two totals are added.
    assert str(us_release["total"] + mx_release["total"]) in mx_page.split("<tfoot>")[1]


def test_a_release_with_a_count_below_k_is_refused_by_the_partner_for_good(pair):
    us, mx, _wire = pair
    before = mx.count("sharing_partnerrelease")
    message_id = us.shell(SEND_BELOW_K).strip().splitlines()[-1]
    state, error = us.wait_for(
        "SELECT state, last_error FROM federation_outboxmessage WHERE message_id = %s",
        lambda rows: rows and rows[0][0] == "failed",
        params=(message_id.replace("-", "") if _sqlite(us) else message_id,),
    )[0]
    assert "invalid_message" in error and "below k = 11" in error
    assert mx.count("sharing_partnerrelease") == before
    refusals = mx.rows(
        "SELECT reason FROM audit_auditentry WHERE action = 'exchange_refused' ORDER BY id"
    )
    assert "below k = 11" in refusals[-1][0]


def _json(value):
    # SQLite hands JSON back as text, PostgreSQL as the decoded value.
    return json.loads(value) if isinstance(value, str) else value


def _sqlite(hotline) -> bool:
    return hotline.side.env()["DATABASE_URL"].startswith("sqlite")
