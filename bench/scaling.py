"""How each operation's p95 grows with the size of the database (issue 18): a table and a
plot from `bench/run.py` results at several sizes.

    .venv/bin/python bench/scaling.py var/bench-200k.json var/bench-2m.json var/bench-6m.json \\
        --svg bench/scaling.svg

Reads every result (each database of each file) and, per database, lists the server p95
of the operations that must not grow with the years — the phone lookup, each search, the
case page, the home queue — against the number of contacts, with the growth from the
smallest size to the largest and what that growth is per tenfold of data. Writes an SVG
(a plain image: one panel per database, log scale of size, one line per operation, no
script) when asked. Flat is about 1× per tenfold; logarithmic grows by a constant step per
tenfold; linear multiplies by ten.
"""

from __future__ import annotations

import argparse
import json
import math
from html import escape
from pathlib import Path

import report

# The pages an advocate waits on during a call, named as bench/report.py names them: the
# lookup, every search, the case page and the home queue; and a supervisor's team view
# and an analyst's dashboard.
OPERATIONS = [
    name
    for name in report.OPERATIONS
    if name
    in ("phone lookup (history)", report.CASE_PAGE, "home queue", "team view", report.DASHBOARD)
    or name.startswith("search: ")
]
# Distinct at a glance, and readable by most colour-blind readers (Okabe–Ito, then Tol).
COLOURS = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
           "#CC79A7", "#999999", "#882255", "#44AA99", "#117733", "#332288"]  # fmt: skip


