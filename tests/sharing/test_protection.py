"""The protection of a released table (puente.sharing.protection), as properties over
random tables: nothing published below k, and no hidden cell that an attacker holding
every published number can work out (the attacker is scipy's linear programming)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from puente.sharing import protection as p

K = 5


@st.composite
def tables(draw, max_dims: int = 3):
    """Random tables of one to three dimensions, mostly small counts and zeros (the
    hard case for suppression), sometimes a few large ones."""
    n_dims = draw(st.integers(1, max_dims))
    sizes = [draw(st.integers(1, 5)) for _ in range(n_dims)]
    values = [[f"d{d}v{i}" for i in range(size)] for d, size in enumerate(sizes)]
    counts = {}
    for key in p.full_domain(values):
        n = draw(st.one_of(st.just(0), st.integers(1, K - 1), st.integers(K, 40)))
        if n:
            counts[key] = n
    return tuple(f"dim{d}" for d in range(n_dims)), counts


def _published(table: p.ProtectedTable) -> list[int]:
    return list(p.released_counts(table))


@settings(max_examples=200)
@given(tables())
def test_no_published_cell_or_total_is_below_k(table):
    dims, counts = table
    protected = p.protect_table(counts, dimensions=dims, k=K)
    assert all(n >= K for n in _published(protected))
    # Every record is still counted somewhere: folding moves records, never drops them.
    grand = [m.count for m in protected.margins if not m.key]
    assert grand == [sum(counts.values())] or protected.withheld


def _true_matrix(counts, dims, protected):
    """The folded table's true counts, rows × columns, as the protection saw them."""
    folded, _ = p.fold_rare(
        {(*key, "") if len(dims) == 1 else key: n for key, n in counts.items()},
        k=protected.k,
        dimensions=max(2, len(dims)),
    )
    return p._matrix(folded)


def attack(protected: p.ProtectedTable):
    """The attacker: for every hidden cell, the smallest and largest value it can take
    given every published cell, every published total and counts ≥ 0."""
    dims = protected.dimensions
    row_keys = sorted({cell.key[:-1] for cell in protected.cells})
    col_keys = sorted({cell.key[-1] for cell in protected.cells})
    hidden = [cell for cell in protected.cells if cell.suppressed]
    index = {cell.key: n for n, cell in enumerate(hidden)}
    known = {cell.key: cell.count for cell in protected.cells if not cell.suppressed}
    equations, targets = [], []
    margins = {tuple(sorted(m.key.items())): m.count for m in protected.margins}

    def add(line_cells, total):
        if total is None:
            return
        row = np.zeros(len(hidden))
        rest = total
        for key in line_cells:
            if key in index:
                row[index[key]] = 1
            else:
                rest -= known.get(key, 0)
        if row.any():
            equations.append(row)
            targets.append(rest)

    for row_key in row_keys:
        add(
            [(*row_key, col) for col in col_keys],
            margins.get(tuple(sorted(zip(dims[:-1], row_key, strict=True)))),
        )
    for col in col_keys:
        add([(*row_key, col) for row_key in row_keys], margins.get(((dims[-1], col),)))
    add([cell.key for cell in protected.cells], margins.get(()))
    bounds = []
    for n in range(len(hidden)):
        objective = np.zeros(len(hidden))
        objective[n] = 1
        low = linprog(objective, A_eq=np.array(equations), b_eq=np.array(targets), bounds=(0, None))
        high = linprog(
            -objective, A_eq=np.array(equations), b_eq=np.array(targets), bounds=(0, None)
        )
        assert low.status == 0 and high.status == 0
        bounds.append((low.fun, -high.fun))
    return hidden, bounds


@settings(max_examples=120)
@given(tables(max_dims=3))
def test_the_attacker_cannot_recover_any_hidden_cell(table):
    dims, counts = table
    protected = p.protect_table(counts, dimensions=dims, k=K)
    if protected.withheld or not any(cell.suppressed for cell in protected.cells):
        return
    hidden, bounds = attack(protected)
    row_keys, col_keys, x = _true_matrix(counts, dims, protected)
    truth = {
        (*row_key, col): int(x[r, c])
        for r, row_key in enumerate(row_keys)
        for c, col in enumerate(col_keys)
    }
    for cell, (low, high) in zip(hidden, bounds, strict=True):
        value = truth[cell.key]
        assert low - 1e-6 <= value <= high + 1e-6  # the attacker's model is the real one
        # Never one value: at least a whole record of doubt either way.
        assert high - low >= 1 - 1e-6, (cell, value, low, high)


