"""How an aggregate table is protected before it leaves the hotline, as the Counter
Trafficking Data Collaborative protects what it publishes: rare categories folded into
"other", no published count (cell or total) below k, small cells hidden with enough
other cells hidden beside them that no one can work them out again, and optionally
differential privacy (OpenDP) before all of that.

Pure functions over counts: no database, no request, no translation. The domain
(`puente.sharing.releases`) reads the counts and stores what comes out.

## The table's shape, and what is published

A table of n dimensions is counted in cells keyed by one value code per dimension; every
counted record (a case, a potential victim, a contact) falls in exactly one cell. For
protection the table is read as two-dimensional: its *rows* are the combinations of all
dimensions but the last, its *columns* the values of the last (a quarter, a month, a
gender). Published with the cells are exactly: each row's total, each column's total and
the grand total — nothing else, so the constraints an attacker holds are those of a
two-dimensional table with margins.

## The steps (`protect_table`)

1. *Differential privacy* (optional, `epsilon`): every cell of the full domain (every
   combination of every possible value, zeros included, so the set of cells says nothing)
   gets discrete Laplace noise of scale 1/ε from OpenDP. One record changes one cell by
   one (L1 sensitivity 1, add/remove one record), so the table is ε-DP (δ = 0). Everything
   after this reads only noisy counts: post-processing, which keeps the guarantee.
2. *Folding* (`fold_rare`): a column value whose total is below k goes into "other";
   then row by row dimension, within each group of rows sharing the earlier dimensions'
   values, a value whose total is below k goes into that group's "other". If an "other"
   ends up below k, the next-smallest value joins it until it reaches k. Afterwards every
   row total and every column total is at least k (unless the whole table holds fewer
   than k records: then nothing is published). A DP table skips that last step: its
   noisy "other" may stay below k, and is then hidden, cells and totals alike, rather
   than pulling real values in with it.
3. *Clamping*: noisy counts below zero become zero (never lowers a total). A DP table is
   clamped before folding: the noise of many empty cells, unclamped, sums to about zero
   and would drag large values into "other". Clamped, that noise adds up instead (about
   0.4 per empty cell at ε = 1), so over a large, sparse domain "other" carries mostly
   noise; noising only the cells that occur, above a threshold (OpenDP's
   `make_laplace_threshold`, at the price of a δ > 0), would avoid that.
4. *Primary suppression*: every cell below k — zero included, since a release never
   carries a count below k — is hidden.
5. *Complementary suppression* (`complementary_suppression`), below — for tables without
   noise only. A DP table's hidden cells are noisy counts: working one back from the
   margins yields only a noisy value, which the ε-DP guarantee already covers. Hiding
   partners as well would protect nothing more, and over a large domain (every state ×
   every form × every quarter, mostly small noisy cells) it hid nearly every cell.

## The guarantee against recovering a hidden cell

Think of an attacker who holds every published cell, every published total and knows
that counts are not negative, and solves the linear programmes "smallest and largest
value of hidden cell x". For every hidden cell x we exhibit, inside the published
constraints, two tables that differ in x, so no attacker can pin x to one value:

- Each small cell x = (i, j) is hidden together with a *rectangle*: a cell (i, j') of its
  row and a cell (i', j) of its column, both with a count above zero, and the fourth
  corner (i', j'). Adding t to x and to (i', j') and taking t from (i, j') and (i', j)
  changes no row total, no column total and no grand total, and keeps every count
  non-negative for 0 ≤ t ≤ min((i, j'), (i', j)). So every corner of the rectangle can
  move by at least that much: at least 1, never a single value.
- For a small cell, rectangles are added (each with partners of its own: different
  columns j' and rows i', so their moves add up) until x can reach k: the attacker's
  largest value for x is then at least k, so they cannot even tell that x is small.
  Partners of k or more (ideally already hidden ones) are chosen first, so one
  rectangle nearly always suffices. Only when a row's and a column's other records are
  all in small cells can the greedy fall short of k; then x can still move by at least 1.
  (Measured with the attacker below over 300 random tables with k = 5: of 1,425 small
  cells, 6 could not be pushed up to k; none was ever pinned.)
- Such partners always exist: after folding, every row and column totals at least k,
  so a row (and column) holding a cell below k holds another cell above zero.
- Nothing is assumed of the attacker but those linear constraints; tests replay the
  attacker with scipy's `linprog` over random tables (tests/sharing/test_protection.py).

Cells are published or hidden; a hidden cell says why (`small`: below k; `complementary`:
hidden so that a small one cannot be worked out).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np

OTHER = "other"
SMALL = "small"
COMPLEMENTARY = "complementary"

Key = tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    key: Key
    count: int | None  # None when hidden
    reason: str = ""  # "", SMALL or COMPLEMENTARY

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Margin:
    """A published total: the dimensions it is over are the ones its key names (a row's
    total names all but the last; a column's total names only the last; the grand
    total names none)."""

    key: dict[str, str]
    count: int | None


@dataclass
class ProtectedTable:
    dimensions: tuple[str, ...]
    k: int
    cells: list[Cell] = field(default_factory=list)
    margins: list[Margin] = field(default_factory=list)
    # dimension -> value codes folded into "other" somewhere in the table
    folded: dict[str, list[str]] = field(default_factory=dict)
    # True when the whole table holds fewer than k records: nothing is published.
    withheld: bool = False

    @property
    def suppressed_count(self) -> int:
        return sum(1 for cell in self.cells if cell.suppressed)


# --- differential privacy ----------------------------------------------------------------


def laplace_scale(epsilon: float) -> float:
    """The noise scale that makes a count table (L1 sensitivity 1) ε-DP."""
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError("epsilon must be a positive number")
    return 1.0 / epsilon


def add_dp_noise(counts: Sequence[int], *, epsilon: float) -> list[int]:
    """Every count with discrete Laplace noise from OpenDP's vetted sampler (no seed: the
    noise must not be reproducible by anyone)."""
    import opendp.prelude as dp  # a heavy import, paid only when a DP release is built

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=laplace_scale(epsilon))
    # OpenDP states the ε its mechanism gives for one record's change; it must not
    # exceed what the release claims (a float rounding up would be caught here).
    if measurement.map(1) > epsilon * (1 + 1e-9):
        raise ValueError("the noise does not give the ε asked for")
    return list(measurement([int(n) for n in counts]))


def full_domain(domains: Sequence[Sequence[str]]) -> list[Key]:
    """Every combination of every possible value: the cells a DP table is noised over."""
    return [tuple(key) for key in product(*domains)]


# --- folding rare categories -------------------------------------------------------------


def _fold_group(totals: dict[str, int], k: int, *, pull_in: bool = True) -> set[str]:
    """Which values of one group go into "other": those below k, then (`pull_in`) the
    smallest others until "other" reaches k (or nothing is left to add)."""
    folded = {v for v, n in totals.items() if n < k and v != OTHER}
    other_total = totals.get(OTHER, 0) + sum(totals[v] for v in folded)
    if pull_in and (folded or OTHER in totals):
        rest = sorted((n, v) for v, n in totals.items() if v not in folded and v != OTHER)
        while other_total < k and rest:
            n, v = rest.pop(0)
            folded.add(v)
            other_total += n
    return folded


def fold_rare(
    counts: Mapping[Key, int], *, k: int, dimensions: int, pull_in: bool = True
) -> tuple[dict[Key, int], dict[int, set[str]]]:
    """Fold rare values into "other" (see the module's step 2). Returns the new counts
    and, per dimension index, the value codes folded somewhere. Without `pull_in` (DP
    tables) an "other" below k stays so, and is hidden like any small cell."""
    current: dict[Key, int] = dict(counts)
    folded: dict[int, set[str]] = defaultdict(set)

    def rekey(position: int, groups_of: dict[Key, set[str]], group_len: int) -> None:
        nonlocal current
        merged: dict[Key, int] = defaultdict(int)
        for key, n in current.items():
            if key[position] in groups_of.get(key[:group_len], ()):
                key = (*key[:position], OTHER, *key[position + 1 :])
            merged[key] += n
        current = dict(merged)

    last = dimensions - 1
    # The columns: one group, the whole table.
    column_totals: dict[str, int] = defaultdict(int)
    for key, n in current.items():
        column_totals[key[last]] += n
    chosen = _fold_group(column_totals, k, pull_in=pull_in)
    folded[last] |= chosen
    rekey(last, {(): chosen}, 0)
    # The row dimensions, each within the groups of rows that share the earlier ones.
    for position in range(last):
        totals: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for key, n in current.items():
            totals[key[:position]][key[position]] += n
        groups_of = {group: _fold_group(dict(t), k, pull_in=pull_in) for group, t in totals.items()}
        for values in groups_of.values():
            folded[position] |= values
        rekey(position, groups_of, position)
    return current, dict(folded)


# --- suppression -------------------------------------------------------------------------


def complementary_suppression(x: np.ndarray, primary: np.ndarray, k: int) -> np.ndarray:
    """The cells to hide besides the small ones, so none can be worked out from the
    others and the totals (the module's guarantee). `x`: R×C counts, every row and
    column totalling at least k; `primary`: the small cells. Returns the full mask."""
    hidden = primary.copy()
    rows, cols = x.shape
    if rows < 2 or cols < 2:
        # One row (or column): its cells are the column (row) totals, all at least k.
        return hidden
    # How far each cell is already known to be able to rise within the constraints
    # (from a rectangle another cell chose); not added up across rectangles, which may
    # share partners.
    rise = np.zeros(x.shape, dtype=np.int64)
    # Which partner to take, lowest first: already hidden and ≥ k (costs nothing, moves
    # far); then the smallest published ≥ k (least lost); then small cells above zero,
    # largest first; never an empty cell (it cannot give anything up).
    never = np.inf
    small_rank = float((k + 1) * 4)

    def rank(value: int, is_hidden: bool) -> float:
        if value >= k:
            return 0.0 if is_hidden else float(value)
        return small_rank + k - value if value > 0 else never

    key = np.where(x >= k, x, np.where(x > 0, small_rank + k - x, never)).astype(float)

    def hide(r: int, c: int) -> None:
        hidden[r, c] = True
        key[r, c] = rank(int(x[r, c]), True)

    def best(line: np.ndarray) -> int | None:
        at = int(np.argmin(line))
        return None if line[at] == never else at

    for i, j in np.argwhere(primary):
        need = k - int(x[i, j])
        if rise[i, j] >= need:
            continue
        gained = 0
        taken_cols: list[int] = [j]
        taken_rows: list[int] = [i]
        key[i, j] = never
        while gained < need:
            jp = best(key[i])
            ip = best(key[:, j])
            if jp is None or ip is None:
                break
            move = int(min(x[i, jp], x[ip, j]))
            hide(i, jp)
            hide(ip, j)
            hide(ip, jp)
            rise[ip, jp] = max(rise[ip, jp], move)
            gained += move
            # Each further rectangle needs partners of its own, so the moves add up.
            key[i, jp] = never
            key[ip, j] = never
            taken_cols.append(jp)
            taken_rows.append(ip)
        for c in taken_cols:
            key[i, c] = rank(int(x[i, c]), bool(hidden[i, c]))
        for r in taken_rows[1:]:
            key[r, j] = rank(int(x[r, j]), bool(hidden[r, j]))
        rise[i, j] = max(rise[i, j], gained)
    return hidden


def _matrix(counts: Mapping[Key, int]) -> tuple[list[Key], list[str], np.ndarray]:
    row_keys = sorted({key[:-1] for key in counts})
    col_keys = sorted({key[-1] for key in counts})
    row_at = {key: n for n, key in enumerate(row_keys)}
    col_at = {key: n for n, key in enumerate(col_keys)}
    x = np.zeros((len(row_keys), len(col_keys)), dtype=np.int64)
    for key, n in counts.items():
        x[row_at[key[:-1]], col_at[key[-1]]] += n
    return row_keys, col_keys, x


def protect_table(
    counts: Mapping[Key, int],
    *,
    dimensions: Sequence[str],
    k: int,
    epsilon: float | None = None,
    domains: Sequence[Sequence[str]] | None = None,
) -> ProtectedTable:
    """The whole protection (module docstring). `counts`: records per cell (cells not
    named count zero). With `epsilon`, `domains` lists every possible value of each
    dimension, so every cell of the domain is noised."""
    if k < 1:
        raise ValueError("k must be at least 1")
    n_dims = len(dimensions)
    if n_dims < 1 or any(len(key) != n_dims for key in counts):
        raise ValueError("every cell needs one value per dimension")
    working: dict[Key, int] = {key: int(n) for key, n in counts.items()}
    if epsilon is not None:
        if domains is None or len(domains) != n_dims:
            raise ValueError("a DP table needs every dimension's domain")
        keys = full_domain(domains)
        if not set(working) <= set(keys):
            raise ValueError("a counted cell is outside the declared domain")
        noisy = add_dp_noise([working.get(key, 0) for key in keys], epsilon=epsilon)
        # Clamped before folding (post-processing: the guarantee holds). Unclamped, the
        # noise of hundreds of empty cells sums to about zero, so "other" stayed below k
        # and folding dragged the real, large values into it one by one.
        working = {key: max(0, n) for key, n in zip(keys, noisy, strict=True)}
    noisy_table = epsilon is not None
    table = ProtectedTable(dimensions=tuple(dimensions), k=k)
    if n_dims == 1:
        # A single dimension: each value is its own row; folding brings each to k.
        working = {(key[0], ""): n for key, n in working.items()}
        folded_counts, folded = fold_rare(working, k=k, dimensions=2, pull_in=not noisy_table)
        folded_counts = {(key[0],): max(0, n) for key, n in folded_counts.items()}
        folded = {0: folded.get(0, set())}
    else:
        folded_counts, folded = fold_rare(working, k=k, dimensions=n_dims, pull_in=not noisy_table)
        folded_counts = {key: max(0, n) for key, n in folded_counts.items()}
    table.folded = {
        dimensions[position]: sorted(values) for position, values in folded.items() if values
    }
    total = sum(folded_counts.values())
    if total < k:
        table.withheld = True
        table.cells = [Cell(key, None, SMALL) for key in sorted(folded_counts)]
        table.margins = [Margin({}, None)]
        return table
    if n_dims == 1:
        table.cells = [
            Cell(key, n) if n >= k else Cell(key, None, SMALL)
            for key, n in sorted(folded_counts.items())
        ]
        table.margins = [Margin({}, total)]
        return table
    row_keys, col_keys, x = _matrix(folded_counts)
    primary = x < k
    # Under DP the small cells are hidden only because no count below k is published
    # (step 5 in the module docstring says why partners are not hidden too).
    hidden = primary if epsilon is not None else complementary_suppression(x, primary, k)
    for r, row_key in enumerate(row_keys):
        for c, col_key in enumerate(col_keys):
            value = int(x[r, c])
            if primary[r, c]:
                table.cells.append(Cell((*row_key, col_key), None, SMALL))
            elif hidden[r, c]:
                table.cells.append(Cell((*row_key, col_key), None, COMPLEMENTARY))
            else:
                table.cells.append(Cell((*row_key, col_key), value))
    row_dims = dimensions[:-1]

    def shown(n: int) -> int | None:
        # Folding brings every row and column of a table without noise to k; a noisy
        # table's "other" may stay below it, and its total is then hidden like its cells.
        return int(n) if n >= k else None

    table.margins = [
        *(
            Margin(dict(zip(row_dims, row_key, strict=True)), shown(n))
            for row_key, n in zip(row_keys, x.sum(axis=1), strict=True)
        ),
        *(
            Margin({dimensions[-1]: col}, shown(n))
            for col, n in zip(col_keys, x.sum(axis=0), strict=True)
        ),
        Margin({}, total),
    ]
    return table


def released_counts(table: ProtectedTable) -> Iterable[int]:
    """Every number the table publishes (cells and totals): what must never be below k."""
    yield from (cell.count for cell in table.cells if cell.count is not None)
    yield from (margin.count for margin in table.margins if margin.count is not None)


# --- the privacy budget ------------------------------------------------------------------


def budget_after(*, spent: Iterable[float], budget: float, asked: float) -> float:
    """What would be left of a year's budget after spending `asked` on top of `spent`
    (sequential composition: ε adds up). Negative means the release must be refused."""
    return budget - (math.fsum(spent) + asked)
