"""Which records each report row counts is configuration: the shipped file, or the
deployment's own, checked when Puente starts (a wrong code would be a wrong number in a
filed report, so `puente serve` names every problem and refuses to start)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puente.core.checks import insecure_configuration_reasons
from puente.insights.reports.choices import ReportKind
from puente.insights.reports.definitions import (
    SHIPPED,
    DefinitionError,
    check_definitions,
    current_definitions,
    read_definitions,
)
from tests.insights.test_report_figures import build_january
from tests.insights.test_report_views import generated


def _shipped() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "definitions.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_shipped_definitions_are_valid_and_hold_every_kind_of_report():
    definitions = read_definitions(SHIPPED)
    assert set(definitions.kinds) == set(ReportKind.values)
    assert definitions.kinds["monthly"].sections == ("emergency_requests", "case_level")
    assert [row.code for row in definitions.sections["emergency_requests"].rows][:3] == [
        "emergency_shelter",
        "emergency_extraction",
        "emergency_transportation",
    ]
    assert definitions.fiscal_start("US") == 10 and definitions.fiscal_start("MX") == 1
    assert check_definitions(type("S", (), {"PUENTE_REPORT_DEFINITIONS": ""})) == []


def test_every_problem_in_a_deployments_file_is_named(tmp_path):
    data = _shipped()
    rows = data["sections"]["emergency_requests"]["rows"]
    rows[0]["where"]["service"] = ["helicopter"]
    rows[1]["counts"] = "tweets"
    rows[2]["where"]["colour"] = ["red"]
    rows[3]["es"] = ""
    data["kinds"]["annual"]["sections"].append("horoscope")
    data["kinds"]["monthly"]["due"]["day"] = 31
    with pytest.raises(DefinitionError) as refused:
        read_definitions(_write(tmp_path, data))
    problems = refused.value.problems
    assert any("service has no code 'helicopter'" in p for p in problems)
    assert any("counts 'tweets' is not one of" in p for p in problems)
    assert any("cannot be filtered by 'colour'" in p for p in problems)
    assert any(
        "(individual_referrals): needs a label in English and Spanish" in p for p in problems
    )
    assert any("kinds.annual: no section 'horoscope'" in p for p in problems)
    assert any("kinds.monthly.due.day" in p for p in problems)
    assert len(problems) == 6


def test_serve_refuses_to_start_on_a_broken_definitions_file(db, settings, tmp_path):
    settings.PUENTE_REPORT_DEFINITIONS = str(tmp_path / "missing.json")
    reasons = insecure_configuration_reasons(settings)
    assert [r for r in reasons if r.startswith("PUENTE_REPORT_DEFINITIONS")] == [
        f"PUENTE_REPORT_DEFINITIONS ({tmp_path / 'missing.json'}): cannot be read (No such "
        "file or directory). Fix the file or unset the variable to use the shipped definitions."
    ]


def test_a_deployment_counts_its_own_way(db, settings, tmp_path, supervisor):
    data = _shipped()
    data["sections"]["emergency_requests"]["rows"] = [
        {
            "code": "any_shelter",
            "en": "Shelter referrals, in danger or not",
            "es": "Canalizaciones a refugio, con o sin peligro",
            "counts": "referrals",
            "where": {"service": ["shelter_emergency_housing"]},
        }
    ]
    settings.PUENTE_REPORT_DEFINITIONS = str(_write(tmp_path, data))
    settings.PUENTE_REPORTS_DIR = tmp_path / "reports"
    assert [r.code for r in current_definitions().sections["emergency_requests"].rows] == [
        "any_shelter"
    ]
    build_january(supervisor=supervisor)
    run = generated()
    rows = run.figures["sections"][0]["rows"]
    # Both January shelter referrals, the one from a case in danger and the one not.
    assert [(row["code"], row["value"]) for row in rows] == [("any_shelter", 2)]