def test_a_small_cell_can_look_as_large_as_k_to_the_attacker():
    # One row of small counts beside large ones: the small cell's rectangle partners are
    # at least k, so the attacker cannot even tell it is small.
    counts = {("a", "x"): 2, ("a", "y"): 30, ("b", "x"): 25, ("b", "y"): 40}
    protected = p.protect_table(counts, dimensions=("r", "c"), k=K)
    hidden, bounds = attack(protected)
    assert {cell.key for cell in hidden} == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    low, high = bounds[[cell.key for cell in hidden].index(("a", "x"))]
    assert low == pytest.approx(0) and high >= K


def test_a_line_with_one_small_cell_hides_a_second():
    counts = {("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 20, ("b", "y"): 20, ("c", "x"): 20}
    protected = p.protect_table(counts, dimensions=("r", "c"), k=K)
    by_key = {cell.key: cell for cell in protected.cells}
    assert by_key[("a", "x")].reason == p.SMALL
    for line in (
        [key for key in by_key if key[0] == "a"],
        [key for key in by_key if key[1] == "x"],
    ):
        assert sum(by_key[key].suppressed for key in line) >= 2


def test_rare_values_are_folded_into_other_first():
    counts = {("TX", "2026-Q1"): 30, ("CA", "2026-Q1"): 20, ("VT", "2026-Q1"): 2}
    protected = p.protect_table(counts, dimensions=("state", "quarter"), k=K)
    assert protected.folded == {"state": ["CA", "VT"]} or protected.folded == {"state": ["VT"]}
    # "Other" holding only Vermont's 2 would be below k, so the next-smallest joins it.
    assert protected.folded == {"state": ["CA", "VT"]}
    assert {cell.key: cell.count for cell in protected.cells} == {
        ("TX", "2026-Q1"): 30,
        ("other", "2026-Q1"): 22,
    }


def test_a_table_of_fewer_than_k_records_publishes_nothing():
    protected = p.protect_table({("a",): 2, ("b",): 1}, dimensions=("r",), k=K)
    assert protected.withheld
    assert _published(protected) == []


def test_differential_privacy_adds_noise_and_still_publishes_nothing_below_k():
    values = [[f"s{i}" for i in range(10)], ["q1", "q2"]]
    counts = {key: 50 for key in p.full_domain(values)}
    tables_ = [
        p.protect_table(counts, dimensions=("s", "q"), k=K, epsilon=0.5, domains=values)
        for _ in range(3)
    ]
    published = [{cell.key: cell.count for cell in t.cells} for t in tables_]
    # Twenty cells of 50 each: the chance that discrete Laplace noise of scale 2 leaves
    # all of them at exactly 50 is below 1e-20.
    assert any(n != 50 for n in published[0].values() if n is not None)
    assert published[0] != published[1] or published[1] != published[2]
    for table in tables_:
        assert all(n >= K for n in _published(table))


def test_a_noisy_table_hides_its_small_cells_and_no_partners():
    """Over a large domain most noisy cells are small: they are hidden (nothing below k is
    published), but no other cell is hidden to protect them — the noise already does —
    so the large cells stay readable."""
    values = [[f"s{i}" for i in range(30)], [f"f{i}" for i in range(8)], ["q1", "q2", "q3"]]
    counts = {("s0", "f0", q): 400 for q in ("q1", "q2", "q3")}
    counts.update({("s1", "f1", q): 300 for q in ("q1", "q2", "q3")})
    protected = p.protect_table(
        counts, dimensions=("s", "f", "q"), k=K, epsilon=1.0, domains=values
    )
    assert {cell.reason for cell in protected.cells if cell.suppressed} <= {p.SMALL}
    shown = {cell.key: cell.count for cell in protected.cells if not cell.suppressed}
    for q in ("q1", "q2", "q3"):
        assert 300 < shown[("s0", "f0", q)] < 500  # noise of scale 1 moves it a little
        assert 200 < shown[("s1", "f1", q)] < 400
    assert all(n >= K for n in _published(protected))


def test_differential_privacy_needs_the_whole_domain():
    with pytest.raises(ValueError):
        p.protect_table({("a",): 3}, dimensions=("r",), k=K, epsilon=1.0)
    with pytest.raises(ValueError):
        p.protect_table({("z",): 3}, dimensions=("r",), k=K, epsilon=1.0, domains=[["a"]])


def test_opendp_noise_scale_gives_the_epsilon_claimed():
    assert p.laplace_scale(0.5) == 2.0
    with pytest.raises(ValueError):
        p.laplace_scale(0)


def test_budget_arithmetic_adds_up_spending():
    assert p.budget_after(spent=[1.0, 1.5], budget=5.0, asked=2.0) == pytest.approx(0.5)
    assert p.budget_after(spent=[4.0], budget=5.0, asked=1.5) < 0
