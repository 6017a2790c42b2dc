"""What a file would create: its rows read into planned cases and people, with every
problem named by row and column. No database write happens here: this is the dry run,
and the import runs the same plan through the cases app's domain functions.

The unit is the case: rows that share `ext_CaseReference` make one case (its own fields
read from its first row), each other row is a case of its own. A case with a problem in
any of its rows is not imported, so no case arrives missing a person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from puente.cases.categories import recruitment_categories
from puente.cases.domain import normalise_identifier
from puente.cases.domain.persons import is_empty_person
from puente.cases.models import Case, Person
from puente.core import choices as c
from puente.core.geography import canonical_subdivision, is_country, is_subdivision_of
from puente.sharing.htcds.fields import COLUMNS_BY_NAME, KEPT_AS_NOTE, HtcdsCaseStatus
from puente.sharing.htcds.reading import RawRow
from puente.sharing.htcds.values import CellError, read_cell

ERROR = "error"
WARNING = "warning"

# Case fields read straight from a column: field -> column.
_CASE_COLUMNS = {
    "title": "ext_CaseTitle",
    "summary": "cco_CaseComment",
    "exploitation_type": "ext_ExploitationType",
    "forms_of_exploitation": "vic_TypeOfExploitation",
    "mx_forms_of_exploitation": "ext_MxFormsOfExploitation",
    "venues": "ext_Venues",
    "methods_of_control": "vic_MethodsOfControl",
    "methods_of_recruitment": "vic_MethodOfRecruitment",
    "types_of_sex_exploitation": "vic_TypeOfSexExploitation",
    "forced_labour_industries": "vic_ForcedLabourIndustry",
    "recruitment_websites_and_apps": "vic_RecruitmentWebsitesAndApps",
    "exploitation_websites_and_apps": "vic_ExploitationWebsitesAndApps",
    "level_of_indicators": "ext_LevelOfIndicators",
    "imminent_danger": "ext_ImminentDanger",
    "closing_note": "ext_ClosingNote",
}
_PERSON_COLUMNS = {
    "salutation": "prs_Salutation",
    "first_name": "prs_FirstName",
    "last_name": "prs_SecondName",
    "consent": "con_Consent",
    "birthdate": "prs_Birthdate",
    "gender": "prs_Gender",
    "citizenship": "prs_Citizenship",
    "title": "prs_Title",
    "trafficking_status": "vic_TraffickingStatus",
    "trafficking_status_decided_by": "vic_TraffickingStatusDecisionMakingOrg",
    "primary_language": "prs_PrimaryLanguage",
    "relationship_to_trafficker": "vic_RelationshipToTrafficker",
    "roles_in_process": "per_RoleInProcess",
    "roles": "ext_PersonRoles",
    "is_business": "ext_IsBusiness",
    "alias": "ext_Alias",
    "age_band": "ext_AgeBroad",
    "nationality": "ext_Nationality",
}
_MAILING = (
    "prs_MailingStreet",
    "prs_MailingCity",
    "prs_MailingState",
    "prs_MailingPostalCode",
    "prs_MailingCountry",
)
# A person's columns: any of them filled means the row describes someone.
PERSON_COLUMNS = frozenset(
    {
        *_PERSON_COLUMNS.values(),
        *_MAILING,
        "vic_AgeWhenTrafficked",
        "ext_Age",
        "per_RoleDetails",
        "ext_PersonNotes",
        "prs_Email",
        "prs_MobilePhone",
        "prs_HomePhone",
        "ext_OtherIdentifiers",
    }
)


@dataclass
class Problem:
    row: int
    column: str
    message: str
    severity: str = ERROR

    def as_stored(self, case: str) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
            "case": case,
        }


@dataclass
class PlannedPerson:
    row: int
    fields: dict[str, Any]
    identifiers: list[tuple[str, str]]


@dataclass
class PlannedCase:
    key: str
    source: str  # ext_CaseReference, or "" for a row that is a case of its own
    first_row: int
    rows: list[int] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    opened_at: datetime | None = None
    restricted: bool = False
    locations: list[dict[str, str]] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)
    persons: list[PlannedPerson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def describe(self) -> dict[str, Any]:
        """What the preview shows of it: no names, only what the case is."""
        return {
            "key": self.key,
            "source": self.source,
            "rows": self.rows,
            "title": self.fields.get("title", ""),
            "status": self.fields.get("status", ""),
            "persons": len(self.persons),
            "valid": self.valid,
        }


def _cells(row: RawRow, problems: list[Problem]) -> dict[str, Any]:
    """Every filled cell of the row read to its stored form; a bad one is a problem."""
    read: dict[str, Any] = {}
    for name, value in row.values.items():
        column = COLUMNS_BY_NAME[name]
        try:
            read[name] = read_cell(column, value)
        except CellError as exc:
            problems.append(Problem(row.number, name, str(exc)))
    return read


def _identifier(
    kind: str, value: Any, *, row: int, column: str, problems: list[Problem]
) -> tuple[str, str] | None:
    text = str(value or "").strip()
    if not text:
        return None
    if kind not in c.IdentifierKind.values:
        problems.append(
            Problem(row, column, _("Unknown kind of identifier: %(kind)s.") % {"kind": kind})
        )
        return None
    try:
        normalise_identifier(kind=kind, value=text)
    except ValidationError as exc:
        problems.append(Problem(row, column, " ".join(exc.messages)))
        return None
    return (kind, text)


def _identifier_list(
    items: list, *, row: int, column: str, problems: list[Problem]
) -> list[tuple[str, str]]:
    found = []
    for item in items:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            problems.append(Problem(row, column, _("Each identifier is a [kind, value] pair.")))
            continue
        pair = _identifier(str(item[0]), item[1], row=row, column=column, problems=problems)
        if pair:
            found.append(pair)
    return found


def _locations(items: list, *, row: int, problems: list[Problem]) -> list[dict[str, str]]:
    found = []
    for item in items:
        if not isinstance(item, dict):
            problems.append(Problem(row, "ext_Locations", _("Each place is an object.")))
            continue
        kind = str(item.get("hte_Type") or "")
        country = str(item.get("hte_Country") or "").strip().upper()
        state = canonical_subdivision(str(item.get("hte_State") or ""))
        if kind not in c.LocationKind.values:
            problems.append(
                Problem(
                    row, "ext_Locations", _("Unknown kind of place: %(kind)s.") % {"kind": kind}
                )
            )
            continue
        if not is_country(country):
            problems.append(
                Problem(
                    row, "ext_Locations", _("Not a country code: %(codes)s.") % {"codes": country}
                )
            )
            continue
        if state and not is_subdivision_of(state, country):
            problems.append(
                Problem(
                    row, "ext_Locations", _("That state or federal entity is not in this country.")
                )
            )
            continue
        found.append(
            {
                "kind": kind,
                "country": country,
                "subdivision": state,
                "city": str(item.get("hte_City") or "").strip(),
                "description": str(item.get("hte_Description") or "").strip(),
            }
        )
    return found


def _status(cells: dict[str, Any], fields: dict[str, Any]) -> None:
    """Puente's status from ext_CaseStatus when the file has it, else from cas_Status; a
    closed case needs a reason (the database insists)."""
    htcds = cells.get("cas_Status")
    status = (
        cells.get("ext_CaseStatus")
        or {
            HtcdsCaseStatus.ACTIVE: c.CaseStatus.ACTIVE,
            HtcdsCaseStatus.FOLLOW_UP: c.CaseStatus.MONITORING,
            HtcdsCaseStatus.CLOSED: c.CaseStatus.CLOSED,
            HtcdsCaseStatus.CLOSED_REFERRED: c.CaseStatus.CLOSED,
            None: c.CaseStatus.NEW,
        }[htcds]
    )
    fields["status"] = status
    if status != c.CaseStatus.CLOSED:
        return
    reason = cells.get("ext_ClosingReason")
    if not reason:
        reason = (
            c.ClosingReason.REFERRED_OUT
            if htcds == HtcdsCaseStatus.CLOSED_REFERRED
            else c.ClosingReason.OTHER
        )
        # The standard's closure reason is free text: it becomes the closing note.
        if cells.get("cas_ReasonForCaseClosure") and not fields.get("closing_note"):
            fields["closing_note"] = cells["cas_ReasonForCaseClosure"]
    fields["closing_reason"] = reason


def _case_part(planned: PlannedCase, row: RawRow, cells: dict[str, Any]) -> None:
    fields = planned.fields
    for name, column in _CASE_COLUMNS.items():
        if column in cells:
            fields[name] = cells[column]
    _status(cells, fields)
    if fields["status"] != c.CaseStatus.CLOSED and "closing_reason" in cells:
        planned.problems.append(
            Problem(row.number, "ext_ClosingReason", _("Only a closed case has a closing reason."))
        )
    if fields["status"] != c.CaseStatus.CLOSED:
        fields.pop("closing_note", None)
    if "ext_HotlineRecruitmentMethods" in cells:
        known = recruitment_categories().values
        mine = [code for code in cells["ext_HotlineRecruitmentMethods"] if code in known]
        other = [code for code in cells["ext_HotlineRecruitmentMethods"] if code not in known]
        if other:
            planned.problems.append(
                Problem(
                    row.number,
                    "ext_HotlineRecruitmentMethods",
                    _(
                        "Not among this hotline's recruitment categories, left out: %(codes)s "
                        "(the HTCDS methods of recruitment are kept)."
                    )
                    % {"codes": ", ".join(other)},
                    WARNING,
                )
            )
        if mine:
            fields["hotline_recruitment_methods"] = mine
    if "ext_OpenedAt" in cells:
        planned.opened_at = cells["ext_OpenedAt"]
    if fields["status"] == c.CaseStatus.CLOSED and "ext_ClosedAt" in cells:
        fields["closed_at"] = cells["ext_ClosedAt"]
    planned.restricted = bool(cells.get("ext_Restricted"))
    if "ext_Locations" in cells:
        planned.locations = _locations(
            cells["ext_Locations"], row=row.number, problems=planned.problems
        )
    else:
        for column in ("vic_LocationOfRecruitment", "vic_LocationOfExploitation"):
            if column in cells:
                planned.note_lines.append(f"{COLUMNS_BY_NAME[column].label_en}: {cells[column]}")
    if "ext_CaseIdentifiers" in cells:
        planned.identifiers = _identifier_list(
            cells["ext_CaseIdentifiers"], row=row.number, column="ext_CaseIdentifiers",
            problems=planned.problems,
        )  # fmt: skip
    for column in KEPT_AS_NOTE:
        if column in cells:
            planned.note_lines.append(f"{COLUMNS_BY_NAME[column].label_en}: {cells[column]}")
    try:
        Case(
            **{k: v for k, v in fields.items() if k != "hotline_recruitment_methods"}
        ).clean_fields(exclude=["reference", "owner", "created_by", "hotline_recruitment_methods"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = _CASE_COLUMNS.get(name, "ext_CaseStatus" if name == "status" else name)
            planned.problems.extend(Problem(row.number, column, m) for m in messages)


def _person_part(planned: PlannedCase, row: RawRow, cells: dict[str, Any]) -> None:
    if not PERSON_COLUMNS & set(cells):
        return
    problems = planned.problems
    fields = {name: cells[column] for name, column in _PERSON_COLUMNS.items() if column in cells}
    # Another organisation's row is about a victim: the template is one row per victim.
    fields.setdefault("roles", [c.PersonRole.POTENTIAL_VICTIM])
    age = cells.get("vic_AgeWhenTrafficked", cells.get("ext_Age"))
    if age is not None:
        fields["age"] = age
    notes = [cells[n] for n in ("per_RoleDetails", "ext_PersonNotes") if n in cells]
    if notes:
        fields["notes"] = "\n\n".join(notes)
    identifiers = []
    for column, kind in (
        ("prs_MobilePhone", c.IdentifierKind.PHONE),
        ("prs_HomePhone", c.IdentifierKind.PHONE),
        ("prs_Email", c.IdentifierKind.EMAIL),
    ):
        if column in cells:
            pair = _identifier(
                kind, cells[column], row=row.number, column=column, problems=problems
            )
            if pair:
                identifiers.append(pair)
    address = ", ".join(str(cells[column]) for column in _MAILING if column in cells)
    if address:
        identifiers.append((c.IdentifierKind.ADDRESS, address))
    if "ext_OtherIdentifiers" in cells:
        identifiers += _identifier_list(
            cells["ext_OtherIdentifiers"], row=row.number, column="ext_OtherIdentifiers",
            problems=problems,
        )  # fmt: skip
    candidate = Person(**{k: v for k, v in fields.items()})
    if is_empty_person(candidate, identifiers=len(identifiers)):
        problems.append(
            Problem(
                row.number,
                "",
                _(
                    "Nothing in this row says who the person is (no name, age, description "
                    "or identifier): the case is imported without them."
                ),
                WARNING,
            )
        )
        return
    if fields.get("is_business"):
        if not fields.get("alias"):
            problems.append(Problem(row.number, "ext_Alias", _("Give the business name.")))
        if fields["roles"] != [c.PersonRole.EXPLOITER]:
            problems.append(
                Problem(
                    row.number,
                    "ext_IsBusiness",
                    _("Only an exploiter can be recorded as a business."),
                )
            )
    try:
        candidate.clean_fields(exclude=["case"])
    except ValidationError as exc:
        reverse = {field: column for column, field in ((v, k) for k, v in _PERSON_COLUMNS.items())}
        for name, messages in exc.message_dict.items():
            problems.extend(Problem(row.number, reverse.get(name, name), m) for m in messages)
    planned.persons.append(PlannedPerson(row=row.number, fields=fields, identifiers=identifiers))


def plan_cases(
    rows: Iterable[RawRow], *, on_row: Callable[[int], object] | None = None
) -> Iterator[PlannedCase]:
    """The planned cases of a file, in the order their first rows come. Rows of one case
    need not be next to each other, so every case is held until the file ends — a
    planned case is small (no model instance, no query)."""
    by_key: dict[str, PlannedCase] = {}
    for row in rows:
        problems: list[Problem] = []
        cells = _cells(row, problems)
        source = str(cells.get("ext_CaseReference") or "").strip()
        key = source or f"row-{row.number}"
        planned = by_key.get(key)
        if planned is None:
            planned = PlannedCase(key=key, source=source, first_row=row.number)
            by_key[key] = planned
            planned.problems.extend(problems)
            _case_part(planned, row, cells)
        else:
            planned.problems.extend(problems)
        planned.rows.append(row.number)
        _person_part(planned, row, cells)
        if on_row:
            on_row(row.number)
    yield from by_key.values()
