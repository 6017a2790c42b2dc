"""The release pages: who may open them, the preview that marks hidden cells, confirming,
the CSV download and the CTDC file, all in the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.sharing import releases
from puente.sharing.models.releases import Release
from puente.sharing.models.trends import SentRelease
from tests.conftest import signed_in_client
from tests.factories import make_user
from tests.sharing.release_data import add_cases


def released() -> Release:
    """A released table of January 2026 for publication, for tests that walk every page
    (the permission matrix: `release_id`)."""
    return releases.build_release(
        by=None,
        table="cases_type_month",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        recipient=None,
        publication_name="Annual report",
    )


@pytest.fixture
def analyst_client(analyst):
    return signed_in_client(analyst)


@pytest.fixture
def partner(db, own_key):
    # A release for a partner is sent as it is released, signed with this hotline's key.
    return PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )


FORM = {
    "table": "cases_state_quarter",
    "period_start": "2026-01-01",
    "period_end": "2026-03-31",
    "method": "suppression",
    "k": "11",
}


def test_an_analyst_builds_previews_and_releases_a_table(analyst, analyst_client, partner, own_key):
    add_cases(30, state="US-TX")
    add_cases(14, state="US-CA")
    add_cases(4, state="US-CA")
    response = analyst_client.post("/sharing/releases/new/", {**FORM, "recipient": partner.pk})
    draft = Release.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sharing/releases/{draft.pk}/"
    assert draft.status == "draft" and draft.recipient == partner
    preview = analyst_client.get(response["Location"]).content.decode()
    assert "Cases by state and quarter" in preview
    assert "Texas" in preview and "2026, quarter 1" in preview
    assert 'data-testid="confirm-release"' in preview
    assert "nothing has left the hotline" in preview
    assert not AuditEntry.objects.filter(object_type="release").exists()
    confirmed = analyst_client.post(f"/sharing/releases/{draft.pk}/confirm/")
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "released" and draft.released_by == analyst
    # Released for a partner is sent to it, in the same step: one audit entry, naming the
    # message that carries it.
    sent = SentRelease.objects.get(release=draft)
    assert sent.partner == partner and not sent.monthly
    assert OutboxMessage.objects.get(message_id=sent.message_id).message_type == "trends.release"
    entry = AuditEntry.objects.get(object_type="release")
    assert entry.action == "share" and entry.actor == analyst
    assert str(sent.message_id) in entry.reason
    assert (
        "is on its way to Línea Nacional"
        in analyst_client.get(confirmed["Location"]).content.decode()
    )
    log = analyst_client.get("/sharing/releases/").content.decode()
    assert f'data-testid="release-{draft.pk}"' in log and "Línea Nacional" in log


def test_a_release_the_exchange_cannot_carry_is_not_released(
    analyst, analyst_client, partner, settings
):
    """Without a signing key nothing can be sent: the release stays a draft, no budget or
    audit entry is spent on it, and the page says why."""
    settings.PUENTE_SIGNING_KEY = ""
    add_cases(30, state="US-TX")
    analyst_client.post("/sharing/releases/new/", {**FORM, "recipient": partner.pk})
    draft = Release.objects.get()
    confirmed = analyst_client.post(f"/sharing/releases/{draft.pk}/confirm/", follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft" and not SentRelease.objects.exists()
    assert not AuditEntry.objects.filter(object_type="release").exists()
    assert "no signing key" in confirmed.content.decode()


def test_the_preview_marks_hidden_cells_and_says_why(analyst, analyst_client):
    january, february = (timezone.make_aware(datetime(2026, m, 10, 12)) for m in (1, 2))
    add_cases(30, forms=["SexualExploitation"], opened=january)
    add_cases(25, forms=["SexualExploitation"], opened=february)
    add_cases(3, forms=["ForcedLabour"], opened=january)
    add_cases(20, forms=["ForcedLabour"], opened=february)
    release = releases.prepare_release(
        by=analyst,
        table="cases_type_month",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        recipient=None,
        publication_name="Web",
    )
    page = analyst_client.get(f"/sharing/releases/{release.pk}/").content.decode()
    assert page.count('data-testid="hidden-cell"') == release.suppressed_count > 0
    assert release.suppressed_count == 4  # the 3, and the rectangle that hides it
    assert "Fewer than 11" in page and "Hidden to protect another" in page
    assert ">3<" not in page  # the small count itself is nowhere on the page


def test_a_budget_refusal_is_shown_on_the_form(analyst_client, partner, settings):
    settings.PUENTE_RELEASE_EPSILON_BUDGET = 0.5
    response = analyst_client.post(
        "/sharing/releases/new/",
        {**FORM, "recipient": partner.pk, "method": "dp", "epsilon": "1.0"},
    )
    assert response.status_code == 400
    # ε = 1.0 is within the bounds but over this partner's whole budget for the year.
    assert "exceed the privacy budget" in response.content.decode()
    assert not Release.objects.exists()


def test_the_csv_has_translated_labels_and_a_byte_order_mark(analyst, analyst_client):
    add_cases(30, state="US-TX")
    release = releases.build_release(
        by=analyst,
        table="cases_state_quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        recipient=None,
        publication_name="Web",
    )
    analyst_client.cookies["django_language"] = "es"
    response = analyst_client.get(f"/sharing/releases/{release.pk}/csv/", HTTP_ACCEPT_LANGUAGE="es")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "Estado,Trimestre,Cifra,Nota"
    assert 'Texas,"2026, trimestre 1",30,' in lines
    entry = AuditEntry.objects.get(object_type="release", action="export", reason="csv")
    assert entry.object_id == str(release.pk) and entry.actor == analyst


def test_a_draft_cannot_be_downloaded(analyst, analyst_client):
    release = releases.prepare_release(
        by=analyst,
        table="cases_state_quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        recipient=None,
        publication_name="Web",
    )
    assert analyst_client.get(f"/sharing/releases/{release.pk}/csv/").status_code == 404


def test_the_ctdc_file_downloads_and_is_audited(analyst, analyst_client):
    add_cases(12, victims=1)
    response = analyst_client.post(
        "/sharing/releases/microdata/",
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "k": "11"},
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffyearOfRegistration,Datasource,gender,ageBroad")
    assert len(body.strip().splitlines()) == 13
    assert "Rosa" not in body
    assert AuditEntry.objects.filter(object_type="ctdc_microdata", action="export").count() == 1


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.LIAISON, Role.ADMINISTRATOR])
def test_people_without_release_manage_are_refused(role, db):
    release = released()
    client = signed_in_client(make_user(role))
    for url in (
        "/sharing/releases/",
        "/sharing/releases/new/",
        f"/sharing/releases/{release.pk}/",
        f"/sharing/releases/{release.pk}/csv/",
        "/sharing/releases/microdata/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/sharing/releases/{release.pk}/confirm/").status_code == 403
    assert (
        client.post(
            "/sharing/releases/microdata/",
            {"period_start": "2026-01-01", "period_end": "2026-03-31", "k": "11"},
        ).status_code
        == 403
    )
    assert not AuditEntry.objects.filter(object_type="ctdc_microdata").exists()
    assert not AuditEntry.objects.filter(object_type="release", reason="csv").exists()


def test_a_supervisor_may_release_too(supervisor):
    client = signed_in_client(supervisor)
    assert client.get("/sharing/releases/new/").status_code == 200


def test_the_pages_speak_spanish(analyst_client, analyst):
    release = released()
    analyst_client.cookies["django_language"] = "es"
    for url in ("/sharing/releases/", "/sharing/releases/new/", f"/sharing/releases/{release.pk}/"):
        page = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "Entregas de datos" in page or "Preparar una entrega" in page or "Periodo" in page
        for english in ("Release log", "Build a release", "The protected table", "Period<"):
            assert english not in page, (url, english)


def test_the_log_costs_the_same_queries_for_one_release_or_three(analyst_client, db):
    released()
    with CaptureQueriesContext(connection) as one:
        analyst_client.get("/sharing/releases/")
    released()
    released()
    with CaptureQueriesContext(connection) as three:
        analyst_client.get("/sharing/releases/")
    assert len(three) == len(one)


def test_the_audit_trail_names_the_release_in_words(analyst, supervisor, partner):
    add_cases(12)
    releases.build_release(
        by=analyst,
        table="cases_state_quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        recipient=partner,
    )
    page = signed_in_client(supervisor).get("/audit/").content.decode()
    assert "Shared with a partner hotline" in page
    assert "Cases by state and quarter" in page
    assert "Small-cell suppression" in page
