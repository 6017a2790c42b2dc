"""Cases as HTCDS rows, and the rows as CSV, XLSX or JSON, streamed.

Rows are read a chunk of cases at a time (the cases' columns with `values()`, then their
people, identifiers and places in one query each), so a file of 100,000 cases is written
in constant memory; XLSX through a streaming sheet writer (`xlsx.py`), each row written
into the zip as it comes.
"""

from __future__ import annotations

import csv
import functools
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.db.models import JSONField, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import translation

from puente.accounts.models import User
from puente.cases.domain import PERSON_FIELDS
from puente.cases.models import Case, CaseLocation, Identifier, Person
from puente.core import choices as c
from puente.core.sql import one_of
from puente.sharing.htcds.fields import (
    BOOL,
    CODES,
    COLUMNS,
    COUNTRIES,
    FIELD_NAMES,
    JSON,
    MULTI_SEPARATOR,
    HtcdsCaseStatus,
)
from puente.sharing.htcds.values import neutralise
from puente.sharing.htcds.xlsx import SheetWriter

Row = dict[str, Any]
CHUNK = 1000
SHEET_TITLE = "Case Sheet"  # the standard's template's own sheet name

_CASE_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "closing_reason",
    "closing_note",
    "summary",
    "exploitation_type",
    "forms_of_exploitation",
    "mx_forms_of_exploitation",
    "venues",
    "methods_of_control",
    "methods_of_recruitment",
    "hotline_recruitment_methods",
    "types_of_sex_exploitation",
    "forced_labour_industries",
    "recruitment_websites_and_apps",
    "exploitation_websites_and_apps",
    "level_of_indicators",
    "imminent_danger",
    "restricted",
    "owner_id",
    "created_at",
    "closed_at",
)
# A person as the cases app lets one be edited: every field of theirs, written in full.
_PERSON_FIELDS = ("id", "case_id", *PERSON_FIELDS)
# The identifiers with an HTCDS column of their own: the person's first of each kind.
_IDENTIFIER_COLUMNS: dict[str, str] = {
    c.IdentifierKind.PHONE: "prs_MobilePhone",
    c.IdentifierKind.EMAIL: "prs_Email",
    c.IdentifierKind.ADDRESS: "prs_MailingStreet",
}


def htcds_status(status: str, closing_reason: str) -> str:
    """Puente's workflow on HTCDS's four statuses (docs/htcds-mapping.md)."""
    if status == c.CaseStatus.CLOSED:
        if closing_reason == c.ClosingReason.REFERRED_OUT:
            return HtcdsCaseStatus.CLOSED_REFERRED
        return HtcdsCaseStatus.CLOSED
    if status in (c.CaseStatus.REFERRED, c.CaseStatus.MONITORING):
        return HtcdsCaseStatus.FOLLOW_UP
    return HtcdsCaseStatus.ACTIVE


def _place(location: dict[str, Any]) -> str:
    return ", ".join(
        p for p in (location["city"], location["subdivision"], location["country"]) if p
    )


@functools.cache
def _closing_reason_label(code: str) -> str:
    # Switching the language per closed case cost more than the rest of its row.
    with translation.override("en"):
        return str(c.label_for(c.ClosingReason, code))


def _case_row(case: dict[str, Any], owners: dict[int, str], locations: list[dict]) -> Row:
    closure = ""
    if case["closing_reason"]:
        closure = _closing_reason_label(case["closing_reason"])
        if case["closing_note"]:
            closure = f"{closure}: {case['closing_note']}"
    first_of: dict[str, dict] = {}
    for location in locations:
        first_of.setdefault(location["kind"], location)
    return {
        "cas_CaseOwner": owners.get(case["owner_id"], ""),
        "vic_MethodOfRecruitment": case["methods_of_recruitment"],
        "vic_LocationOfRecruitment": _place(first_of["Recruitment"])
        if "Recruitment" in first_of
        else "",
        "vic_MethodsOfControl": case["methods_of_control"],
        "vic_TypeOfExploitation": case["forms_of_exploitation"],
        "vic_ForcedLabourIndustry": case["forced_labour_industries"],
        "vic_TypeOfSexExploitation": case["types_of_sex_exploitation"],
        "vic_LocationOfExploitation": _place(first_of["Exploitation"])
        if "Exploitation" in first_of
        else "",
        "cas_Status": htcds_status(case["status"], case["closing_reason"]),
        "cas_ReasonForCaseClosure": closure,
        "vic_RecruitmentWebsitesAndApps": case["recruitment_websites_and_apps"],
        "vic_ExploitationWebsitesAndApps": case["exploitation_websites_and_apps"],
        "cco_CaseComment": case["summary"],
        "ext_CaseReference": case["reference"],
        "ext_CaseTitle": case["title"],
        "ext_CaseStatus": case["status"],
        "ext_ClosingReason": case["closing_reason"],
        "ext_ClosingNote": case["closing_note"],
        "ext_OpenedAt": case["created_at"],
        "ext_ClosedAt": case["closed_at"],
        "ext_ExploitationType": case["exploitation_type"],
        "ext_MxFormsOfExploitation": case["mx_forms_of_exploitation"],
        "ext_Venues": case["venues"],
        "ext_HotlineRecruitmentMethods": case["hotline_recruitment_methods"],
        "ext_LevelOfIndicators": case["level_of_indicators"],
        "ext_ImminentDanger": case["imminent_danger"],
        "ext_Restricted": case["restricted"],
        "ext_Locations": [
            {
                "hte_Type": location["kind"],
                "hte_Country": location["country"],
                "hte_State": location["subdivision"],
                "hte_City": location["city"],
                "hte_Description": location["description"],
            }
            for location in locations
        ],
    }


