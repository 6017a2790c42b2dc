"""`puente report`: generates a report here and now, printing its progress, and copies
the files where it is told."""

from __future__ import annotations

from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from puente.audit.models import AuditEntry
from puente.insights.models import ReportRun
from tests.insights.test_report_figures import build_january


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.PUENTE_REPORTS_DIR = tmp_path / "reports"


def test_the_command_prints_progress_and_writes_the_files(db, supervisor, tmp_path):
    build_january(supervisor=supervisor)
    out = StringIO()
    call_command(
        "report", kind="monthly", period="2026-01", format="xlsx,pdf", language="es",
        out=tmp_path / "filed", stdout=out,
    )  # fmt: skip
    printed = out.getvalue().splitlines()
    run = ReportRun.objects.get()
    assert (
        printed[0] == f"Report #{run.pk}: monthly 2026-01 (2026-01-01 to 2026-01-31), es, xlsx, pdf"
    )
    assert [line.strip() for line in printed[1:5]] == [
        "[1/4]  25% emergency_requests counted",
        "[2/4]  50% case_level counted",
        "[3/4]  75% xlsx written",
        "[4/4] 100% pdf written",
    ]
    assert printed[-1] == f"Report #{run.pk} done."
    filed = sorted(path.name for path in (tmp_path / "filed").iterdir())
    assert filed == ["monthly-report-2026-01-es.pdf", "monthly-report-2026-01-es.xlsx"]
    sheet = openpyxl.load_workbook(tmp_path / "filed" / "monthly-report-2026-01-es.xlsx").active
    assert {row[2]: row[1] for row in sheet.iter_rows(values_only=True)}[
        "individual_referrals"
    ] == 4
    assert (run.status, run.via, run.requested_by) == ("done", "cli", None)
    exports = AuditEntry.objects.filter(action="export", object_type="reportrun", via="cli")
    assert exports.count() == 2


def test_without_a_period_the_last_whole_one_is_reported(db, settings):
    from django.utils import timezone

    from puente.insights.reports.periods import add_months

    call_command("report", kind="monthly", format="pdf", stdout=StringIO())
    run = ReportRun.objects.get()
    last_month = add_months(timezone.localdate(), -1)
    assert run.period == f"{last_month:%Y-%m}"
    assert run.language == settings.LANGUAGE_CODE and run.formats == ["pdf"]


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"period": "January"}, "Write the period as 2026-01"),
        ({"period": "2026-03-01..2026-01-31"}, "The period ends before it starts."),
        ({"format": "docx"}, "--format: choose xlsx, pdf or both"),
        ({"period": "2999-01"}, "The period has not started yet."),
    ],
)
def test_the_command_refuses_what_it_cannot_report(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", kind="monthly", stdout=StringIO(), **arguments)
    assert not ReportRun.objects.exists()
