"""A supervisor of the Mexican line generates January's monthly report in Spanish in
Chromium: asks for it on the Reports page, watches it wait for the worker and finish
(the page polls its progress), opens the records behind a figure and downloads both
files, which hold the figures in Spanish."""

from __future__ import annotations

from datetime import date
from io import BytesIO, StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from puente.accounts.roles import Role
from puente.insights.models import ReportRun
from puente.referrals import domain as referrals
from tests.e2e.journeys import DESKTOP, Variant, check_page, signed_in_page, use_hotline
from tests.factories import make_case, make_contact, make_user
from tests.insights.test_report_figures import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH = Variant("es", "MX", "es-MX", DESKTOP)


def test_a_supervisor_generates_and_downloads_a_report_in_spanish(
    request, browser, asgi_server, settings, assert_accessible, tmp_path
):
    use_hotline(settings, SPANISH)
    settings.PUENTE_REPORTS_DIR = tmp_path / "reports"
    supervisor = make_user(
        Role.SUPERVISOR, username="sara", first_name="Sara", last_name="Ruiz", language="es"
    )
    case = make_case(created_by=supervisor, title="Bodega")
    for day in (5, 12, 20):
        make_contact(
            taken_by=supervisor, channel="phone", started_at=at(2026, 1, day), country="MX"
        )
    for day in (6, 13):
        referrals.record_referral(
            case=case, by=supervisor, service="legal", provider_name="Casa Refugio",
            consent_given=True, consent_method="verbal", referred_on=date(2026, 1, day),
        )  # fmt: skip

    page = signed_in_page(request, browser, asgi_server, supervisor, SPANISH)
    page.goto(asgi_server.url + reverse("insights:reports"))
    expect(page.locator("h1")).to_have_text("Informes periódicos")
    check_page(page, "reports", SPANISH, assert_accessible)

    form = page.locator("[data-testid=report-form] form")
    form.locator("select[name=kind]").select_option("monthly")
    form.locator("input[name=period_start]").fill("2026-01-01")
    form.locator("input[name=period_end]").fill("2026-01-31")
    form.locator("select[name=language]").select_option("es")
    form.get_by_role("button", name="Generar").click()

    # Queued: the page waits for the worker, polling its progress.
    progress = page.locator("[data-testid=report-progress]")
    expect(progress).to_contain_text("En espera")
    run = ReportRun.objects.get()
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    run.refresh_from_db()
    assert run.status == "done"

    # The page reloads itself once the report is ready and shows its figures.
    expect(page.locator("h1")).to_have_text("Informe mensual de indicadores de desempeño")
    figure = page.locator("[data-testid=figure-individual_referrals]")
    expect(figure).to_have_text("2")
    check_page(page, "report", SPANISH, assert_accessible)

    figure.click()
    expect(page.locator("[data-testid=reported]")).to_have_text("2")
    expect(page.locator("[data-testid=record]")).to_have_count(2)
    expect(page.locator("[data-testid=figure-records]")).to_contain_text(case.reference)
    check_page(page, "records behind a figure", SPANISH, assert_accessible)
    page.go_back()

    with page.expect_download() as xlsx_download:
        page.locator("[data-testid=download-xlsx]").click()
    xlsx = BytesIO(Path(xlsx_download.value.path()).read_bytes())
    assert xlsx_download.value.suggested_filename == "monthly-report-2026-01-es.xlsx"
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][0] == "Informe mensual de indicadores de desempeño"
    assert ("Canalizaciones individuales realizadas", 2, "individual_referrals") in rows

    with page.expect_download() as pdf_download:
        page.locator("[data-testid=download-pdf]").click()
    text = "\n".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    assert "Línea Nacional contra la Trata de Personas · enero de 2026" in text
    assert "Canalizaciones individuales realizadas 2" in text
