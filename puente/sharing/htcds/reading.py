"""Opening another organisation's HTCDS file: CSV, XLSX (the standard's template or
anything laid out like it) or the JSON Puente writes; finding its header rows; matching
each column to a field by HTCDS field name or by label, English or Spanish.

A hostile file is expected: the size and the number of rows are limited before anything
is parsed, an XLSX is checked for a zip that would expand beyond reason, and anything
that is neither CSV, XLSX nor JSON is refused by name.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from puente.sharing.htcds.fields import COLUMNS, COLUMNS_BY_NAME, Column
from puente.sharing.htcds.values import fold

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
# An XLSX is a zip: refuse one whose contents would expand past this (a zip bomb).
MAX_XLSX_EXPANDED = 400 * 1024 * 1024
# The header rows are looked for among the first rows only.
HEADER_SEARCH_ROWS = 6
# The template's own sheet; else the first sheet with a header row.
PREFERRED_SHEET = "Case Sheet"

CSV_FORMAT = "csv"
XLSX_FORMAT = "xlsx"
JSON_FORMAT = "json"


class FileRefused(ValueError):
    """The file cannot be read at all; the message says why, for the person who sent it."""


@dataclass
class Notice:
    column: str
    message: str


@dataclass
class Layout:
    """Which field each column holds (None: ignored), and what was noticed about the
    header on the way."""

    fields: list[Column | None]
    header_rows: int
    notices: list[Notice] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


@dataclass
class RawRow:
    number: int  # as the person sees it in their spreadsheet (1-based, headers counted)
    values: dict[str, Any]


def sniff_format(head: bytes, filename: str = "") -> str:
    if head.startswith(b"PK\x03\x04"):
        return XLSX_FORMAT
    if b"\x00" in head[:4096]:
        raise FileRefused(_("This is not a CSV, XLSX or JSON file. Save the sheet as XLSX or CSV."))
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")) or filename.lower().endswith(".json"):
        return JSON_FORMAT
    return CSV_FORMAT


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The file's text cannot be read: save it as UTF-8 CSV."))


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as exc:
        raise FileRefused(
            _("This is not a CSV file Puente can read: %(error)s") % {"error": exc}
        ) from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("This is not an XLSX file Puente can read.")) from exc
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This is not an XLSX file Puente can read."))
    if expanded > MAX_XLSX_EXPANDED:
        raise FileRefused(_("This spreadsheet expands to far more than its size: refused."))
    # Opened as a stream: openpyxl would refuse a path without the .xlsx ending, and the
    # stored upload has none.
    handle = path.open("rb")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        handle.close()
        raise FileRefused(_("This is not an XLSX file Puente can read.")) from exc
    try:
        sheets = workbook.worksheets
        chosen = next((s for s in sheets if s.title == PREFERRED_SHEET), None)
        if chosen is None:
            for sheet in sheets:
                head = [
                    list(r) for r in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
                ]
                if _find_header(head) is not None:
                    chosen = sheet
                    break
        if chosen is None:
            chosen = sheets[0]
        for row in chosen.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
        handle.close()


def _json_rows(path: Path) -> Iterator[list[Any]]:
    try:
        data = json.loads(_decode(path.read_bytes()))
    except ValueError as exc:
        raise FileRefused(_("This JSON file cannot be read.")) from exc
    records = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FileRefused(_("This JSON file does not hold HTCDS rows."))
    names = list(dict.fromkeys(name for record in records for name in record))
    yield names
    for record in records:
        yield [record.get(name) for name in names]


def raw_rows(path: Path, fmt: str) -> Iterator[list[Any]]:
    if fmt == XLSX_FORMAT:
        return _xlsx_rows(path)
    if fmt == JSON_FORMAT:
        return _json_rows(path)
    return _csv_rows(path)


# --- the header ----------------------------------------------------------------------


@cache
def _labels() -> dict[str, Column]:
    """Every label a column is known by (the template's English, Puente's Spanish), folded."""
    found: dict[str, Column] = {}
    for column in COLUMNS:
        found.setdefault(fold(column.label_en), column)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column in COLUMNS:
                found.setdefault(fold(str(column.label)), column)
    return found


def _by_name(cell: Any) -> Column | None:
    if not isinstance(cell, str):
        return None
    return COLUMNS_BY_NAME.get(cell.strip())


def _by_label(cell: Any) -> Column | None:
    if not isinstance(cell, str) or not cell.strip():
        return None
    return _labels().get(fold(cell))


def _find_header(head: list[list[Any]]) -> tuple[int | None, int | None] | None:
    """(index of the field-name row, index of the label row): either may be missing."""
    names_at = labels_at = None
    for index, row in enumerate(head):
        filled = sum(1 for cell in row if cell not in (None, "") and str(cell).strip())
        # A header row: two known headings, or nothing but known headings (a one-column file).
        needed = min(2, filled) or 1
        if names_at is None and sum(1 for cell in row if _by_name(cell)) >= needed:
            names_at = index
        elif labels_at is None and sum(1 for cell in row if _by_label(cell)) >= needed:
            labels_at = index
        if names_at is not None and labels_at is not None:
            break
    if names_at is None and labels_at is None:
        return None
    return names_at, labels_at


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_layout(head: list[list[Any]]) -> Layout:
    found = _find_header(head)
    if found is None:
        raise FileRefused(
            _(
                "No header row found: the first rows must hold HTCDS field names "
                "(prs_FirstName, …) or their labels (First Name, …)."
            )
        )
    names_at, labels_at = found
    width = max(len(row) for row in head)
    names = head[names_at] if names_at is not None else []
    labels = head[labels_at] if labels_at is not None else []
    layout = Layout(fields=[], header_rows=max(i for i in found if i is not None) + 1)
    seen: dict[str, str] = {}
    for index in range(width):
        name_cell = names[index] if index < len(names) else None
        label_cell = labels[index] if index < len(labels) else None
        by_name, by_label = _by_name(name_cell), _by_label(label_cell)
        where = _letter(index)
        column = by_name or by_label
        if by_name and by_label and by_name is not by_label:
            # IOM's template prints the mailing labels one column off their field names;
            # whoever filled the sheet typed under the label they saw.
            column = by_label
            layout.notices.append(
                Notice(
                    where,
                    _(
                        "Column %(column)s is named %(name)s but labeled “%(label)s”: "
                        "read as %(label)s, the label people filling the sheet see."
                    )
                    % {"column": where, "name": name_cell, "label": str(label_cell).strip()},
                )
            )
        if column is None:
            heading = next(
                (str(cell).strip() for cell in (name_cell, label_cell) if cell not in (None, "")),
                "",
            )
            if heading:
                layout.ignored.append(f"{where} ({heading})")
            layout.fields.append(None)
            continue
        if column.name in seen:
            layout.notices.append(
                Notice(
                    where,
                    _("Column %(column)s repeats %(name)s (already column %(first)s): ignored.")
                    % {"column": where, "name": column.name, "first": seen[column.name]},
                )
            )
            layout.fields.append(None)
            continue
        seen[column.name] = where
        layout.fields.append(column)
    return layout


@dataclass
class OpenedFile:
    fmt: str
    layout: Layout
    rows: Iterator[RawRow]


def open_file(path: Path, *, filename: str = "") -> OpenedFile:
    """The file's layout and an iterator of its data rows (empty rows skipped). Raises
    FileRefused for a file that cannot be read, too large, or with too many rows."""
    check_size(path.stat().st_size)
    with path.open("rb") as handle:
        head_bytes = handle.read(8192)
    fmt = sniff_format(head_bytes, filename)
    source = raw_rows(path, fmt)
    head: list[list[Any]] = []
    for row in source:
        head.append(row)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    layout = read_layout(head)
    pending = head[layout.header_rows :]

    def rows() -> Iterator[RawRow]:
        number = layout.header_rows
        counted = 0
        for row in _chain(pending, source):
            number += 1
            values = {
                column.name: value
                for column, value in zip(layout.fields, row, strict=False)
                if column is not None and value not in (None, "") and str(value).strip() != ""
            }
            if not values:
                continue
            counted += 1
            if counted > MAX_ROWS:
                raise FileRefused(
                    _("The file has more than %(rows)d rows. Split it into smaller files.")
                    % {"rows": MAX_ROWS}
                )
            yield RawRow(number=number, values=values)

    return OpenedFile(fmt=fmt, layout=layout, rows=rows())


def _chain(first: list[list[Any]], rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield from first
    yield from rest


def estimate_rows(path: Path, fmt: str) -> int:
    """About how many rows the file holds, for a progress bar before it is read: a CSV's
    lines, a sheet's stated dimensions, a JSON file's size."""
    try:
        if fmt == XLSX_FORMAT:
            workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
            try:
                sheet = next((s for s in workbook.worksheets if s.title == PREFERRED_SHEET), None)
                sheet = sheet or workbook.worksheets[0]
                return max(1, (sheet.max_row or 1) - 2)
            finally:
                workbook.close()
        if fmt == JSON_FORMAT:
            return max(1, path.stat().st_size // 400)
        with path.open("rb") as handle:
            return max(1, sum(1 for _line in handle) - 2)
    except Exception:  # a broken file is refused when it is read, with the reason
        return 1
