from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.core.concurrency import StaleWriteError
from puente.directory import domain
from puente.directory.models import Provider
from tests.directory.conftest import make_provider
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "puente" / "directory" / "sample_providers.csv"

HEADER = "external_id,name,kind,services,languages,populations,phone,city,postal_code,country,subdivision,open_24_7,last_verified\n"  # noqa: E501
GOOD = HEADER + (
    "A-1,Casa Uno,shelter,Refugio / vivienda de emergencia;legal,Español;eng,Mujeres,"
    "55 5000 0001,Tlalpan,14000,MX,Ciudad de México,sí,2025-01-15\n"
    "A-2,Houston Legal,Legal aid,Immigration legal services,English; Spanish,adults,"
    "(713) 555-0142,Houston,77002,US,TX,no,2025-02-01\n"
)


def test_create_normalises_and_places_and_audits(admin_user):
    provider = domain.create_provider(
        by=admin_user, name=" Casa Uno ", country="MX", subdivision="MX-DIF",
        city="Iztapalapa", phone="55 5000 0001", services=["legal", "legal"],
    )  # fmt: skip
    assert provider.name == "Casa Uno"
    assert provider.subdivision == "MX-CMX"
    assert provider.phone == "+525550000001"
    assert provider.services == ["legal"]
    assert provider.latitude == pytest.approx(19.36, abs=0.05)
    entry = AuditEntry.objects.get(action="create", object_type="provider")
    assert entry.object_id == str(provider.pk) and entry.actor == admin_user


def test_create_refuses_bad_values_by_field(admin_user):
    with pytest.raises(ValidationError) as exc:
        domain.create_provider(
            by=admin_user, name="", country="US", subdivision="MX-JAL", phone="12",
            services=["nope"], email="not-an-email", coverage=["XX-YY"],
        )  # fmt: skip
    assert set(exc.value.message_dict) == {
        "name", "subdivision", "phone", "services", "email", "coverage"
    }  # fmt: skip
    assert Provider.objects.count() == 0


def test_only_administrators_manage(admin_user):
    with pytest.raises(PermissionDenied):
        domain.create_provider(by=make_user(Role.ADVOCATE), name="X", country="US")
    provider = make_provider(by=admin_user)
    with pytest.raises(PermissionDenied):
        domain.update_provider(
            provider_id=provider.pk, expected_version=1, changes={"name": "Y"},
            by=make_user(Role.SUPERVISOR),
        )  # fmt: skip


def test_update_with_a_stale_version_writes_nothing(admin_user):
    provider = make_provider(by=admin_user, name="Original")
    domain.update_provider(
        provider_id=provider.pk, expected_version=1, changes={"name": "First"}, by=admin_user
    )
    with pytest.raises(StaleWriteError) as exc:
        domain.update_provider(
            provider_id=provider.pk, expected_version=1, changes={"name": "Second"}, by=admin_user
        )
    assert exc.value.current_version == 2
    provider.refresh_from_db()
    assert (provider.name, provider.version) == ("First", 2)
    change = AuditEntry.objects.get(action="change", object_id=str(provider.pk))
    assert change.changes == [{"field": "name", "old": "Original", "new": "First"}]


def test_moving_a_provider_places_it_again(admin_user):
    provider = make_provider(by=admin_user, city="Houston", postal_code="77002")
    moved = domain.update_provider(
        provider_id=provider.pk, expected_version=1,
        changes={"city": "El Paso", "postal_code": "79901"}, by=admin_user,
    )  # fmt: skip
    assert moved.latitude == pytest.approx(31.76, abs=0.05)


# --- CSV -------------------------------------------------------------------------------


def test_good_file_previews_every_row():
    preview = domain.preview_import(text=GOOD)
    assert preview.ok
    first, second = preview.rows
    assert first.values["services"] == ["shelter_emergency_housing", "legal"]
    assert first.values["languages"] == ["spa", "eng"]
    assert first.values["populations"] == ["women"]
    assert first.values["subdivision"] == "MX-CMX"
    assert first.values["phone"] == "+525550000001"
    assert first.values["open_24_7"] is True
    assert second.values["kind"] == "legal_aid"
    assert second.values["phone"] == "+17135550142"
    assert second.values["subdivision"] == "US-TX"
    assert Provider.objects.count() == 0


