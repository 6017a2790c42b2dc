"""`puente htcds export|import|undo`: the same work as the pages, for a named person,
printing its progress."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from puente.audit.models import AuditEntry
from puente.cases.models import Case
from puente.sharing.models.htcds import HtcdsImport
from tests.sharing.htcds_helpers import rich_case


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_export_then_import_then_undo_from_the_command_line(db, supervisor, tmp_path):
    rich_case(by=supervisor)
    path = tmp_path / "cases.xlsx"
    out = StringIO()
    call_command(
        "htcds",
        "export",
        "--as",
        supervisor.username,
        "--format",
        "xlsx",
        "--out",
        str(path),
        stdout=out,
    )
    printed = out.getvalue().splitlines()
    assert printed[0].endswith(": 1 cases as xlsx")
    assert printed[1].strip() == "[1/1] 100% cases"
    assert printed[-1].endswith(f"done: 3 rows in {path}")
    assert (
        AuditEntry.objects.filter(
            action="export", object_type="htcdsexport", via="cli", actor=supervisor
        ).count()
        == 1
    )

    out = StringIO()
    call_command("htcds", "import", str(path), "--as", supervisor.username, stdout=out)
    printed = out.getvalue().splitlines()
    batch = HtcdsImport.objects.get()
    assert printed[0] == f"Import #{batch.pk}: checking cases.xlsx"
    assert (
        "3 rows, 1 cases (1 valid, 0 with problems), 3 people; 0 errors, 0 warnings" in printed[-3]
    )
    assert printed[-2].strip() == "[1/1] 100% cases"
    assert printed[-1].startswith(f"Import #{batch.pk} done: 1 cases created, 0 left out.")
    assert Case.objects.count() == 2

    call_command("htcds", "undo", str(batch.pk), "--as", supervisor.username, stdout=StringIO())
    assert Case.objects.count() == 1


def test_a_dry_run_creates_nothing_and_prints_the_problems(db, supervisor, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_text("First Name,Gender\nLucía,Feminine\nPedro,Tall\n", encoding="utf-8")
    out = StringIO()
    call_command("htcds", "import", str(path), "--as", supervisor.username, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "error: row 3 prs_Gender: “Tall” is not one of this column’s values." in text
    assert "checked, nothing created (dry run)" in text
    assert not Case.objects.exists()
    with pytest.raises(CommandError, match="have problems"):
        call_command("htcds", "import", str(path), "--as", supervisor.username, stdout=StringIO())
    assert not Case.objects.exists()


def test_the_command_needs_a_person_who_holds_the_permission(db, advocate, tmp_path):
    with pytest.raises(CommandError, match="needs htcds.export"):
        call_command("htcds", "export", "--as", advocate.username, "--out", str(tmp_path / "x.csv"))
