"""HTCDS exchange files: export then import gives back the same cases in each format; the
files carry HTCDS names, never a formula; a file with bad rows writes nothing unless the
person imports only the valid cases; a hostile file is refused; undo removes the batch."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.cases.models import Case, CaseNote
from puente.sharing.htcds import domain
from puente.sharing.htcds.fields import FIELD_NAMES
from puente.sharing.htcds.reading import FileRefused
from puente.sharing.models.htcds import HtcdsImport, ImportedCase
from tests.factories import make_case
from tests.sharing.htcds_helpers import (
    checked,
    export_to,
    imported,
    rich_case,
    snapshot,
    upload,
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_import_gives_back_the_same_cases(db, supervisor, tmp_path, file_format):
    first = rich_case(by=supervisor)
    closed = make_case(created_by=supervisor, title="Closed, referred out")
    cases.change_status(
        case_id=closed.pk, expected_version=closed.version, status="closed",
        closing_reason="referred_out", closing_note="To Casa Refugio", by=supervisor,
    )  # fmt: skip
    empty = make_case(created_by=supervisor, title="Nobody named yet")
    originals = {
        c.pk: snapshot(c) for c in Case.objects.filter(pk__in=[first.pk, closed.pk, empty.pk])
    }

    path = tmp_path / f"cases.{file_format}"
    job = export_to(path, by=supervisor, file_format=file_format)
    assert (job.status, job.cases_total, job.rows_written) == (
        "done",
        3,
        3 + 1 + 1,
    )  # three people, then one row each

    batch = imported(path, by=supervisor)
    assert batch.status == "imported", batch.error
    assert batch.summary["invalid_cases"] == 0 and batch.cases_created == 3
    copies = {row.source: snapshot(row.case) for row in ImportedCase.objects.filter(batch=batch)}
    for original in Case.objects.filter(pk__in=originals):
        copy = copies[original.reference]
        assert copy == originals[original.pk]
    new_references = set(
        ImportedCase.objects.filter(batch=batch).values_list("reference", flat=True)
    )
    assert new_references.isdisjoint({first.reference, closed.reference, empty.reference})


def test_the_csv_has_htcds_names_and_neutralised_formulas(db, supervisor, tmp_path):
    rich_case(by=supervisor)
    path = tmp_path / "cases.csv"
    export_to(path, by=supervisor, file_format="csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert tuple(rows[0]) == FIELD_NAMES
    assert rows[1][:3] == ["Case Owner", "Salutation", "First Name"]
    victim = dict(zip(rows[0], rows[2], strict=True))
    assert victim["prs_FirstName"] == "María José"
    assert victim["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments;RestrictsMovement"
    assert victim["prs_Citizenship"] == "MX;GT"
    assert victim["cas_Status"] == "Active" and victim["ext_CaseStatus"] == "active"
    assert victim["ext_PersonRoles"] == "potential_victim;signaler"
    assert victim["vic_AgeWhenTrafficked"] == "34"
    # Cells a spreadsheet would run start with a quote: the formula, a phone, a dash.
    assert victim["cco_CaseComment"].startswith("'=HYPERLINK(")
    assert victim["prs_MobilePhone"] == "'+15595550123"
    business = dict(zip(rows[0], rows[4], strict=True))
    assert business["per_RoleDetails"] == "'-Runs two crews; @ranch office"
    assert business["ext_IsBusiness"] == "TRUE"
    every_cell = [cell for row in rows[2:] for cell in row]
    assert not [cell for cell in every_cell if cell[:1] in ("=", "+", "-", "@")]


def test_the_xlsx_is_laid_out_like_the_standard_template(db, supervisor, tmp_path):
    rich_case(by=supervisor)
    path = tmp_path / "cases.xlsx"
    export_to(path, by=supervisor, file_format="xlsx", language="es")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Case Sheet"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == FIELD_NAMES
    assert sheet.row_dimensions[1].hidden  # the field names sit in a hidden top row
    assert rows[1][2] == "Nombre"  # the label row in the chosen language
    victim = dict(zip(rows[0], rows[2], strict=True))
    assert victim["vic_TypeOfExploitation"] == "ForcedLabour;Servitude"
    assert victim["con_Consent"] is True
    assert sheet.cell(row=3, column=FIELD_NAMES.index("cco_CaseComment") + 1).data_type == "s"
    assert not [
        cell.coordinate
        for row in sheet.iter_rows(min_row=3)
        for cell in row
        if cell.data_type == "f"
    ]


def test_the_json_names_the_standard_and_credits_iom(db, supervisor, tmp_path):
    rich_case(by=supervisor)
    path = tmp_path / "cases.json"
    export_to(path, by=supervisor, file_format="json")
    data = json.loads(path.read_text())
    assert (data["standard"], data["version"], data["cases"]) == ("HTCDS", "2.0", 1)
    assert "by IOM" in data["credit"]
    assert data["rows"][0]["vic_MethodsOfControl"] == [
        "DebtBondage",
        "WithholdsDocuments",
        "RestrictsMovement",
    ]
    assert data["rows"][0]["ext_Locations"][0]["hte_Type"] == "Exploitation"


def test_a_restricted_case_the_person_may_not_open_is_never_exported(
    db, supervisor, advocate, tmp_path
):
    from tests.factories import make_user

    other_supervisor = make_user("supervisor")
    visible = make_case(created_by=advocate, title="Open to all")
    secret = make_case(created_by=advocate, title="Named staff only")
    cases.restrict_case(case=secret, by=other_supervisor)
    path = tmp_path / "cases.json"
    job = export_to(path, by=supervisor, file_format="json")
    references = {row["ext_CaseReference"] for row in json.loads(path.read_text())["rows"]}
    assert references == {visible.reference}
    assert (job.cases_total, job.left_out) == (1, 1)
    entry = AuditEntry.objects.get(action="export", object_type="htcdsexport")
    assert entry.actor == supervisor
    changes = {c["field"]: c["new"] for c in entry.changes}
    assert (changes["cases"], changes["rows"], changes["left_out"], changes["file_format"]) == (
        1,
        1,
        1,
        "json",
    )
    # Named on it, the same supervisor exports it too.
    cases.grant_access(case=secret, user=supervisor, by=other_supervisor)
    export_to(path, by=supervisor, file_format="json")
    references = {row["ext_CaseReference"] for row in json.loads(path.read_text())["rows"]}
    assert references == {visible.reference, secret.reference}


def test_an_export_follows_the_case_list_filter_and_the_search(
    db, supervisor, advocate, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search on commit
        danger = make_case(
            created_by=advocate, title="Locked in a stash house", imminent_danger=True
        )
        make_case(created_by=advocate, title="Nail salon tip")
    path = tmp_path / "cases.json"
    export_to(path, by=supervisor, file_format="json", imminent_danger=True)
    rows = json.loads(path.read_text())["rows"]
    assert [row["ext_CaseReference"] for row in rows] == [danger.reference]
    export_to(path, by=supervisor, file_format="json", q="salon")
    rows = json.loads(path.read_text())["rows"]
    assert [row["ext_CaseTitle"] for row in rows] == ["Nail salon tip"]


def test_an_import_with_bad_rows_writes_nothing_unless_asked(db, supervisor, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_text(
        "prs_FirstName,prs_Gender,vic_TypeOfExploitation,prs_Birthdate\n"
        "Lucía,Feminine,Forced labour,1990-02-01\n"
        "Pedro,Tall,Sexual exploitation,02/01/1990\n"
        "Rosa,Mujer,Explotación sexual;Trabajo forzoso,\n",
        encoding="utf-8",
    )
    before = Case.objects.count()
    batch = checked(path, by=supervisor)
    assert (
        batch.summary["cases"],
        batch.summary["valid_cases"],
        batch.summary["invalid_cases"],
    ) == (3, 2, 1)
    problems = [(p["row"], p["column"]) for p in batch.problems if p["severity"] == "error"]
    assert problems == [(3, "prs_Gender"), (3, "prs_Birthdate")]
    assert Case.objects.count() == before  # the dry run wrote no case
    with pytest.raises(Exception, match="have problems"):
        domain.confirm_import(batch=batch, by=supervisor, only_valid=False)
    batch.refresh_from_db()
    assert batch.status == "checked" and Case.objects.count() == before

    domain.confirm_import(batch=batch, by=supervisor, only_valid=True)
    batch = domain.run_import(import_id=batch.pk)
    assert (batch.status, batch.cases_created, batch.cases_skipped) == ("imported", 2, 1)
    names = sorted(p.first_name for c in Case.objects.all() for p in c.persons.all())
    assert names == ["Lucía", "Rosa"]
    rosa = Case.objects.get(persons__first_name="Rosa")
    assert rosa.forms_of_exploitation == ["SexualExploitation", "ForcedLabour"]
    assert rosa.persons.get().roles == ["potential_victim"]


def test_undo_removes_the_batch_but_keeps_cases_worked_on_since_unless_asked(
    db, supervisor, tmp_path
):
    path = tmp_path / "partner.csv"
    path.write_text("First Name,Gender\nLucía,Feminine\nRosa,Feminine\n", encoding="utf-8")
    batch = imported(path, by=supervisor)
    assert batch.cases_created == 2
    lucia = Case.objects.get(persons__first_name="Lucía")
    rosa = Case.objects.get(persons__first_name="Rosa")
    cases.add_note(case=rosa, by=supervisor, body="Called back; she is safe.")

    removed, kept = domain.undo_import(batch=batch, by=supervisor)
    assert (removed, kept) == (1, 1)
    assert not Case.objects.filter(pk=lucia.pk).exists()
    assert Case.objects.filter(pk=rosa.pk).exists()
    batch.refresh_from_db()
    assert batch.status == "imported"  # not wholly undone yet
    removed, kept = domain.undo_import(batch=batch, by=supervisor, include_changed=True)
    assert (removed, kept) == (1, 0)
    assert not Case.objects.filter(pk=rosa.pk).exists()
    assert not CaseNote.objects.filter(case_id=rosa.pk).exists()
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by) == ("undone", supervisor)
    deleted = AuditEntry.objects.filter(action="delete", object_type="case")
    assert sorted(deleted.values_list("object_ref", flat=True)) == sorted(
        [lucia.reference, rosa.reference]
    )


def test_every_import_is_in_the_audit_trail(db, supervisor, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_text("First Name\nLucía\n", encoding="utf-8")
    batch = imported(path, by=supervisor)
    entries = AuditEntry.objects.filter(object_type="htcdsimport", object_id=str(batch.pk))
    assert [e.action for e in entries.order_by("id")] == ["create", "create"]
    done = {c["field"]: c["new"] for c in entries.order_by("id").last().changes}
    assert (done["status"], done["cases_created"]) == ("imported", 1)
    case = Case.objects.get(persons__first_name="Lucía")
    # The case itself came in through the cases app: numbered, audited, searchable.
    assert AuditEntry.objects.filter(
        action="create", object_type="case", object_ref=case.reference
    ).exists()
    assert case.reference.startswith("US-")


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(db, supervisor, tmp_path):
    binary = tmp_path / "photo.xlsx"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(FileRefused, match="not a CSV, XLSX or JSON"):
        upload(binary, by=supervisor)
    fake_zip = tmp_path / "archive.xlsx"
    fake_zip.write_bytes(b"PK\x03\x04" + bytes(100))
    batch = checked(fake_zip, by=supervisor)
    assert batch.status == "failed" and "not an XLSX file" in batch.error
    no_header = tmp_path / "notes.csv"
    no_header.write_text("dear colleagues,\nplease find attached\n")
    batch = checked(no_header, by=supervisor)
    assert batch.status == "failed" and "No header row" in batch.error


def test_size_and_row_limits(db, supervisor, tmp_path, monkeypatch):
    from puente.sharing.htcds import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    path = tmp_path / "long.csv"
    path.write_text("First Name\n" + "".join(f"Person {n}\n" for n in range(5)))
    batch = checked(path, by=supervisor)
    assert batch.status == "failed" and "more than 3 rows" in batch.error
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    with pytest.raises(FileRefused, match="larger than"):
        upload(path, by=supervisor)


def test_only_htcds_permission_holders_export_and_import(db, advocate, analyst, tmp_path):
    from django.core.exceptions import PermissionDenied

    for person in (advocate, analyst):
        with pytest.raises(PermissionDenied):
            domain.request_export(by=person, selection=domain.Selection(), file_format="csv")
        with pytest.raises(PermissionDenied):
            domain.receive_file(by=person, name="x.csv", chunks=[b"First Name\nA\n"], size=13)
    assert not HtcdsImport.objects.exists()


def test_the_xlsx_writer_survives_text_xml_cannot_hold(tmp_path):
    from puente.sharing.htcds.xlsx import SheetWriter

    path = tmp_path / "odd.xlsx"
    with SheetWriter(path, "Case Sheet", 3) as sheet:
        sheet.row(["a", "b", "c"], hidden=True)
        sheet.row(["bell\x07 <b>&amp;</b>", 7, None])
    rows = list(openpyxl.load_workbook(path)["Case Sheet"].iter_rows(values_only=True))
    assert rows == [("a", "b", "c"), ("bell <b>&amp;</b>", 7, None)]