def test_bad_rows_are_reported_per_row_and_field_and_nothing_is_imported(admin_user):
    text = GOOD + (
        "A-3,,shelter,teleportation,Klingon,adults,12,Nowhere,,US,Narnia,maybe,2025-13-01\n"
    )
    preview = domain.preview_import(text=text)
    assert not preview.ok
    assert [r.ok for r in preview.rows] == [True, True, False]
    bad = preview.rows[2]
    assert bad.line == 4
    assert set(bad.errors) == {
        "services", "languages", "subdivision", "open_24_7", "last_verified"
    }  # fmt: skip
    assert "teleportation" in bad.errors["services"][0]
    batch = domain.stage_import(text=text, filename="bad.csv", by=admin_user)
    with pytest.raises(domain.ImportRefused):
        domain.commit_import(batch=batch, by=admin_user)
    assert Provider.objects.count() == 0


def test_missing_name_and_bad_phone_found_after_parsing():
    text = HEADER + "X-9,,shelter,,,,12,,,US,TX,no,\n"
    row = domain.preview_import(text=text).rows[0]
    assert set(row.errors) == {"name", "phone"}


def test_missing_required_column_is_a_file_error():
    preview = domain.preview_import(text="name,colour\nX,blue\n")
    assert not preview.ok
    assert any("colour" in e for e in preview.file_errors)
    assert any("country" in e for e in preview.file_errors)


def test_duplicate_external_id_in_a_file():
    text = HEADER + "\n".join(GOOD.splitlines()[1:2] * 2) + "\n"
    preview = domain.preview_import(text=text)
    assert preview.rows[1].errors["external_id"]


def test_good_file_imports_all_rows_and_reimport_upserts(admin_user):
    batch = domain.stage_import(text=GOOD, filename="good.csv", by=admin_user)
    result = domain.commit_import(batch=batch, by=admin_user)
    assert (result.created, result.updated) == (2, 0)
    assert Provider.objects.count() == 2
    assert AuditEntry.objects.filter(action="create", object_type="provider").count() == 2
    summary = AuditEntry.objects.get(object_type="provider_import")
    assert summary.reason == "2 created, 0 updated, 0 unchanged"
    with pytest.raises(domain.ImportRefused):
        domain.commit_import(batch=batch, by=admin_user)  # a batch is committed once

    changed = GOOD.replace("Casa Uno", "Casa Uno (nueva sede)")
    again = domain.commit_import(
        batch=domain.stage_import(text=changed, filename="again.csv", by=admin_user), by=admin_user
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Provider.objects.count() == 2
    casa = Provider.objects.get(external_id="A-1")
    assert casa.name == "Casa Uno (nueva sede)" and casa.version == 2
    assert AuditEntry.objects.filter(action="change", object_id=str(casa.pk)).count() == 1


def test_someone_elses_import_cannot_be_committed(admin_user):
    batch = domain.stage_import(text=GOOD, filename="good.csv", by=admin_user)
    with pytest.raises(PermissionDenied):
        domain.commit_import(batch=batch, by=make_user(Role.ADMINISTRATOR))


def test_the_sample_file_imports_cleanly():
    preview = domain.preview_import(text=SAMPLE.read_text(encoding="utf-8"))
    assert preview.ok, [(r.line, r.errors) for r in preview.rows if not r.ok]
    assert len(preview.rows) >= 6


def test_semicolon_separated_file_from_a_spanish_spreadsheet():
    # Spreadsheets set to Spanish separate cells with ";": lists then use "|".
    text = GOOD.replace(";", "|").replace(",", ";")
    preview = domain.preview_import(text=text)
    assert preview.ok
    assert preview.rows[0].values["services"] == ["shelter_emergency_housing", "legal"]
