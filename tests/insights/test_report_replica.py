"""Analysis reads the read replica when there is one: `DATABASE_REPLICA_URL` adds the
`replica` alias (parsed like DATABASE_URL), `PUENTE_ANALYSIS_DATABASE` names the alias
analysis reads, and a report's figures come from it while its progress and the audit
trail are written to the main database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl

from puente.core.analysis_db import analysis_database
from tests.conftest import TEST_AUDIT_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_analysis_reads_the_alias_the_settings_name(settings):
    settings.PUENTE_ANALYSIS_DATABASE = "replica"
    assert analysis_database() == "replica"
    settings.PUENTE_ANALYSIS_DATABASE = "default"
    assert analysis_database() == "default"


def _environment(**extra: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PUENTE_", "DATABASE_", "SECRET_KEY", "DJANGO_"))
    }
    return {**keep, "PUENTE_AUDIT_KEY": TEST_AUDIT_KEY, **extra}


def _puente(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "puente", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


PROBE = """
from django.conf import settings
from puente.core.analysis_db import analysis_database
print(sorted(settings.DATABASES), settings.DATABASES["replica"]["NAME"],
      settings.DATABASES["replica"]["OPTIONS"]["transaction_mode"], analysis_database())
"""

SEED = """
import django
django.setup()
from datetime import datetime
from zoneinfo import ZoneInfo
from puente.intake.models import Contact
for day, channel in [(5, "phone"), (6, "phone"), (7, "sms")]:
    Contact.objects.create(
        channel=channel, reason="tip", started_at=datetime(2026, 1, day, 12, tzinfo=ZoneInfo("America/Chicago"))
    )
"""


def test_settings_add_the_replica_and_point_analysis_at_it(tmp_path):
    env = _environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'main.sqlite3'}",
        DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}",
        DJANGO_SETTINGS_MODULE="puente.settings",
    )
    shown = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shown.stdout.split() == [
        "['default',", "'practice',", "'replica']", str(tmp_path / "replica.sqlite3"),
        "IMMEDIATE", "replica"
    ]  # fmt: skip
    refused = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DATABASE_REPLICA_URL": "", "PUENTE_ANALYSIS_DATABASE": "replica"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "PUENTE_ANALYSIS_DATABASE='replica': choose default" in refused.stderr


def test_a_report_counts_from_the_replica_and_writes_to_the_main_database(tmp_path):
    """Two SQLite files stand in for a primary and its replica. The replica holds three
    January contacts the main database does not: the report counts them, and the run
    itself (with its audit entry) is written to the main database only."""
    main, replica = tmp_path / "main.sqlite3", tmp_path / "replica.sqlite3"
    alone = _environment(DATABASE_URL=f"sqlite:///{main}")
    migrated = _puente("migrate", "--no-input", env=alone)
    assert migrated.returncode == 0, migrated.stderr
    shutil.copy(main, replica)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED],
        cwd=ROOT,
        env={
            **_environment(DATABASE_URL=f"sqlite:///{replica}"),
            "DJANGO_SETTINGS_MODULE": "puente.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr

    both = _environment(
        DATABASE_URL=f"sqlite:///{main}",
        DATABASE_REPLICA_URL=f"sqlite:///{replica}",
        PUENTE_REPORTS_DIR=str(tmp_path / "reports"),
    )
    ran = _puente(
        "report", "--kind", "annual", "--period", "2026-01-01..2026-01-31",
        "--format", "xlsx", "--language", "en", "--out", str(tmp_path / "out"), env=both,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    sheet = openpyxl.load_workbook(tmp_path / "out" / "annual-report-2026-01-01_2026-01-31-en.xlsx")
    figures = {row[2]: row[1] for row in sheet.active.iter_rows(values_only=True) if row[2]}
    assert (figures["signals_total"], figures["signals_phone"], figures["signals_text"]) == (
        3,
        2,
        1,
    )

    def one(path: Path, sql: str):
        with sqlite3.connect(path) as db:
            return db.execute(sql).fetchone()

    assert one(main, "SELECT status, read_from FROM insights_reportrun") == ("done", "replica")
    assert one(main, "SELECT COUNT(*) FROM intake_contact") == (0,)
    assert one(replica, "SELECT COUNT(*) FROM insights_reportrun") == (0,)
    assert one(replica, "SELECT COUNT(*) FROM audit_auditentry") == (0,)
    assert one(main, "SELECT COUNT(*) FROM audit_auditentry WHERE object_type = 'reportrun'") == (
        2,
    )