def series(paths: list[Path]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """database → operation → [(contacts, server p95 ms)], smallest size first. Sizes are
    the generated ones (each run adds a few thousand contacts: 2,003,818 is 2,000,000);
    of two runs at one size, the later file counts. A run over other years than the
    generator's 15 (`bench/run.py --years`) is a series of its own: its contacts a year
    differ."""
    found: dict[str, dict[str, dict[int, float]]] = {}
    for path in paths:
        run = json.loads(path.read_text())
        years = run.get("settings", {}).get("years", report.YEARS)
        for result in run["results"]:
            contacts = nominal(result["data"]["contacts"])
            label = result["database"] + ("" if years == report.YEARS else f", over {years} years")
            by_op = found.setdefault(label, {})
            for name in OPERATIONS:
                if name in result["operations"]:
                    p95 = result["operations"][name]["server_ms"]["p95"]
                    by_op.setdefault(name, {})[contacts] = p95
    return {
        database: {name: sorted(at.items()) for name, at in by_op.items()}
        for database, by_op in found.items()
    }


def nominal(contacts: int) -> int:
    """The size asked of the generator: two significant figures."""
    digits = max(len(str(contacts)) - 2, 0)
    return round(contacts, -digits)


def per_tenfold(points: list[tuple[int, float]]) -> float:
    """The factor by which p95 grows for ten times the data, fitted on the end points."""
    (n0, t0), (n1, t1) = points[0], points[-1]
    if n1 < 2 * n0 or t0 <= 0:
        return float("nan")
    return (t1 / t0) ** (1 / math.log10(n1 / n0))


def table(data: dict[str, dict[str, list[tuple[int, float]]]]) -> str:
    lines = []
    for database, by_op in data.items():
        sizes = sorted({n for points in by_op.values() for n, _t in points})
        lines += [
            f"**{database}**",
            "",
            "| operation (server p95, ms) | "
            + " | ".join(f"{n:,}" for n in sizes)
            + " | growth, smallest → largest | per tenfold |",
            "|---|" + "---:|" * len(sizes) + "---:|---:|",
        ]
        for name in OPERATIONS:
            points = by_op.get(name)
            if not points:
                continue
            at = dict(points)
            cells = [f"{at[n]:g}" if n in at else "" for n in sizes]
            growth = points[-1][1] / points[0][1] if points[0][1] else float("nan")
            tenfold = per_tenfold(points)
            tenfold_text = "—" if math.isnan(tenfold) else f"{tenfold:.2f}×"
            lines.append(
                f"| {name} | " + " | ".join(cells) + f" | {growth:.2f}× | {tenfold_text} |"
            )
        lines.append("")
    return "\n".join(lines)


def svg(data: dict[str, dict[str, list[tuple[int, float]]]]) -> str:
    """One panel per database: size (log) across, p95 ms up, a line per operation."""
    width, height, margin = 560, 360, {"left": 56, "right": 16, "top": 34, "bottom": 44}
    legend_height = 16 * len(OPERATIONS) + 16
    panels = list(data.items())
    total_height = height * len(panels) + legend_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
        f'viewBox="0 0 {width} {total_height}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<rect width="{width}" height="{total_height}" fill="#fff"/>',
    ]
    inner_w = width - margin["left"] - margin["right"]
    inner_h = height - margin["top"] - margin["bottom"]
    for row, (database, by_op) in enumerate(panels):
        top = row * height
        sizes = sorted({n for points in by_op.values() for n, _t in points})
        highest = max((t for points in by_op.values() for _n, t in points), default=1)
        ceiling = _nice(highest)
        low, high = math.log10(min(sizes)), math.log10(max(sizes))
        span = (high - low) or 1

        def x(n: int, low=low, span=span) -> float:
            return margin["left"] + (math.log10(n) - low) / span * inner_w

        def y(t: float, top=top, ceiling=ceiling) -> float:
            return top + margin["top"] + inner_h - t / ceiling * inner_h

        parts.append(
            f'<text x="{margin["left"]}" y="{top + 20}" font-size="13" font-weight="bold">'
            f"{escape(database)}: server p95 against contacts in the database</text>"
        )
        for step in range(5):
            value = ceiling * step / 4
            parts.append(
                f'<line x1="{margin["left"]}" x2="{width - margin["right"]}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" stroke="#ddd"/><text x="{margin["left"] - 6}" '
                f'y="{y(value) + 4:.1f}" text-anchor="end">{value:g} ms</text>'
            )
        for n in sizes:
            parts.append(
                f'<line x1="{x(n):.1f}" x2="{x(n):.1f}" y1="{y(0):.1f}" y2="{y(ceiling):.1f}" '
                f'stroke="#eee"/><text x="{x(n):.1f}" y="{y(0) + 16:.1f}" '
                f'text-anchor="middle">{_size(n)}</text>'
            )
        for colour, name in zip(COLOURS, OPERATIONS, strict=True):
            points = by_op.get(name)
            if not points:
                continue
            path = " ".join(f"{x(n):.1f},{y(t):.1f}" for n, t in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            parts += [
                f'<circle cx="{x(n):.1f}" cy="{y(t):.1f}" r="3" fill="{colour}"/>'
                for n, t in points
            ]
    top = height * len(panels)
    for i, (colour, name) in enumerate(zip(COLOURS, OPERATIONS, strict=True)):
        line_y = top + 8 + 16 * i
        parts.append(
            f'<line x1="{margin["left"]}" x2="{margin["left"] + 24}" y1="{line_y}" '
            f'y2="{line_y}" stroke="{colour}" stroke-width="2"/><text x="{margin["left"] + 30}" '
            f'y="{line_y + 4}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice(value: float) -> float:
    """The next round number above `value`, for the axis."""
    magnitude = 10 ** math.floor(math.log10(max(value, 1e-9)))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _size(n: int) -> str:
    return f"{n / 1e6:g} M" if n >= 1_000_000 else f"{n / 1e3:g} k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="bench/run.py JSON files")
    parser.add_argument("--svg", type=Path, help="write the plot here")
    options = parser.parse_args()
    data = series(options.results)
    print(table(data))
    if options.svg:
        options.svg.write_text(svg(data))
        print(f"Plot: {options.svg}")


if __name__ == "__main__":
    main()
