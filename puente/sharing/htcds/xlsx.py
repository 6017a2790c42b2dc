"""A streaming XLSX writer for the HTCDS export: one sheet, text, whole numbers, yes/no and
dates, each row written into the zip as it comes.

Why not openpyxl's write-only workbook: it builds a cell object per cell and took five
minutes for 100,000 cases (250,000 rows × 70 columns, most of them empty) where the same
rows as CSV take under a minute. This writes the same SpreadsheetML an Excel user gets
from openpyxl (inline strings, a hidden first row, frozen header), skips empty cells, and
is read back by openpyxl and Excel alike.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

# Characters XML 1.0 does not allow: a cell holding one would make the file unreadable.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What plain text must not hold as is: XML's three specials, or a character it forbids.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk absorbed)

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
# Style 0: plain; 1: bold (the label row); 2: a date.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>
<sheetData>"""
_SHEET_TAIL = "</sheetData></worksheet>"


def _letters(count: int) -> list[str]:
    found = []
    for index in range(count):
        letters, n = "", index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        found.append(letters)
    return found


def _cell(ref: str, value: Any, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    if value is True or value is False:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, date) and not isinstance(value, datetime):
        return f'<c r="{ref}" s="2"><v>{(value - _EPOCH).days}</v></c>'
    text = _ILLEGAL.sub("", str(value))
    bold = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{bold} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
    )


class SheetWriter:
    """`with SheetWriter(path, "Case Sheet", width) as sheet: sheet.row([...])`."""

    def __init__(self, path: Path, title: str, width: int) -> None:
        self.path = path
        self.title = title
        self.columns = _letters(width)
        self.number = 0

    def __enter__(self) -> SheetWriter:
        self.zip = zipfile.ZipFile(
            self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        )
        self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", _ROOT_RELS)
        self.zip.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(self.title)))
        self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(_SHEET_HEAD.encode())
        return self

    def row(self, values: Iterable[Any], *, hidden: bool = False, style: int = 0) -> None:
        self.number += 1
        n = self.number
        parts = []
        # Written out here rather than cell by cell: this loop runs for every cell of the
        # file, millions of them, and plain text (most cells) needs only its escaping.
        for letter, value in zip(self.columns, values, strict=False):
            if value is None or value == "":
                continue
            if type(value) is str and not style:
                if _NEEDS_CARE.search(value):
                    value = escape(_ILLEGAL.sub("", value))
                parts.append(
                    f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                )
            else:
                parts.append(_cell(f"{letter}{n}", value, style))
        attributes = ' hidden="1"' if hidden else ""
        self.sheet.write(f'<row r="{n}"{attributes}>{"".join(parts)}</row>'.encode())

    def sparse_row(self, cells: Iterable[tuple[int, Any]]) -> None:
        """A row of plain cells given as (column position, value), in column order, empty
        ones left out: what `row` writes for the same values, without visiting every
        column."""
        self.number += 1
        n = self.number
        columns = self.columns
        parts = []
        for position, value in cells:
            if type(value) is str:
                if _NEEDS_CARE.search(value):
                    value = escape(_ILLEGAL.sub("", value))
                parts.append(
                    f'<c r="{columns[position]}{n}" t="inlineStr"><is>'
                    f'<t xml:space="preserve">{value}</t></is></c>'
                )
            else:
                parts.append(_cell(f"{columns[position]}{n}", value, 0))
        self.sheet.write(f'<row r="{n}">{"".join(parts)}</row>'.encode())

    def __exit__(self, *exc: object) -> None:
        self.sheet.write(_SHEET_TAIL.encode())
        self.sheet.close()
        self.zip.close()
