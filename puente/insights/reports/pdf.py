"""The report as a PDF (fpdf2, pure Python), in a font shipped with the project
(`puente/insights/fonts`, DejaVu Sans) so accents and ñ print on any server."""

from __future__ import annotations

from pathlib import Path

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos

from puente.insights.reports.document import Document

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"


class _ReportPDF(FPDF):
    page_label = ""
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.page_label % {"page": self.page_no(), "pages": "{nb}"}, align="R")
        self.set_text_color(0)


def write_pdf(document: Document) -> bytes:
    with translation.override(document.language):
        pdf = _ReportPDF(format="Letter")
        pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_lang(document.language)
        pdf.set_title(f"{document.title} — {document.period_label}")
        pdf.set_author(document.hotline)
        pdf.set_creator("Puente")
        pdf.set_creation_date(document.generated_at)
        pdf.page_label = _("Page %(page)s of %(pages)s")
        pdf.footer_text = f"{document.hotline} · {document.title} · {document.period_label}"
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_page()

        pdf.set_font(FAMILY, "B", 16)
        pdf.multi_cell(0, 8, document.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(
            0,
            6,
            f"{document.hotline} · {document.period_label}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(3)

        def short(value) -> str:
            return formats.date_format(value, "SHORT_DATE_FORMAT")

        facts = [
            (_("Grant recipient"), document.hotline),
            (_("Reporting period start date"), short(document.start)),
            (_("Reporting period end date"), short(document.end)),
            (_("Report type"), document.kind_label),
        ]
        if document.due:
            facts.append((_("Due by"), short(document.due)))
        facts.append(
            (
                _("Generated"),
                formats.date_format(
                    timezone.localtime(document.generated_at), "SHORT_DATETIME_FORMAT"
                ),
            )
        )
        pdf.set_font(FAMILY, size=10)
        with pdf.table(
            col_widths=(45, 55), first_row_as_headings=False, line_height=6, borders_layout="NONE"
        ) as table:
            for label, value in facts:
                row = table.row()
                row.cell(label)
                row.cell(value)

        for section in document.sections:
            pdf.ln(4)
            pdf.set_font(FAMILY, "B", 12)
            pdf.multi_cell(0, 7, section.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(FAMILY, size=10)
            with pdf.table(
                col_widths=(80, 20),
                text_align=("LEFT", "RIGHT"),
                line_height=6,
                cell_fill_color=245,
                cell_fill_mode=TableCellFillMode.ROWS,
            ) as table:
                heading = table.row()
                heading.cell(_("Data element"))
                heading.cell(_("Number"))
                for item in section.rows:
                    row = table.row()
                    row.cell(item.label)
                    row.cell(formats.number_format(item.value, use_l10n=True, force_grouping=True))
        return bytes(pdf.output())
