"""Turn benchmark JSON (from bench/run.py) into the Markdown for bench/RESULTS.md.

    .venv/bin/python bench/results_to_md.py var/bench-results-A.json [var/bench-results-B.json]

One file: its machine, then a table per database. Two (or more): each in turn, then a
comparison of every operation's server p95 side by side (SQLite vs PostgreSQL, or a run
before and after a change).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402


def render(paths: list[Path]) -> str:
    reports = [json.loads(path.read_text()) for path in paths]
    parts = [report.markdown(r) for r in reports]
    if sum(len(r["results"]) for r in reports) > 1:
        parts += ["### Side by side", report.comparison(reports)]
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", nargs="+", type=Path)
    sys.stdout.write(render(parser.parse_args().json))


if __name__ == "__main__":
    main()
