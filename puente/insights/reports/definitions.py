"""Which rows each periodic report holds, and which records each row counts: data, not
code.

The official value lists of the NHTH performance-indicator reports could be read only in
part (see docs and `indicators.json`'s "about"), so the rows and what they count live in
a JSON file: the shipped `indicators.json`, or a deployment's own named by
`PUENTE_REPORT_DEFINITIONS`. A hotline that learns the official lists changes the file,
not the code. The file is checked when the app starts (`puente serve` refuses to start
while it names an unknown measure, filter or code, listing every problem at once) and
again before a report is generated.

The file's form:

    {"fiscal_year_start_month": {"US": 10, "MX": 1},
     "kinds": {"monthly": {"en": "…", "es": "…", "sections": ["…"],
                           "due": {"months_after_end": 2, "day": 15}}, …},
     "sections": {"emergency_requests": {"en": "…", "es": "…", "rows": [
         {"code": "emergency_shelter", "en": "…", "es": "…", "counts": "referrals",
          "where": {"service": ["shelter_emergency_housing"]}, "unless": {…}}]}}}

`counts` names a measure (`measures.MEASURES`); `where` and `unless` map its filters to
codes (or true/false for a flag).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from puente.insights.reports.choices import ReportKind
from puente.insights.reports.measures import MEASURES, Measure, code_problems

SHIPPED = Path(__file__).resolve().parent / "indicators.json"
ROW_CODE = re.compile(r"^[a-z0-9_]{1,60}$")
LANGUAGES = ("en", "es")


class DefinitionError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def _in(language: str, labels: dict[str, str]) -> str:
    return labels.get(language) or labels["en"]


@dataclass(frozen=True)
class Row:
    code: str
    labels: dict[str, str]
    counts: str
    where: dict[str, Any]
    unless: dict[str, Any]

    @property
    def measure(self) -> Measure:
        return MEASURES[self.counts]

    def label(self, language: str) -> str:
        return _in(language, self.labels)

    def as_stored(self) -> dict[str, Any]:
        """What a generated report keeps of the row: the list behind its figure counts
        what the row counted then, even after the file is changed."""
        return {
            "code": self.code,
            "labels": self.labels,
            "counts": self.counts,
            "where": self.where,
            "unless": self.unless,
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Row:
        return cls(
            code=data["code"],
            labels=data["labels"],
            counts=data["counts"],
            where=data.get("where") or {},
            unless=data.get("unless") or {},
        )


@dataclass(frozen=True)
class Section:
    code: str
    labels: dict[str, str]
    rows: tuple[Row, ...]

    def label(self, language: str) -> str:
        return _in(language, self.labels)


@dataclass(frozen=True)
class Kind:
    code: str
    labels: dict[str, str]
    sections: tuple[str, ...]
    due_months_after_end: int
    due_day: int

    def label(self, language: str) -> str:
        return _in(language, self.labels)


@dataclass(frozen=True)
class Definitions:
    path: Path
    fiscal_year_start_month: dict[str, int]
    kinds: dict[str, Kind]
    sections: dict[str, Section]

    def sections_of(self, kind: str) -> list[Section]:
        return [self.sections[code] for code in self.kinds[kind].sections]

    def fiscal_start(self, country: str) -> int:
        return self.fiscal_year_start_month.get(country, 1)


def _labels(entry: Any, where: str, problems: list[str]) -> dict[str, str]:
    labels = {lang: entry.get(lang) for lang in LANGUAGES} if isinstance(entry, dict) else {}
    missing = [lang for lang in LANGUAGES if not isinstance(labels.get(lang), str)]
    if missing or not all(labels.values()):
        problems.append(f"{where}: needs a label in English and Spanish (en, es)")
    return {lang: str(labels.get(lang) or "") for lang in LANGUAGES}


def _row(entry: Any, where: str, problems: list[str]) -> Row | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: a row is an object")
        return None
    code = entry.get("code")
    if not isinstance(code, str) or not ROW_CODE.match(code):
        problems.append(f"{where}: code {code!r} must be lower-case letters, digits and _")
        return None
    where = f"{where} ({code})"
    labels = _labels(entry, where, problems)
    measure = MEASURES.get(entry.get("counts", ""))
    if measure is None:
        known = ", ".join(MEASURES)
        problems.append(f"{where}: counts {entry.get('counts')!r} is not one of {known}")
        return None
    conditions = {}
    for key in ("where", "unless"):
        value = entry.get(key) or {}
        if not isinstance(value, dict):
            problems.append(f"{where}: {key} must be an object")
            return None
        problems.extend(code_problems(measure, value, where=where))
        conditions[key] = value
    return Row(
        code=code,
        labels=labels,
        counts=measure.code,
        where=conditions["where"],
        unless=conditions["unless"],
    )


def parse_definitions(data: Any, *, path: Path) -> Definitions:
    """The definitions in `data`, or DefinitionError naming every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefinitionError(path, ["the file must hold one JSON object"])
    sections: dict[str, Section] = {}
    seen_rows: set[str] = set()
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, dict) or not raw_sections:
        problems.append("sections: needs at least one section")
        raw_sections = {}
    for code, entry in raw_sections.items():
        where = f"sections.{code}"
        labels = _labels(entry, where, problems)
        rows = []
        raw_rows = entry.get("rows") if isinstance(entry, dict) else None
        if not isinstance(raw_rows, list) or not raw_rows:
            problems.append(f"{where}: needs a list of rows")
            raw_rows = []
        for n, raw in enumerate(raw_rows, start=1):
            row = _row(raw, f"{where} row {n}", problems)
            if row is None:
                continue
            if row.code in seen_rows:
                problems.append(f"{where}: row code {row.code!r} is used twice")
            seen_rows.add(row.code)
            rows.append(row)
        sections[code] = Section(code=code, labels=labels, rows=tuple(rows))

    kinds: dict[str, Kind] = {}
    raw_kinds: dict[str, Any] = data["kinds"] if isinstance(data.get("kinds"), dict) else {}
    for kind in ReportKind.values:
        entry = raw_kinds.get(kind)
        where = f"kinds.{kind}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: missing")
            continue
        labels = _labels(entry, where, problems)
        listed = entry.get("sections")
        if not isinstance(listed, list) or not listed:
            problems.append(f"{where}: needs a list of sections")
            listed = []
        for name in listed:
            if name not in sections:
                problems.append(f"{where}: no section {name!r}")
        due: dict[str, Any] = entry["due"] if isinstance(entry.get("due"), dict) else {}
        months_after, day = due.get("months_after_end"), due.get("day")
        if not isinstance(months_after, int) or not 0 <= months_after <= 24:
            problems.append(f"{where}.due.months_after_end: a whole number from 0 to 24")
            months_after = 0
        if not isinstance(day, int) or not 1 <= day <= 28:
            # Up to 28: every month has that day.
            problems.append(f"{where}.due.day: a day of the month from 1 to 28")
            day = 1
        kinds[kind] = Kind(
            code=kind,
            labels=labels,
            sections=tuple(name for name in listed if name in sections),
            due_months_after_end=months_after,
            due_day=day,
        )
    unknown = set(raw_kinds) - set(ReportKind.values)
    if unknown:
        problems.append(f"kinds: unknown kinds {sorted(unknown)}")

    fiscal = data.get("fiscal_year_start_month", {})
    if not isinstance(fiscal, dict) or not all(
        isinstance(month, int) and 1 <= month <= 12 for month in fiscal.values()
    ):
        problems.append("fiscal_year_start_month: maps a country to a month from 1 to 12")
        fiscal = {}
    if problems:
        raise DefinitionError(path, problems)
    return Definitions(
        path=path, fiscal_year_start_month=dict(fiscal), kinds=kinds, sections=sections
    )


def read_definitions(path: Path) -> Definitions:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(path, [f"cannot be read ({exc.strerror or exc})"]) from exc
    except json.JSONDecodeError as exc:
        raise DefinitionError(path, [f"is not valid JSON ({exc})"]) from exc
    return parse_definitions(data, path=path)


def definitions_path(configured: str | None = None) -> Path:
    configured = settings.PUENTE_REPORT_DEFINITIONS if configured is None else configured
    return Path(configured) if configured else SHIPPED


@cache
def _cached(path: str, modified: float) -> Definitions:
    return read_definitions(Path(path))


def current_definitions() -> Definitions:
    """This deployment's definitions, read again when the file changes."""
    path = definitions_path()
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return _cached(str(path), modified)


def check_definitions(settings_obj: Any) -> list[str]:
    """For `puente serve`'s start-up check (core.checks.add_configuration_check)."""
    path = definitions_path(getattr(settings_obj, "PUENTE_REPORT_DEFINITIONS", "") or "")
    try:
        read_definitions(path)
    except DefinitionError as exc:
        return [
            f"PUENTE_REPORT_DEFINITIONS ({path}): {problem}. Fix the file or unset the "
            "variable to use the shipped definitions."
            for problem in exc.problems
        ]
    return []
