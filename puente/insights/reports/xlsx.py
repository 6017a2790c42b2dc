"""The report as a spreadsheet (openpyxl): the reporting header the NHTH guide asks for
(grant recipient, period start and end, report type), then each section's data elements
with their numbers. A third column keeps each row's code, so a spreadsheet that gathers
many months can match rows without reading the labels."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from puente.insights.reports.document import Document

# Excel's own date formats: a U.S. reader expects month first, a Mexican reader day first.
DATE_FORMAT = {"en": "mm/dd/yyyy", "es": "dd/mm/yyyy"}
BOLD = Font(bold=True)


def write_xlsx(document: Document) -> bytes:
    with translation.override(document.language):
        book = Workbook()
        sheet = book.active
        sheet.title = _("Report")[:31]
        sheet.column_dimensions["A"].width = 70
        sheet.column_dimensions["B"].width = 18
        sheet.column_dimensions["C"].width = 30
        sheet.append([document.title])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([])
        date_format = DATE_FORMAT.get(document.language, DATE_FORMAT["en"])
        header = [
            (_("Grant recipient"), document.hotline, None),
            (_("Reporting period start date"), document.start, date_format),
            (_("Reporting period end date"), document.end, date_format),
            (_("Report type"), document.kind_label, None),
            (_("Due by"), document.due, date_format),
            (
                _("Generated"),
                timezone.localtime(document.generated_at).replace(tzinfo=None),
                f"{date_format} hh:mm",
            ),
        ]
        for label, value, number_format in header:
            if value is None:
                continue
            sheet.append([label, value])
            cell = sheet.cell(row=sheet.max_row, column=2)
            cell.alignment = Alignment(horizontal="left")
            if number_format:
                cell.number_format = number_format
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
        for section in document.sections:
            sheet.append([])
            sheet.append([section.label])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
            sheet.append([_("Data element"), _("Number"), _("Code")])
            for column in (1, 2, 3):
                sheet.cell(row=sheet.max_row, column=column).font = BOLD
            for row in section.rows:
                sheet.append([row.label, row.value, row.code])
        out = BytesIO()
        book.save(out)
        return out.getvalue()
