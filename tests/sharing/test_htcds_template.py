"""Puente's HTCDS labels and value names are the standard's: the field names and labels
of IOM's validated Excel template (a copy in fixtures/, credited there), its drop-down
labels, and the value names in reference/htcds.md. A sheet filled in from that template,
with its quirks, imports."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from puente.cases.models import Case, CaseNote
from puente.core import choices as c
from puente.sharing.htcds.fields import (
    COLUMNS,
    COLUMNS_BY_NAME,
    HtcdsCaseStatus,
    template_value_labels,
)
from tests.sharing.htcds_helpers import checked, imported

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
TEMPLATE = Path(__file__).parent / "fixtures" / "htcds-template-validated-v2.0.xlsx"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def _template_rows():
    sheet = openpyxl.load_workbook(TEMPLATE)["Case Sheet"]
    names, labels = (list(row) for row in sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    return names, labels


def _drop_downs() -> dict[str, list[str]]:
    sheet = openpyxl.load_workbook(TEMPLATE)["validation"]
    headings = [cell.value for cell in sheet[3]]
    lists: dict[str, list[str]] = {}
    for index, heading in enumerate(headings, start=1):
        if heading:
            values = [sheet.cell(row=r, column=index).value for r in range(4, sheet.max_row + 1)]
            lists[heading] = [v for v in values if v is not None]
    return lists


def test_our_first_columns_are_the_templates_labels_in_its_order():
    _names, labels = _template_rows()
    printed = [label for label in labels if label]
    assert [col.label_en for col in COLUMNS[: len(printed)]] == printed


def test_every_field_name_of_the_template_is_read_including_its_misspelling():
    names, _labels = _template_rows()
    for name in filter(None, names):
        assert name in COLUMNS_BY_NAME, name
    assert COLUMNS_BY_NAME["vic_TraffickinStatusDecisionMakingOrg"].name == (
        "vic_TraffickingStatusDecisionMakingOrg"
    )


@pytest.mark.parametrize(
    "field,drop_down,choices",
    [
        ("prs_Gender", "Gender", c.Gender),
        ("vic_MethodOfRecruitment", "Method of Recruitment", c.MethodOfRecruitment),
        ("vic_MethodsOfControl", "Methods of Control", c.MethodOfControl),
        ("vic_TypeOfExploitation", "Type of Exploitation", c.TypeOfExploitation),
        ("vic_ForcedLabourIndustry", "Forced Labour Industry", c.ForcedLabourIndustry),
        ("vic_TypeOfSexExploitation", "Type of Sex Exploitation", c.TypeOfSexExploitation),
        ("cas_Status", "Status", HtcdsCaseStatus),
        ("vic_TraffickingStatus", "Trafficking Status", c.TraffickingStatus),
        (
            "vic_TraffickingStatusDecisionMakingOrg",
            "Trafficking Status Decision Making Organization",
            c.TraffickingStatusDecisionMakingOrg,
        ),
    ],
)
def test_the_drop_down_labels_are_the_templates_and_each_names_a_stored_code(
    field, drop_down, choices
):
    printed = _drop_downs()[drop_down]
    ours = template_value_labels()[field]
    assert list(ours.values()) == printed  # trailing space of "Debt bondage " and all
    assert set(ours) <= set(choices.values)


def test_value_names_are_those_of_the_reference():
    reference = Path("/work/shared/reference/htcds.md")
    if not reference.exists():
        pytest.skip("the shared reference is not on this machine")
    text = reference.read_text()
    for code in ("PhysicalThreats", "ThreatensChildrenFamily", "ForcedMilitaryByNonStateActors",
                 "U_ActivitiesOfExtraterritorialOrganizations", "RemoteInteractiveServices",
                 "NonPoliceGovernmentalOrganization", "Unaquainted", "FollowUp", "ClosedReferred"):  # fmt: skip
        assert code in text
    for column in COLUMNS:
        if not column.is_extension:
            prefix, _sep, name = column.name.partition("_")
            assert name in text, column.name


def filled_template(path: Path) -> Path:
    """IOM's validated template filled in as an organisation would: drop-down labels (one
    with its trailing space), a date cell, names under the mailing labels, a reason in the
    column that has no field name, rows numbered in the first column."""
    shutil.copy(TEMPLATE, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Case Sheet"]
    labels = [cell.value for cell in sheet[2]]

    def put(row: int, label: str, value) -> None:
        sheet.cell(row=row, column=labels.index(label) + 1, value=value)

    put(3, "First Name", "Ana Lucía")
    put(3, "Second Name", "Gómez")
    put(3, "Gender", "Feminine")
    put(3, "Birthdate", datetime(1999, 4, 2))
    put(3, "Citizenship", "Guatemala")
    put(3, "Consent", "TRUE")
    put(3, "Mailing Street", "4a Calle 12-30")
    put(3, "Mailing City", "Quetzaltenango")
    put(3, "Mailing Country", "GT")
    put(3, "Trafficking Status", "Possible victim of trafficking")
    put(
        3, "Trafficking Status Decision Making Organization", "Non-police governmental organization"
    )
    put(3, "Methods of Control", "Debt bondage ")
    put(3, "Type of Exploitation", "Forced labour")
    put(3, "Forced Labour Industry", "Agriculture, forestry and fishing")
    put(3, "Status", "Follow up")
    put(3, "Reason for Outgoing Referral", "Additional Services Required")
    put(3, "Referring Organisation", "Casa del Migrante")
    put(4, "First Name", "Jorge")
    put(4, "Gender", "masculine")
    put(4, "Type of Exploitation", "Sexual exploitation")
    put(4, "Type of Sex Exploitation", "Remote Interactive Services")
    put(4, "Status", "Closed")
    put(4, "Reason for Case Closure", "Returned home with family")
    workbook.save(path)
    return path


def test_a_file_made_from_the_validated_template_imports(db, supervisor, tmp_path):
    path = filled_template(tmp_path / "from-the-template.xlsx")
    batch = checked(path, by=supervisor)
    assert batch.status == "checked", batch.error
    assert (batch.summary["cases"], batch.summary["invalid_cases"]) == (2, 0), batch.problems
    # The template's mailing labels stand one column off their field names: noticed, and
    # read by the label.
    notices = [p["message"] for p in batch.problems if p["row"] == 0]
    assert any("prs_MailingCity" in m and "Mailing Street" in m for m in notices)

    batch = imported(path, by=supervisor)
    assert batch.cases_created == 2
    ana = Case.objects.get(persons__first_name="Ana Lucía")
    person = ana.persons.get()
    assert (person.last_name, person.gender, person.citizenship) == ("Gómez", "Feminine", ["GT"])
    assert person.birthdate.isoformat() == "1999-04-02" and person.consent is True
    assert person.trafficking_status_decided_by == "NonPoliceGovernmentalOrganization"
    assert person.roles == ["potential_victim"]
    assert list(person.identifiers.values_list("kind", "value")) == [
        ("address", "4a Calle 12-30, Quetzaltenango, GT")
    ]
    assert ana.methods_of_control == ["DebtBondage"]
    assert ana.forced_labour_industries == ["A_AgricultureForestryAndFishing"]
    assert ana.status == "monitoring"
    note = CaseNote.objects.get(case=ana).body
    assert "Reason for Outgoing Referral: Additional Services Required" in note
    assert "Referring Organisation: Casa del Migrante" in note
    jorge = Case.objects.get(persons__first_name="Jorge")
    assert (jorge.status, jorge.closing_reason, jorge.closing_note) == (
        "closed", "other", "Returned home with family",
    )  # fmt: skip
    assert jorge.types_of_sex_exploitation == ["RemoteInteractiveServices"]


def test_spanish_labels_and_values_are_read_too(db, supervisor, tmp_path):
    path = tmp_path / "es.csv"
    path.write_text(
        "Nombre;Apellido;Tipo de explotación;Medios de control;Ciudadanía\n"
        "Rosa;López;  trabajo FORZOSO ;Servidumbre por deudas;México\n",
        encoding="utf-8",
    )
    batch = checked(path, by=supervisor)
    assert batch.summary["invalid_cases"] == 0, batch.problems
    imported_batch = imported(path, by=supervisor)
    case = Case.objects.get(persons__first_name="Rosa")
    assert case.forms_of_exploitation == ["ForcedLabour"]
    assert imported_batch.cases_created == 1
