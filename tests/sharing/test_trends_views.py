"""The combined cross-border view as its readers see it (/sharing/trends/): who may open
it, what it shows and says, that it is in the audit trail and reachable from the
dashboards; and sending a release from it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.federation import keys
from puente.federation.models import OutboxMessage
from puente.sharing import trends
from puente.sharing.models import PartnerRelease, SentRelease
from tests.conftest import signed_in_client
from tests.factories import make_user
from tests.federation.conftest import make_partner
from tests.sharing.test_trends import (
    release_body,
    release_message,
    released_table,
    send_from_mexico,
)

URL = reverse("sharing:trends")


@pytest.fixture
def mx(db):
    """Mexico's hotline as registered here; the test holds its private key."""
    return make_partner()


@pytest.fixture
def own_key(settings):
    pem = keys.generate_private_key_pem()
    settings.PUENTE_SIGNING_KEY = pem.decode()
    return keys.load_private_key(pem)


def _both_sides(mx, analyst):
    trends.send_release(release=released_table(recipient=mx.hotline), by=analyst)
    assert send_from_mexico(mx, release_message(release_body())).status_code == 202


def test_an_analyst_sees_both_hotlines_figures_labelled_with_source_and_protection(
    mx, own_key, analyst, settings
):
    settings.PUENTE_HOTLINE_NAME = "National Human Trafficking Hotline"
    _both_sides(mx, analyst)
    page = signed_in_client(analyst).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "United States and Mexico" in html
    assert "Cases by form of exploitation and month" in html
    table = html.split('data-testid="trends-table-cases_type_month"')[1].split("</section>")[0]
    # Where each number came from, and how it was protected: column, cell and legend.
    assert table.count('data-testid="trend-source"') == 2
    assert "National Human Trafficking Hotline" in table and "Línea Nacional (MX)" in table
    assert table.count("No count below 11; small cells suppressed") >= 2
    assert (
        '<td class="num" data-label="Línea Nacional (MX)" title="Línea Nacional (MX) · '
        'No count below 11; small cells suppressed">21</td>'
    ) in table
    assert (
        '<td class="num" data-label="National Human Trafficking Hotline" title="National '
        'Human Trafficking Hotline · No count below 11; small cells suppressed">14</td>'
    ) in table
    assert '<td class="num" data-label="Both hotlines">35</td>' in table  # 14 + 21
    assert '<span class="badge">Suppressed</span>' in table
    # Labels, never codes.
    assert "Forced labor" in table and "October 2026" in table
    assert "ForcedLabour" not in table and "2026-10" not in table
    entry = AuditEntry.objects.get(action="view", object_type="cross_border_trends")
    assert entry.actor == analyst and "cases_type_month" in entry.reason


def test_the_page_reads_in_spanish(mx, own_key, analyst):
    _both_sides(mx, analyst)
    analyst.language = "es"
    analyst.save()
    html = signed_in_client(analyst).get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Estados Unidos y México" in html
    assert "Trabajo forzoso" in html
    assert "Ninguna cifra menor que 11; celdas pequeñas suprimidas" in html
    assert "Ambas líneas" in html and "Suprimida" in html


