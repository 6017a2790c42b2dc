"""The HTCDS pages: who may open them, an export asked for from the case list's filter
and written by the worker, its audited download; a file uploaded, checked by the worker,
its preview, imported, and undone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.cases.models import Case
from puente.sharing import htcds_tasks
from puente.sharing.models.htcds import HtcdsExport, HtcdsImport
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_the_pages_are_for_htcds_permission_holders(db, supervisor, advocate, analyst):
    for name in ("sharing:htcds_export", "sharing:htcds_imports", "sharing:htcds_upload"):
        url = reverse(name)
        assert signed_in_client(supervisor).get(url).status_code == 200
        for refused in (advocate, analyst):
            assert signed_in_client(refused).get(url).status_code == 403
        outsider = Client().get(url)
        assert outsider.status_code == 302 and "/accounts/login/" in outsider["Location"]


def test_the_case_list_and_search_link_to_the_export_with_their_filter(
    db, supervisor, advocate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_case(created_by=advocate, title="Nail salon tip")
    client = signed_in_client(supervisor)
    listing = client.get(reverse("cases:list") + "?status=new&imminent_danger=on").content.decode()
    assert f'href="{reverse("sharing:htcds_export")}?status=new&amp;imminent_danger=on"' in listing
    found = client.get(reverse("search:results") + "?q=salon").content.decode()
    assert f'href="{reverse("sharing:htcds_export")}?q=salon"' in found
    assert (
        'data-testid="export-htcds"'
        not in signed_in_client(advocate).get(reverse("cases:list")).content.decode()
    )


def test_an_export_from_the_filter_is_written_by_the_worker_and_downloaded_once_audited(
    db, supervisor, advocate, django_capture_on_commit_callbacks
):
    other = make_user("supervisor")
    make_case(created_by=advocate, title="Open", status="active")
    secret = make_case(created_by=advocate, title="Hidden", status="active")
    cases.restrict_case(case=secret, by=other)
    make_case(created_by=advocate, title="New one")
    client = signed_in_client(supervisor)
    page = client.get(reverse("sharing:htcds_export") + "?status=active").content.decode()
    assert '<dd data-testid="export-count">1</dd>' in page
    assert "1 restricted case you may not open" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:htcds_export"),
            {"status": "active", "file_format": "csv", "language": "en"},
        )
    job = HtcdsExport.objects.get()
    assert response["Location"] == reverse("sharing:htcds_export_detail", args=[job.pk])
    assert DBTaskResult.objects.get(
        task_path="puente.sharing.htcds_tasks.write_export"
    ).args_kwargs["args"] == [job.pk]
    waiting = client.get(reverse("sharing:htcds_export_detail", args=[job.pk])).content.decode()
    assert reverse("sharing:htcds_export_progress", args=[job.pk]) in waiting

    htcds_tasks.write_export.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.cases_done, job.cases_total, job.rows_written) == ("done", 1, 1, 1)
    download = client.get(reverse("sharing:htcds_export_download", args=[job.pk]))
    body = b"".join(download.streaming_content).decode()
    assert "Open" in body and "Hidden" not in body
    assert download["Content-Disposition"].startswith('attachment; filename="htcds-us-')
    exports = AuditEntry.objects.filter(
        action="export", object_type="htcdsexport", actor=supervisor
    )
    assert exports.count() == 2  # written, then downloaded
    # Someone else's export is not theirs to download.
    assert (
        signed_in_client(other)
        .get(reverse("sharing:htcds_export_download", args=[job.pk]))
        .status_code
        == 404
    )


def test_upload_preview_import_and_undo_on_the_web(
    db, supervisor, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in_client(supervisor)
    csv = "First Name,Gender\nLucía,Feminine\nPedro,Tall\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:htcds_upload"), {"file": SimpleUploadedFile("partner.csv", csv)}
        )
    batch = HtcdsImport.objects.get()
    assert response["Location"] == reverse("sharing:htcds_import", args=[batch.pk])
    htcds_tasks.check_import.call(batch.pk)
    preview = client.get(reverse("sharing:htcds_import", args=[batch.pk])).content.decode()
    assert '<dd data-testid="summary-invalid">1</dd>' in preview
    assert "“Tall” is not one of this column’s values." in preview
    assert 'data-testid="import-all"' not in preview and 'data-testid="import-valid"' in preview
    assert Case.objects.count() == 0

    # Asking for everything is refused while a case has a problem: nothing is written.
    client.post(reverse("sharing:htcds_import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sharing:htcds_import_confirm", args=[batch.pk]), {"only_valid": "yes"})
    htcds_tasks.run_import.call(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.cases_created, batch.cases_skipped) == ("imported", 1, 1)
    result = client.get(reverse("sharing:htcds_import", args=[batch.pk])).content.decode()
    assert '<dd data-testid="result-created">1</dd>' in result and 'data-testid="undo"' in result
    listing = client.get(reverse("sharing:htcds_imports")).content.decode()
    assert "partner.csv" in listing

    client.post(reverse("sharing:htcds_import_undo", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "undone" and Case.objects.count() == 0
    assert AuditEntry.objects.filter(action="view", object_type="htcdsimport").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(db, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in_client(supervisor).post(
        reverse("sharing:htcds_upload"),
        {"file": SimpleUploadedFile("photo.xlsx", b"\x00\x01\x02binary" * 20)},
    )
    assert response.status_code == 400
    assert "This is not a CSV, XLSX or JSON file." in response.content.decode()
    assert not HtcdsImport.objects.exists()


def test_the_undo_page_warns_about_cases_worked_on_since(db, supervisor, tmp_path):
    from tests.sharing.htcds_helpers import imported

    path = tmp_path / "one.csv"
    path.write_text("First Name\nLucía\n", encoding="utf-8")
    batch = imported(path, by=supervisor)
    case = Case.objects.get()
    cases.add_task(case=case, by=supervisor, title="Call back")
    page = signed_in_client(supervisor).get(reverse("sharing:htcds_import", args=[batch.pk]))
    text = page.content.decode()
    assert 'data-testid="undo-changed-warning"' in text and case.reference in text
    assert "include_changed" in text
