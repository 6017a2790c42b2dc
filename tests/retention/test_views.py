"""The Retention page: administrators see and change the rules (in English and Spanish);
no one else may, and an outsider is sent to sign in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.retention import domain
from puente.retention.models import RetentionRule
from tests.conftest import signed_in_client
from tests.factories import make_user

URL = "/retention/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(administrator):
    return signed_in_client(administrator)


def _post(client, category, **fields):
    data = {"category": category}
    data.update({f"{category}-{name}": value for name, value in fields.items()})
    return client.post(URL, data)


def test_an_administrator_sees_every_rule_with_its_default(admin_client):
    page = admin_client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    for category in ("drafts", "unlinked_contacts", "closed_cases", "exchange_payloads"):
        assert f'data-testid="rule-{category}"' in text
    assert "Closed cases" in text and "84 months after closing" in text
    assert "puente purge --dry-run" in text
    assert RetentionRule.objects.count() == 5  # the shipped defaults, stored on first read


def test_the_page_is_in_spanish(admin_client):
    admin_client.cookies["puente_language"] = "es"
    text = admin_client.get(URL).content.decode()
    assert "Reglas de conservación" in text
    assert "Casos cerrados" in text


def test_an_administrator_changes_a_rule_and_the_trail_records_old_and_new(
    admin_client, administrator
):
    response = _post(admin_client, "closed_cases", keep_for="10", unit="months", enabled="on")
    assert response.status_code == 302
    rule = RetentionRule.objects.get(category="closed_cases")
    assert (rule.keep_for, rule.unit, rule.enabled) == (10, "months", True)
    assert rule.changed_by == administrator and rule.changed_at is not None
    entry = AuditEntry.objects.filter(object_type="retentionrule").get()
    assert entry.action == "change" and entry.object_ref == "closed_cases"
    assert {"field": "keep_for", "old": 84, "new": 10} in entry.changes


def test_switching_a_rule_off(admin_client):
    assert _post(admin_client, "drafts", keep_for="30", unit="days").status_code == 302
    assert RetentionRule.objects.get(category="drafts").enabled is False
    assert "never purged (switched off)" in admin_client.get(URL).content.decode()


def test_a_keep_below_the_floor_is_refused_and_nothing_changes(admin_client):
    response = _post(admin_client, "unlinked_contacts", keep_for="7", unit="days", enabled="on")
    assert response.status_code == 400
    assert "must be kept at least 30 days" in response.content.decode()
    rule = RetentionRule.objects.get(category="unlinked_contacts")
    assert (rule.keep_for, rule.unit) == (36, "months")
    assert not AuditEntry.objects.filter(object_type="retentionrule").exists()


def test_an_unknown_category_is_refused(admin_client):
    assert _post(admin_client, "everything", keep_for="1", unit="days").status_code == 400


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_other_roles_are_refused_and_the_refusal_is_audited(role):
    client = signed_in_client(make_user(role))
    assert client.get(URL).status_code == 403
    assert _post(client, "drafts", keep_for="1", unit="days").status_code == 403
    assert RetentionRule.objects.filter(category="drafts", keep_for=1).count() == 0
    assert AuditEntry.objects.filter(
        action="access_denied", reason="needs retention.manage"
    ).exists()


def test_an_outsider_is_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_administrators_find_the_page_from_home(admin_client):
    assert 'href="/retention/"' in admin_client.get(reverse("core:home")).content.decode()


def test_the_page_lists_recent_purges(admin_client):
    domain.purge_due(dry_run=True)
    text = admin_client.get(URL).content.decode()
    assert "Recent purges" in text and "dry run" in text
