"""A supervisor moves cases in and out as HTCDS files in Chromium: exports the case list's
cases as a CSV (the worker writes it, the page follows its progress), imports that same
file back (every case valid), then a file with a bad row — sees the problem by row and
column, imports only the valid case — and undoes the import.

The worker's part is run in the test (the same task functions `puente worker` runs), so
the page's progress polling meets a finished job as it would in production."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases.models import Case
from puente.sharing import htcds_tasks
from puente.sharing.models.htcds import HtcdsExport, HtcdsImport
from tests.e2e.journeys import VARIANTS, check_page, signed_in_page, use_hotline
from tests.factories import make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One good row and one whose gender is not a value of the standard, by field name.
BAD_FILE = (
    "prs_FirstName,prs_LastName,prs_Gender\nLucía,Ramírez,Female\nPedro,Soto,Tall\n"
).encode()


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_supervisor_exports_imports_and_undoes_htcds_files(
    request, browser, asgi_server, settings, tmp_path, assert_accessible, variant
):
    use_hotline(settings, variant)
    settings.PUENTE_DATA_DIR = tmp_path
    supervisor = make_user(Role.SUPERVISOR, username="sofia", language=variant.language)
    for title in ("Restaurant kitchen", "Farm workers"):
        make_case(title=title, owner=supervisor)
    page = signed_in_page(request, browser, asgi_server, supervisor, variant)

    # Export: from the case list, as CSV.
    page.goto(asgi_server.url + reverse("cases:list"))
    page.locator("[data-testid=export-htcds]").click()
    expect(page.locator("[data-testid=export-count]")).to_have_text("2")
    check_page(page, "htcds export form", variant, assert_accessible)
    page.locator("input[name=file_format][value=csv]").check()
    page.locator("[data-testid=export-form] button[type=submit]").click()
    expect(page.locator("[data-testid=export-progress]")).to_be_visible()
    htcds_tasks.write_export.call(HtcdsExport.objects.get().pk)
    # The page polls every second and shows the download once the file is written.
    expect(page.locator("[data-testid=export-download]")).to_be_visible(timeout=10_000)
    with page.expect_download() as download:
        page.locator("[data-testid=export-download]").click()
    exported = download.value.path()
    check_page(page, "htcds export", variant, assert_accessible)

    # Import that file back: every case is valid, and they are new cases here.
    page.goto(asgi_server.url + reverse("sharing:htcds_upload"))
    check_page(page, "htcds upload", variant, assert_accessible)
    page.locator("input[name=file]").set_input_files(exported)
    page.locator("[data-testid=check-file]").click()
    htcds_tasks.check_import.call(HtcdsImport.objects.get().pk)
    expect(page.locator("[data-testid=import-all]")).to_be_visible(timeout=10_000)
    page.locator("[data-testid=import-all]").click()
    htcds_tasks.run_import.call(HtcdsImport.objects.get().pk)
    page.reload()
    expect(page.locator("[data-testid=result-created]")).to_have_text("2", timeout=10_000)
    assert Case.objects.count() == 4

    # A file with a bad row: the problem is shown by row and column; only the valid case.
    page.goto(asgi_server.url + reverse("sharing:htcds_upload"))
    bad = tmp_path / "partner.csv"
    bad.write_bytes(BAD_FILE)
    page.locator("input[name=file]").set_input_files(str(bad))
    page.locator("[data-testid=check-file]").click()
    batch = HtcdsImport.objects.latest("pk")
    htcds_tasks.check_import.call(batch.pk)
    expect(page.locator("[data-testid=import-valid]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=summary-invalid]")).to_have_text("1")
    problem = page.locator("[data-testid=problem-error]")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("prs_Gender")
    expect(problem).to_contain_text("3")  # the file's third line
    expect(page.locator("[data-testid=import-all]")).to_have_count(0)
    check_page(page, "htcds import preview", variant, assert_accessible)
    page.locator("[data-testid=import-valid]").click()
    htcds_tasks.run_import.call(batch.pk)
    page.reload()
    expect(page.locator("[data-testid=result-created]")).to_have_text("1", timeout=10_000)
    assert Case.objects.filter(persons__first_name="Lucía").count() == 1
    assert not Case.objects.filter(persons__first_name="Pedro").exists()
    check_page(page, "htcds import result", variant, assert_accessible)

    # Undo removes what this import created, and nothing else.
    page.locator("[data-testid=undo]").click()
    expect(page.locator("[data-testid=import-status]")).to_be_visible()
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert Case.objects.count() == 4
    assert not Case.objects.filter(persons__first_name="Lucía").exists()