def _person_row(person: dict[str, Any], identifiers: list[tuple[str, str]]) -> Row:
    victim = c.PersonRole.POTENTIAL_VICTIM in (person["roles"] or [])
    exploiter = c.PersonRole.EXPLOITER in (person["roles"] or [])
    row: Row = {
        "prs_Salutation": person["salutation"],
        "prs_FirstName": person["first_name"],
        "prs_SecondName": person["last_name"],
        "con_Consent": person["consent"],
        "prs_Birthdate": person["birthdate"],
        "prs_Gender": person["gender"],
        "prs_Citizenship": person["citizenship"],
        "prs_Title": person["title"],
        "vic_TraffickingStatus": person["trafficking_status"],
        "vic_TraffickingStatusDecisionMakingOrg": person["trafficking_status_decided_by"],
        "prs_PrimaryLanguage": person["primary_language"],
        "vic_RelationshipToTrafficker": person["relationship_to_trafficker"],
        # The age a hotline hears is the victim's age when trafficked (HTCDS's only age
        # field); anyone else's travels as Puente's own.
        "vic_AgeWhenTrafficked": person["age"] if victim else None,
        "ext_Age": None if victim else person["age"],
        "per_RoleInProcess": person["roles_in_process"],
        "per_RoleDetails": person["notes"] if exploiter else "",
        "ext_PersonNotes": "" if exploiter else person["notes"],
        "ext_PersonRoles": person["roles"],
        "ext_IsBusiness": person["is_business"],
        "ext_Alias": person["alias"],
        "ext_AgeBroad": person["age_band"],
        "ext_Nationality": person["nationality"],
    }
    others = []
    for kind, value in identifiers:
        column = _IDENTIFIER_COLUMNS.get(kind)
        if column and not row.get(column):
            row[column] = value
        else:
            others.append([kind, value])
    row["ext_OtherIdentifiers"] = others
    return row