def test_nothing_on_the_page_is_left_in_english_or_as_a_code(mx, own_key, analyst, settings):
    from tests.core.test_spanish_everywhere import VisibleText, _codes, problems_in

    settings.PUENTE_HOTLINE_NAME = "Línea Nacional contra la Trata de Personas"
    settings.PUENTE_COUNTRY = "MX"
    analyst.language = "es"
    analyst.save()
    client = signed_in_client(analyst)
    empty = client.get(URL, HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    trends.send_release(
        release=released_table(recipient=mx.hotline, method="dp", epsilon=0.5), by=analyst
    )
    assert send_from_mexico(mx, release_message(release_body())).status_code == 202
    full = client.get(URL, HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    names = [mx.hotline.name, analyst.get_full_name(), analyst.get_username()]
    for html in (empty, full):
        assert problems_in(VisibleText.of(html), data=names, codes=_codes()) == []
    # Mexico writes a decimal point, as the United States does.
    assert "Privacidad diferencial (ε = 0.5) y ninguna cifra menor que 11" in full


def test_a_supervisor_may_look_an_advocate_and_a_liaison_may_not(mx, supervisor, advocate, liaison):
    assert signed_in_client(supervisor).get(URL).status_code == 200
    assert signed_in_client(advocate).get(URL).status_code == 403
    assert signed_in_client(liaison).get(URL).status_code == 403
    anonymous = signed_in_client(make_user(Role.ANALYST))
    anonymous.logout()
    assert "/accounts/login/" in anonymous.get(URL)["Location"]


def test_with_no_partner_the_page_says_what_will_happen(db, analyst):
    html = signed_in_client(analyst).get(URL).content.decode()
    assert "No partner hotline is registered yet" in html


def test_only_one_side_so_far_is_shown_as_such(mx, analyst):
    assert send_from_mexico(mx, release_message(release_body())).status_code == 202
    html = signed_in_client(analyst).get(URL).content.decode()
    assert "Only Línea Nacional (MX) has sent this table so far." in html
    table = html.split('data-testid="trends-table-cases_type_month"')[1].split("</section>")[0]
    assert "Both hotlines" not in table


def test_the_page_costs_the_same_queries_for_one_table_or_three(mx, own_key, analyst):
    client = signed_in_client(analyst)
    _both_sides(mx, analyst)
    client.get(URL)  # warm: the session is renewed once a minute
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).content.decode().count('data-testid="trends-table-') == 1
    for table in ("cases_state_quarter", "victims_type_gender"):
        body = release_body(
            table=table,
            dimensions=list(trends.releases.TABLES[table].dimensions),
            cells=[],
            margins=[],
        )
        assert send_from_mexico(mx, release_message(body)).status_code == 202
    with CaptureQueriesContext(connection) as three:
        assert client.get(URL).content.decode().count('data-testid="trends-table-') == 3
    assert len(three) == len(one)


def test_the_dashboards_and_the_home_page_lead_to_the_combined_view(analyst, advocate):
    client = signed_in_client(analyst)
    dashboard = client.get(reverse("insights:dashboards")).content.decode()
    assert f'<a href="{URL}">Across the border</a>' in dashboard
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{URL}"' in home.split('data-testid="home-dashboards"')[1]
    page = client.get(URL).content.decode()
    assert f'href="{reverse("insights:dashboard_cases")}"' in page  # and back again
    assert (
        f'href="{URL}"' not in signed_in_client(advocate).get(reverse("core:home")).content.decode()
    )


def test_an_analyst_sends_this_months_releases_from_the_page(mx, own_key, analyst, settings):
    settings.PUENTE_TREND_TABLES = ["cases_type_month"]
    client = signed_in_client(analyst)
    assert "Send this month" in client.get(URL).content.decode()
    response = client.post(reverse("sharing:trends_send", args=[mx.hotline.pk]), follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "1 release is on its way to Línea Nacional (MX)." in response.content.decode()
    sent = SentRelease.objects.get()
    assert sent.sent_by == analyst and sent.monthly
    assert OutboxMessage.objects.filter(message_type="trends.release").count() == 1
    again = client.post(reverse("sharing:trends_send", args=[mx.hotline.pk]), follow=True)
    assert "This month&#x27;s releases were already sent." in again.content.decode()
    assert SentRelease.objects.count() == 1


def test_sending_needs_release_manage_and_a_post(mx, own_key, analyst, supervisor):
    url = reverse("sharing:trends_send", args=[mx.hotline.pk])
    assert signed_in_client(make_user(Role.LIAISON)).post(url).status_code == 403
    assert signed_in_client(analyst).get(url).status_code == 405
    assert SentRelease.objects.count() == 0 and PartnerRelease.objects.count() == 0
