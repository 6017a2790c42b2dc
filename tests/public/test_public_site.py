"""The public site: pages at the root, bilingual, light, cookie-free; the anonymous tip
form and its defences (honeypot, per-address rate limit in the cache, size limit)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from puente.audit.models import AuditEntry
from puente.core import choices as c
from puente.intake.models import Contact

PAGES = ["/", "/trafficking/", "/reaching-out/", "/tip/", "/chat/"]


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.PUENTE_TIP_RATE_PER_HOUR = 3
    settings.PUENTE_QUICK_EXIT_URL = "https://weather.example/"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_are_at_the_root_light_and_set_no_cookie(path):
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert response.cookies == {}  # no session, CSRF or language cookie for a visitor
    assert "data-quick-exit" in html and 'href="https://weather.example/"' in html
    assert 'rel="noreferrer"' in html
    assert "puente/puente.css" not in html  # the staff stylesheet is not sent to visitors


@pytest.mark.django_db
def test_language_follows_the_browser_and_the_visitors_choice_is_kept(settings):
    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    spanish = Client().get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert "Quick exit" in english and "Salida rápida" in spanish
    assert '<html lang="es">' in spanish

    client = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    response = client.get("/language/?to=es&next=/tip/")
    assert response.status_code == 302 and response["Location"] == "/tip/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Envía un reporte anónimo" in client.get("/tip/").content.decode()
    # Not an open redirect.
    assert Client().get("/language/?to=en&next=https://evil.example/")["Location"] == "/"


@pytest.mark.django_db
def test_the_hotlines_numbers_come_from_configuration(settings):
    settings.PUENTE_HOTLINE_PHONE = "+18005550100"
    settings.PUENTE_HOTLINE_SMS = "233733"
    html = Client().get("/").content.decode()
    assert 'href="tel:+18005550100"' in html
    assert 'href="sms:233733"' in html
    assert 'href="tel:+528005533000"' in html  # Mexico's line, for someone south of the border


@pytest.mark.django_db
def test_staff_home_moved_to_the_staff_path(advocate_client):
    assert reverse("core:home") == "/workspace/"
    assert 'data-testid="live-queue"' in advocate_client.get("/workspace/").content.decode()
    assert Client().get("/workspace/").status_code == 302  # sign in first


def _tip(client: Client, **fields):
    data = {"account": "A man keeps the workers' passports at the farm on Route 9.", **fields}
    return client.post("/tip/", data, REMOTE_ADDR=fields.pop("addr", "203.0.113.5"))


@pytest.mark.django_db
def test_a_tip_becomes_a_web_form_contact_in_the_queue_with_no_address_stored(advocate_client):
    response = Client().post(
        "/tip/",
        {"account": "Workers locked in at night.", "reach_me": "Email me at a@b.example"},
        REMOTE_ADDR="198.51.100.77",
    )
    assert response.status_code == 200
    assert 'data-testid="tip-sent"' in response.content.decode()
    contact = Contact.objects.get()
    assert contact.channel == c.Channel.WEBFORM
    assert contact.taken_by is None and contact.reason == ""
    assert "Workers locked in at night." in contact.summary
    assert "a@b.example" in contact.summary
    assert not AuditEntry.objects.filter(ip="198.51.100.77").exists()
    assert "198.51.100.77" not in str(list(AuditEntry.objects.values()))
    home = advocate_client.get("/workspace/").content.decode()
    assert 'data-testid="queue-new"' in home and "Workers locked in at night." in home


@pytest.mark.django_db
def test_only_the_account_is_required():
    response = Client().post("/tip/", {"account": "  "}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 400
    assert "Tell us what happened." in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_is_thanked_and_nothing_is_stored():
    response = Client().post(
        "/tip/", {"account": "Buy cheap watches", "website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_flood_from_one_address_is_refused_while_others_get_through():
    flooder = Client()
    codes = [
        flooder.post("/tip/", {"account": f"spam {i}"}, REMOTE_ADDR="203.0.113.66").status_code
        for i in range(6)
    ]
    legitimate = Client().post(
        "/tip/", {"account": "Children selling flowers at 2 a.m."}, REMOTE_ADDR="192.0.2.10"
    )
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429, 429]
    assert legitimate.status_code == 200
    summaries = sorted(Contact.objects.values_list("summary", flat=True))
    assert summaries == ["Children selling flowers at 2 a.m.", "spam 0", "spam 1", "spam 2"]


@pytest.mark.django_db
def test_an_oversized_tip_is_refused_with_a_clear_message():
    response = Client().post("/tip/", {"account": "x" * 200_000}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_tip_posted_from_another_site_is_refused():
    response = Client().post(
        "/tip/", {"account": "x"}, HTTP_ORIGIN="https://evil.example", REMOTE_ADDR="203.0.113.8"
    )
    assert response.status_code == 403
    assert not Contact.objects.exists()
