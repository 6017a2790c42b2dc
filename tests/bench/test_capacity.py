"""bench/capacity.py and bench/run.py --years: where a database stops, and the same
contacts over more years kept apart from the usual ones."""

from __future__ import annotations

from tests.bench.conftest import bench_module


def test_the_same_contacts_over_other_years_are_another_database():
    run = bench_module("run")

    assert run.size_label(2_000_000, False) == "2m"
    assert run.size_label(6_000_000, False, 45) == "6m_45y"
    assert run.database_url("sqlite", 6_000_000, False, 45).endswith("/var/bench-6m-45y.sqlite3")
    assert run.database_url("postgres", 6_000_000, False, 45).endswith("/puente_bench_6m_45y")
    assert run.parse_args(["--years", "45"]).years == 45
    assert run.parse_args([]).years == 15


def test_each_step_of_the_ladder_says_whether_it_held(tmp_path):
    capacity = bench_module("capacity")

    def step(users: int, p95: float, failures: int = 0) -> dict:
        return {
            "users": users,
            "throughput_rps": round(users / 3, 1),  # as load_test rounds it
            "p50_ms": p95 / 3,
            "p95_ms": p95,
            "p99_ms": p95 * 2,
            "failures": failures,
        }

    text = capacity.markdown(
        {
            "results": [
                {"database": "sqlite", "steps": [step(100, 97), step(200, 240, 1), step(300, 4000)]}
            ]
        }
    )

    assert "| sqlite | 100 | 33.3 | 32 | 97 | 194 | 0 | yes |" in text
    # A step with any failure has not held, however fast.
    assert "| sqlite | 200 | 66.7 | 80 | 240 | 480 | 1 | no |" in text
    assert "| sqlite | 300 | 100.0 | 1333 | 4000 | 8000 | 0 | no |" in text
