"""The two files a report is filed as: the spreadsheet opens with openpyxl and holds the
reporting header and each figure by its row's code; the PDF's text (as extracted) holds
the figures, in Spanish for a Spanish report."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from pypdf import PdfReader

from tests.insights.test_report_figures import build_january
from tests.insights.test_report_views import generated


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.PUENTE_REPORTS_DIR = tmp_path / "reports"


def _stored(run, fmt: str) -> Path:
    return Path(django_settings.PUENTE_REPORTS_DIR) / run.file_for(fmt)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_spreadsheet_holds_the_header_and_every_figure(db, supervisor):
    build_january(supervisor=supervisor)
    run = generated(language="en")
    sheet = openpyxl.load_workbook(_stored(run, "xlsx")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Monthly Performance Indicator Report"
    header = {row[0]: row[1] for row in rows[2:8]}
    assert header["Grant recipient"] == "National Human Trafficking Hotline"
    assert header["Reporting period start date"] == datetime(2026, 1, 1)
    assert header["Reporting period end date"] == datetime(2026, 1, 31)
    assert header["Report type"] == "Monthly report"
    assert header["Due by"] == datetime(2026, 3, 15)
    assert sheet["B4"].number_format == "mm/dd/yyyy"
    figures = {row[2]: (row[0], row[1]) for row in rows if row[2] and row[2] != "Code"}
    assert figures["emergency_shelter"] == (
        "Emergency-related service requests: emergency shelter",
        1,
    )
    assert figures["individual_referrals"] == ("Individual referrals provided", 4)
    assert figures["partners_added"] == ("New referral partners added to the referral database", 2)
    assert figures["cases_opened"] == ("Cases opened", 3)
    assert figures["cases_imminent_danger"][1] == 1
    # The monthly report: its two sections' rows, none of the annual report's.
    assert len(figures) == 6 + 11
    sections = [row[0] for row in rows if row[0] and row[1] is None and row[2] is None][1:]
    assert sections == [
        "Human Trafficking Emergency-Related Request and Referral Data",
        "Human Trafficking Case-Level Data",
    ]


def test_a_spanish_spreadsheet_reads_in_spanish_with_day_first_dates(db, supervisor):
    build_january(supervisor=supervisor)
    run = generated(language="es")
    sheet = openpyxl.load_workbook(BytesIO(_stored(run, "xlsx").read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Informe mensual de indicadores de desempeño"
    assert rows[2] == ("Organización beneficiaria", "National Human Trafficking Hotline", None)
    assert rows[5][:2] == ("Tipo de informe", "Informe mensual")
    assert sheet["B4"].number_format == "dd/mm/yyyy"
    figures = {row[2]: (row[0], row[1]) for row in rows if row[2] and row[2] != "Código"}
    assert figures["individual_referrals"] == ("Canalizaciones individuales realizadas", 4)


def test_the_pdf_holds_the_figures(db, supervisor):
    build_january(supervisor=supervisor)
    text = _pdf_text(_stored(generated(language="en"), "pdf"))
    assert "Monthly Performance Indicator Report" in text
    assert "National Human Trafficking Hotline · January 2026" in text
    assert "Reporting period start date 01/01/2026" in text
    assert "Due by 03/15/2026" in text
    assert "Individual referrals provided 4" in text
    assert "Emergency-related service requests: transportation 1" in text
    assert "Cases opened 3" in text
    assert "Level of indicators: none or not yet assessed 1" in text


def test_a_spanish_pdf_holds_the_figures_in_spanish(db, supervisor):
    build_january(supervisor=supervisor)
    run = generated(kind="annual", period="2026-01-01..2026-01-31", language="es")
    text = _pdf_text(_stored(run, "pdf"))
    assert "Informe anual de indicadores de desempeño" in text
    assert "National Human Trafficking Hotline · enero de 2026" in text
    assert "Fecha de inicio del periodo del informe 01/01/2026" in text
    assert "Fecha límite de entrega 15/03/2026" in text
    assert "Canalizaciones individuales realizadas 4" in text
    assert "Contactos recibidos 5" in text
    assert "Por mensaje de texto (SMS o WhatsApp) 2" in text
    assert "Personas menores de edad (menos de 18 años) 1" in text
    assert "Personas extranjeras 2" in text
    assert "Lugar o industria sin registrar 1" in text
    assert "Página 1 de" in text
    # Accents and ñ survive: the font shipped with the project covers them.
    assert "Tipo de trata: trata con fines de explotación sexual 1" in text