def _with_lists(queryset: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """`values(*fields)`, the JSON list columns read as their text and parsed here: most
    are empty, and "[]" needs no JSON parser (a third of the time of an export went to
    decoding them one by one)."""
    model = queryset.model
    lists = [f for f in fields if isinstance(model._meta.get_field(f), JSONField)]
    annotated = queryset.annotate(**{f"_raw_{f}": Cast(f, TextField()) for f in lists})
    plain = [f for f in fields if f not in lists]
    # The same few lists recur (a person's roles, a case's forms of exploitation): each
    # text is parsed once. Nothing downstream changes a list it is given.
    parsed: dict[str, list] = {}
    for row in annotated.values(*plain, *(f"_raw_{f}" for f in lists)):
        for name in lists:
            raw = row.pop(f"_raw_{name}")
            if raw is None or raw == "[]":
                row[name] = []
            elif (value := parsed.get(raw)) is not None:
                row[name] = value
            else:
                if len(parsed) > 20_000:
                    parsed.clear()
                row[name] = parsed[raw] = json.loads(raw)
        yield row


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for case_id in ids:
        chunk.append(case_id)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def iter_rows(
    case_ids: Iterable[int],
    *,
    chunk_size: int = CHUNK,
    on_cases: Callable[[int], object] | None = None,
) -> Iterator[Row]:
    """The HTCDS rows of these cases (in the order given), one per person, a chunk of
    cases at a time. `on_cases(n)` is told after every chunk, for a progress bar."""
    owners: dict[int, str] = {}
    for chunk in _chunks(case_ids, chunk_size):
        cases = {
            row["id"]: row
            for row in _with_lists(Case.objects.filter(one_of("pk", chunk)), _CASE_FIELDS)
        }
        wanted_owners = {row["owner_id"] for row in cases.values() if row["owner_id"]} - set(owners)
        for user in User.objects.filter(pk__in=wanted_owners):
            owners[user.pk] = user.display_name
        persons: dict[int, list[dict]] = defaultdict(list)
        for person in _with_lists(
            Person.objects.filter(one_of("case_id", chunk)).order_by("case_id", "id"),
            _PERSON_FIELDS,
        ):
            persons[person["case_id"]].append(person)
        by_person: dict[int, list[tuple[str, str]]] = defaultdict(list)
        of_case: dict[int, list[list[str]]] = defaultdict(list)
        for case_id, person_id, kind, value in (
            Identifier.objects.filter(one_of("case_id", chunk))
            .order_by("id")
            .values_list("case_id", "person_id", "kind", "value")
        ):
            if person_id is None:
                of_case[case_id].append([kind, value])
            else:
                by_person[person_id].append((kind, value))
        locations: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for location in (
            CaseLocation.objects.filter(one_of("case_id", chunk))
            .order_by("id")
            .values("case_id", "kind", "country", "subdivision", "city", "description")
        ):
            locations[location["case_id"]].append(dict(location))
        for case_id in chunk:
            case = cases.get(case_id)
            if case is None:
                continue  # gone since it was chosen
            base = _case_row(case, owners, locations[case_id])
            base["ext_CaseIdentifiers"] = of_case[case_id]
            people = persons[case_id]
            if not people:
                yield base
            for person in people:
                yield {**base, **_person_row(person, by_person[person["id"]])}
        if on_cases:
            on_cases(len(chunk))


# --- the three formats ---------------------------------------------------------------

_KIND = {col.name: col.kind for col in COLUMNS}
_KINDS = [(col.name, col.kind) for col in COLUMNS]
_POSITION = {col.name: (i, col.kind) for i, col in enumerate(COLUMNS)}
_first = operator.itemgetter(0)


def cell_text(name: str, value: Any) -> str:
    """A value as CSV (and XLSX text) writes it: lists joined with `;` (identifiers and
    places as JSON), yes/no as TRUE/FALSE, dates ISO 8601; never a formula."""
    if value is None or value == "" or value == []:
        return ""
    kind = _KIND[name]
    if type(value) is str and kind != JSON:  # most cells: plain text or a code
        return neutralise(value)
    if kind == JSON:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif kind in (CODES, COUNTRIES):
        text = MULTI_SEPARATOR.join(value)
    elif kind == BOOL:
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, (date, datetime)):
        text = value.isoformat()
    else:
        text = str(value)
    return neutralise(text)


def header_labels(language: str) -> list[str]:
    if language == "en":
        return [col.label_en for col in COLUMNS]
    with translation.override(language):
        return [str(col.label) for col in COLUMNS]


def write_csv(rows: Iterable[Row], out: IO[str], *, language: str = "en") -> int:
    """Field-name row, label row, then the rows (the template's two header rows)."""
    writer = csv.writer(out)
    writer.writerow(FIELD_NAMES)
    writer.writerow(header_labels(language))
    count = 0
    for row in rows:
        writer.writerow(
            [
                "" if (value := row.get(name)) is None or value == "" else cell_text(name, value)
                for name in FIELD_NAMES
            ]
        )
        count += 1
    return count


def write_xlsx(rows: Iterable[Row], path: Path, *, language: str = "en") -> int:
    """The standard's template layout: sheet "Case Sheet", field names in a hidden first
    row, labels (bold) in the second, one row per person after. Yes/no, whole numbers and
    dates are real cells; everything else is text, never a formula."""
    count = 0
    with SheetWriter(path, SHEET_TITLE, len(FIELD_NAMES)) as sheet:
        sheet.row(FIELD_NAMES, hidden=True)
        sheet.row(header_labels(language), style=1)
        for row in rows:
            # Only the row's own non-empty values, by column position: a row fills about
            # half the columns, and this loop runs for every one of millions of cells.
            cells: list[tuple[int, Any]] = []
            for name, value in row.items():
                if value is None or value == "" or value == []:
                    continue
                column = _POSITION.get(name)
                if column is None:
                    continue  # a value the standard's layout has no column for
                position, kind = column
                if kind == BOOL or (isinstance(value, int) and not isinstance(value, bool)):
                    cells.append((position, value))
                elif isinstance(value, date) and not isinstance(value, datetime):
                    cells.append((position, value))
                else:
                    cells.append((position, cell_text(name, value)))
            cells.sort(key=_first)
            sheet.sparse_row(cells)
            count += 1
    return count


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def write_json(rows: Iterable[Row], out: IO[str], *, meta: dict[str, Any]) -> int:
    """{"standard": "HTCDS", "version": "2.0", …, "rows": [{field: value}, …]}: one object
    per row, empty fields left out, lists as lists; written one row at a time."""
    head = json.dumps({**meta, "fields": list(FIELD_NAMES)}, ensure_ascii=False)
    out.write(head[:-1] + ', "rows": [\n')
    count = 0
    for row in rows:
        record = {
            name: _json_value(name, row[name])
            for name in FIELD_NAMES
            if row.get(name) not in (None, "", [])
        }
        out.write(("" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count
