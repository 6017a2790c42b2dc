"""The audit trail reads as words in the reader's language: actions, records, field
names and picklist values translated, staff by name — never codes or ids."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from puente.accounts.roles import Role
from puente.audit.domain import record_event
from puente.audit.labels import (
    add_picklist,
    field_label,
    object_label,
    reason_label,
    value_label,
)
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

URL = reverse("audit:list")


def changes_shown(page) -> list[str]:
    items = re.findall(r'<li data-testid="audit-change">(.*?)</li>', page.text, re.S)
    return [re.sub(r"<[^>]+>", "", item) for item in items]


def records_shown(page) -> list[str]:
    return re.findall(r'data-testid="audit-record">(.*?)</td>', page.text, re.S)


@pytest.fixture
def trail(db):
    supervisor = make_user(Role.SUPERVISOR, first_name="Sam", last_name="Reyes")
    ana = make_user(Role.ADVOCATE, username="ana", first_name="Ana", last_name="Torres")
    bo = make_user(Role.ADVOCATE, username="bo", first_name="Bo", last_name="Díaz")
    case = make_case(created_by=ana)
    record_event(
        action="change",
        actor=ana,
        obj=case,
        changes=[
            {"field": "exploitation_type", "old": None, "new": "sex"},
            {"field": "status", "old": "new", "new": "active"},
            {"field": "owner", "old": ana.pk, "new": bo.pk},
            {"field": "forms_of_exploitation", "old": [], "new": ["ForcedLabour"]},
        ],
    )
    record_event(
        action="change",
        actor=supervisor,
        object_type="user",
        object_id=bo.pk,
        object_ref="bo",
        changes=[{"field": "is_active", "old": True, "new": False}],
    )
    return {"supervisor": supervisor, "ana": ana, "bo": bo, "case": case}


def test_an_administrator_sees_an_account_change_by_name(trail):
    admin = make_user(Role.ADMINISTRATOR)
    page = signed_in_client(admin).get(URL, HTTP_ACCEPT_LANGUAGE="es")
    assert any(s.endswith(": Sí → No") for s in changes_shown(page)), changes_shown(page)
    assert any("Bo Díaz" in r for r in records_shown(page))


def test_the_trail_in_english(trail):
    client = signed_in_client(trail["supervisor"])
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    shown = changes_shown(page)
    assert "Type of trafficking: — → Sex trafficking" in shown
    assert "Status: New → Active" in shown
    assert "Case owner: Ana Torres → Bo Díaz" in shown
    assert any(s.endswith("— → Forced labor") for s in shown)
    # A person's account is named by their name, not "user #2".
    assert "Bo Díaz" in " ".join(records_shown(page))
    assert f"#{trail['bo'].pk}" not in " ".join(records_shown(page))
    assert any(r.startswith("Case ") and trail["case"].reference in r for r in records_shown(page))
    # The reviewer and the advocate by name, not username.
    assert "Ana Torres" in page.text
    for code in ("exploitation_type", "sex_and_labour", ">sex<", "ForcedLabour", "is_active"):
        assert code not in page.text


def test_the_trail_in_spanish(trail):
    client = signed_in_client(trail["supervisor"])
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="es-MX")
    assert page.headers["Content-Language"] == "es"
    shown = " | ".join(changes_shown(page))
    assert "Trata con fines de explotación sexual" in shown or "Trata sexual" in shown, shown
    assert "Sex trafficking" not in shown
    assert "Type of trafficking" not in shown and "Status:" not in shown
    assert "Ana Torres → Bo Díaz" in shown
    with translation.override("es"):
        assert value_label("user", "is_active", True) == "Sí"
    assert "Cambió" in page.text or "Modificó" in page.text
    assert "Changed" not in page.text


def test_unknown_codes_stay_visible_and_registries_name_the_rest(db):
    assert field_label("case", "no_such_field") == "no_such_field"
    assert value_label("case", "status", "not_a_status") == "not_a_status"
    assert object_label("case_list") != "case_list"
    add_picklist([("purple", "Purple")], object_type="widget", field="colour")
    assert value_label("widget", "colour", ["purple", "green"]) == "Purple, green"
    assert value_label("case", "restricted", True) == "Yes"


def test_dates_recorded_as_text_read_in_the_interface_language(db, settings):
    settings.TIME_ZONE = "UTC"
    moment = timezone.make_aware(datetime(2026, 11, 30, 14, 5))
    with translation.override("es"):
        assert value_label("task", "due_date", "2026-11-30") == "30/11/2026"
        assert value_label("task", "done_at", str(moment)) == "30/11/2026 14:05"
    with translation.override("en"):
        assert value_label("task", "due_date", "2026-11-30") == "11/30/2026"


@pytest.mark.parametrize(
    "written, spanish",
    [
        ("wrong password", "contraseña incorrecta"),
        ("3 failed attempts; locked until 2026-11-30T14:05:00", "3 intentos fallidos; bloqueada"),
        ("two-step verification reset (2 devices removed)", "(2 dispositivos eliminados)"),
        ("purge finished (purged) — contacts: 4", "depuración terminada (eliminados)"),
    ],
)
def test_reasons_the_system_writes_read_in_spanish(db, written, spanish):
    entry = record_event(action="login", object_type="user", object_id=1, reason=written)
    with translation.override("es"):
        assert spanish in reason_label(entry)
    with translation.override("en"):
        assert reason_label(entry).split(" (")[0].split(";")[0] in written
