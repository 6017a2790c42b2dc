"""The figures of a report, and the records behind any one of them.

Counting is the database's work: for each section, the rows that count the same measure
are one aggregate query with one filtered COUNT per row, so a year of a national
hotline's contacts is read once per section, never looped over in Python.

The list behind a figure re-selects exactly the records the row counts, with the row as
the report kept it. Restricted cases are counted like any other, but a record of a
restricted case is listed only to someone who may open that case (the one rule:
`puente.cases.access.OpenableCases`); the others are counted as "not shown". Nothing
listed names a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from puente.accounts.models import User
from puente.cases.access import OpenableCases
from puente.insights.queries import InsightFilter
from puente.insights.reports.definitions import Row, Section
from puente.insights.reports.measures import Measure, row_q

PER_PAGE = 50


def _records(row: Row, f: InsightFilter, using: str) -> QuerySet[Any]:
    measure = row.measure
    return measure.annotate(measure.records(f, using))


def count_section(*, section: Section, f: InsightFilter, using: str) -> dict[str, int]:
    """{row code: count} for every row of `section`, one query per measure it uses."""
    by_measure: dict[str, list[Row]] = {}
    for row in section.rows:
        by_measure.setdefault(row.counts, []).append(row)
    counts: dict[str, int] = {}
    for rows in by_measure.values():
        base = _records(rows[0], f, using)
        found = base.aggregate(
            **{
                f"row_{row.code}": Count(
                    "pk", filter=row_q(row.measure, where=row.where, unless=row.unless)
                )
                for row in rows
            }
        )
        for row in rows:
            counts[row.code] = int(found[f"row_{row.code}"] or 0)
    return counts


def counted_records(*, row: Row, f: InsightFilter, using: str) -> QuerySet[Any]:
    """The records `row` counts over `f`: what its figure is the number of."""
    return _records(row, f, using).filter(row_q(row.measure, where=row.where, unless=row.unless))


@dataclass(frozen=True)
class FigureList:
    """One page of the records behind a figure, as labelled cells."""

    headers: list[str]
    page: Page[Any]
    # One list per record listed: (column header, value) pairs, in column order.
    cells: list[list[tuple[str, str]]]
    counted: int  # how many records the row counts now
    not_shown: int  # of those, records of restricted cases this reader may not open


def _not_openable(*, user: User, measure: Measure, records: QuerySet[Any]) -> list[int]:
    """Ids of the counted records whose case is restricted and closed to `user`. Few:
    restricted cases are rare, so they are read in full and checked one by one against
    the one rule (reading the grants at most once)."""
    if measure.case_path is None:
        return []
    prefix = f"{measure.case_path}__" if measure.case_path else ""
    restricted = records.filter(**{f"{prefix}restricted": True}).values_list(
        "pk", f"{prefix}pk", f"{prefix}owner_id"
    )
    openable = OpenableCases(user)
    return [
        pk
        for pk, case_id, owner_id in restricted
        if not openable.may_open(case_id, restricted=True, owner_id=owner_id)
    ]


def list_behind(
    *,
    user: User,
    row: Row,
    f: InsightFilter,
    using: str,
    page_number: str | int | None = 1,
    per_page: int = PER_PAGE,
) -> FigureList:
    measure = row.measure
    records = counted_records(row=row, f=f, using=using)
    hidden = _not_openable(user=user, measure=measure, records=records)
    shown = records.exclude(pk__in=hidden) if hidden else records
    listed = shown.order_by(*measure.order).values(*measure.values)
    page = Paginator(listed, per_page).get_page(page_number)
    headers = [str(column.header) for column in measure.columns]
    columns: Sequence[Callable[[Any], str]] = [column.value for column in measure.columns]
    return FigureList(
        headers=headers,
        page=page,
        cells=[
            [(header, value(item)) for header, value in zip(headers, columns, strict=True)]
            for item in page.object_list
        ],
        counted=page.paginator.count + len(hidden),
        not_shown=len(hidden),
    )
