"""bench/scaling.py: issue 18's table and plot of p95 against the database's size."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.bench.conftest import bench_module


@pytest.fixture
def scaling():
    return bench_module("scaling")


def bench_file(tmp_path, contacts: int, lookup: float, search: float) -> Path:
    """A bench/run.py result with two operations, as each run writes it."""

    def op(p95: float) -> dict:
        return {"server_ms": {"p50": p95 / 2, "p95": p95, "p99": p95 * 2}}

    path = tmp_path / f"bench-{contacts}.json"
    results = [
        {
            "database": database,
            # Each run adds the intakes it saves: the size is still the generated one.
            "data": {"contacts": contacts + 3_817},
            "operations": {"phone lookup (history)": op(lookup), "search: name": op(search)},
        }
        for database in ("sqlite", "postgres")
    ]
    path.write_text(json.dumps({"results": results}))
    return path


def test_flat_and_linear_growth_are_told_apart(scaling, tmp_path):
    files = [
        bench_file(tmp_path, 200_000, lookup=8.0, search=10.0),
        bench_file(tmp_path, 2_000_000, lookup=8.4, search=100.0),
    ]

    data = scaling.series(files)
    text = scaling.table(data)

    assert data["postgres"]["phone lookup (history)"] == [(200_000, 8.0), (2_000_000, 8.4)]
    assert scaling.per_tenfold(data["sqlite"]["phone lookup (history)"]) == pytest.approx(1.05)
    assert scaling.per_tenfold(data["sqlite"]["search: name"]) == pytest.approx(10.0)
    assert "| phone lookup (history) | 8 | 8.4 | 1.05× | 1.05× |" in text
    assert "| search: name | 10 | 100 | 10.00× | 10.00× |" in text
    assert "| 200,000 | 2,000,000 |" in text


def test_the_plot_is_an_image_with_a_line_per_operation_and_database(scaling, tmp_path):
    files = [
        bench_file(tmp_path, 200_000, lookup=8.0, search=10.0),
        bench_file(tmp_path, 2_000_000, lookup=8.4, search=30.0),
        bench_file(tmp_path, 6_000_000, lookup=8.9, search=41.0),
    ]

    image = ET.fromstring(scaling.svg(scaling.series(files)))

    assert image.tag.endswith("svg")
    lines = image.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2 * 2  # two operations, two databases
    assert all(len(line.get("points").split()) == 3 for line in lines)
    labels = " ".join(text.text or "" for text in image.iter("{http://www.w3.org/2000/svg}text"))
    assert "6 M" in labels and "200 k" in labels and "search: name" in labels


def test_a_run_over_other_years_is_a_series_of_its_own(scaling, tmp_path):
    usual = bench_file(tmp_path, 2_000_000, lookup=8.0, search=30.0)
    longer = tmp_path / "bench-6m-45y.json"
    run = json.loads(bench_file(tmp_path, 6_000_000, lookup=9.0, search=31.0).read_text())
    longer.write_text(json.dumps({**run, "settings": {"years": 45}}))

    data = scaling.series([usual, longer])

    assert data["postgres"]["phone lookup (history)"] == [(2_000_000, 8.0)]
    assert data["postgres, over 45 years"]["phone lookup (history)"] == [(6_000_000, 9.0)]
