"""A generated report as its two files print it: labels in the report's language, numbers,
and the period. Built from a run's stored figures, so the XLSX, the PDF and the web page
show the same numbers under the same labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DocumentRow:
    code: str
    label: str
    value: int


@dataclass(frozen=True)
class DocumentSection:
    code: str
    label: str
    rows: list[DocumentRow]


@dataclass(frozen=True)
class Document:
    language: str
    title: str  # "Monthly Performance Indicator Report"
    kind_label: str  # "Monthly report", as the report type's cell reads
    hotline: str
    period_label: str
    start: date
    end: date
    due: date | None
    generated_at: datetime
    sections: list[DocumentSection]
