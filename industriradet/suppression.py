"""Suppression of small counts: what the council and the public may see of a table of counts.

Every count from 1 to 4 is hidden ("<5"): with so few people, a reader who knows one of them
(a colleague, a neighbour) could learn something about that person. Zero is shown: it is about
no one, and hiding zeros would hide most of a sparse table without protecting anyone.

Hiding the small cells is not enough when totals are shown: in a row with one hidden cell the
total minus the shown cells gives it back. So the table is suppressed a second time
(complementary suppression): in every row and column (the totals row and column included)
with exactly one hidden entry, the smallest other cell is hidden as well ("..", not "<5",
since it may be large), until every line with a hidden entry has at least two. When both row
and column totals are shown, lines share cells and several lines together can still give a
cell back (a hidden cell that links two otherwise separate groups of hidden cells); a check
over the whole system of sums (exact linear algebra) hides further cells until no hidden entry
is determined by the shown ones. Totals are shown unless they are themselves 1 to 4.

A figure derived from counts (a ratio, a percentage) is hidden when any count it comes from is
hidden: `suppress_ratio`.

The functions are pure: lists of ints in, `Cell`s out, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Counts below this (and above zero) are hidden.
SMALL = 5

SMALL_LABEL = "<5"
COMPLEMENTARY_LABEL = ".."

REASON_SMALL = "small"
REASON_COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown. A hidden cell does not carry its value at all, so no
    template, export or chart can show it by mistake."""

    value: int | None
    reason: str = ""

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def label(self) -> str:
        return str(self)

    @property
    def chart_value(self) -> int | None:
        """The number a chart may plot: nothing for a hidden cell."""
        return self.value

    def __str__(self) -> str:
        if self.value is not None:
            return str(self.value)
        return SMALL_LABEL if self.reason == REASON_SMALL else COMPLEMENTARY_LABEL


@dataclass(frozen=True)
class Ratio:
    """A derived figure (applicants per seat, a percentage), hidden when a count it comes from
    is hidden; `None` as value with no reason means it is not defined (division by zero)."""

    value: float | None
    hidden: bool = False
    digits: int = 1

    @property
    def chart_value(self) -> float | None:
        return None if self.hidden or self.value is None else float(self.rounded)

    @property
    def rounded(self) -> Decimal | None:
        """The value to `digits` decimals, halves rounded up (as people round, and the same
        on the page, in the files and in the charts)."""
        if self.hidden or self.value is None:
            return None
        return Decimal(repr(self.value)).quantize(Decimal(1).scaleb(-self.digits), ROUND_HALF_UP)

    def __str__(self) -> str:
        if self.hidden:
            return COMPLEMENTARY_LABEL
        if self.value is None:
            return "–"
        return str(self.rounded)


@dataclass(frozen=True)
class SuppressedTable:
    cells: list[list[Cell]]
    row_totals: list[Cell] | None
    column_totals: list[Cell] | None
    grand_total: Cell | None

    @property
    def any_hidden(self) -> bool:
        entries = [cell for row in self.cells for cell in row]
        entries += self.row_totals or []
        entries += self.column_totals or []
        if self.grand_total is not None:
            entries.append(self.grand_total)
        return any(cell.hidden for cell in entries)


def is_small(value: int) -> bool:
    return 0 < value < SMALL


def shown(value: int) -> Cell:
    """A count under primary suppression only, for a figure that stands alone (no totals)."""
    return Cell(None, REASON_SMALL) if is_small(value) else Cell(value)


def suppress_counts(values: Sequence[int]) -> tuple[list[Cell], Cell]:
    """A single list of counts with its total shown (e.g. applicants per channel)."""
    table = suppress_table([[v] for v in values], row_totals=False, column_totals=True)
    total = table.column_totals[0] if table.column_totals else Cell(0)
    return [row[0] for row in table.cells], total


def suppress_ratio(
    numerator: Cell | int, denominator: Cell | int, *, scale: float = 1.0, digits: int = 1
) -> Ratio:
    """numerator / denominator * scale, hidden when either count is hidden. Plain ints are
    counts that are not about persons (seats, places) and never hidden."""
    num = numerator.value if isinstance(numerator, Cell) else numerator
    den = denominator.value if isinstance(denominator, Cell) else denominator
    if num is None or den is None:
        return Ratio(None, hidden=True, digits=digits)
    if den == 0:
        return Ratio(None, digits=digits)
    return Ratio(num / den * scale, digits=digits)


def suppress_derived(value: float | Decimal | None, *counts: Cell, digits: int = 1) -> Ratio:
    """A figure computed from counts in some other way (places used by the students of a
    hidden count, a shortfall), hidden when any of the counts is hidden."""
    if any(count.hidden for count in counts):
        return Ratio(None, hidden=True, digits=digits)
    return Ratio(None if value is None else float(value), digits=digits)


def suppress_table(
    rows: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> SuppressedTable:
    """Primary and complementary suppression of a table of counts and the totals shown with it.

    Totals are computed here from the rows, so they always agree with the cells. Use
    `row_totals=False` when the columns are not parts of a whole (stages of a funnel)."""
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    if any(len(row) != n_cols for row in rows):
        raise ValueError("every row needs the same number of cells")
    if any(v < 0 for row in rows for v in row):
        raise ValueError("counts are not negative")

    # Every entry (cell or total) gets a key; each line is a list of keys whose last entry is
    # the total that the others sum to.
    values: dict[tuple, int] = {}
    totals: set[tuple] = set()
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            values[("c", i, j)] = int(v)
    lines: list[list[tuple]] = []
    if row_totals:
        for i in range(n_rows):
            values[("r", i)] = sum(rows[i])
            totals.add(("r", i))
            lines.append([("c", i, j) for j in range(n_cols)] + [("r", i)])
    if column_totals:
        for j in range(n_cols):
            values[("k", j)] = sum(row[j] for row in rows)
            totals.add(("k", j))
            lines.append([("c", i, j) for i in range(n_rows)] + [("k", j)])
    both = row_totals and column_totals and n_rows > 0 and n_cols > 0
    if both:
        values[("g",)] = sum(sum(row) for row in rows)
        totals.add(("g",))
        lines.append([("r", i) for i in range(n_rows)] + [("g",)])
        lines.append([("k", j) for j in range(n_cols)] + [("g",)])

    hidden: dict[tuple, str] = {key: REASON_SMALL for key, v in values.items() if is_small(v)}

    def preference(key: tuple) -> tuple:
        # Hide inner cells before totals, a non-zero cell before a zero (hiding a zero protects
        # little when the reader can guess it), the smallest first (it costs least to hide).
        v = values[key]
        return (key in totals, v == 0, v, key)

    def close_lines() -> None:
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden_here = [key for key in line if key in hidden]
                if len(hidden_here) == 1:
                    candidates = [key for key in line if key not in hidden]
                    if candidates:
                        hidden[min(candidates, key=preference)] = REASON_COMPLEMENTARY
                        changed = True

    close_lines()
    if both:
        # Lines share cells: make sure no combination of lines gives a hidden entry back.
        while True:
            determined = _determined_entries(lines, hidden.keys())
            if not determined:
                break
            target = determined[0]
            for candidate in sorted((k for k in values if k not in hidden), key=preference):
                if target not in _determined_entries(lines, set(hidden) | {candidate}):
                    hidden[candidate] = REASON_COMPLEMENTARY
                    break
            else:  # pragma: no cover - hiding every entry leaves nothing determined
                for key in values:
                    hidden.setdefault(key, REASON_COMPLEMENTARY)
            close_lines()

    def cell(key: tuple) -> Cell:
        if key in hidden:
            return Cell(None, hidden[key])
        return Cell(values[key])

    return SuppressedTable(
        cells=[[cell(("c", i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[cell(("r", i)) for i in range(n_rows)] if row_totals else None,
        column_totals=[cell(("k", j)) for j in range(n_cols)] if column_totals else None,
        grand_total=cell(("g",)) if both else None,
    )


# A Mersenne prime: elimination modulo it gives the rank over the rationals for these small
# 0/±1 systems (a wrong answer needs a determinant divisible by 2^61 - 1) at integer speed.
_PRIME = (1 << 61) - 1


def _determined_entries(lines: list[list[tuple]], hidden: Iterable[tuple]) -> list[tuple]:
    """The hidden entries whose value follows from the shown ones through the sums: those with
    no solution of the homogeneous system (hidden entries only) that changes them."""
    unknowns = sorted(set(hidden))
    if not unknowns:
        return []
    index = {key: n for n, key in enumerate(unknowns)}
    matrix: list[list[int]] = []
    for line in lines:
        row = [0] * len(unknowns)
        # Each line says: the parts minus the total is zero.
        for key in line[:-1]:
            if key in index:
                row[index[key]] = 1
        if line[-1] in index:
            row[index[line[-1]]] = _PRIME - 1
        if any(row):
            matrix.append(row)
    pivots = _reduce(matrix, len(unknowns))
    pivot_columns = set(pivots)
    determined = []
    for r, column in pivots.items():
        row = matrix[column]
        # A pivot unknown is fixed when its reduced row involves no free unknown.
        if all(row[c] == 0 for c in range(len(unknowns)) if c not in pivot_columns):
            determined.append(unknowns[r])
    return determined


def _reduce(matrix: list[list[int]], width: int) -> dict[int, int]:
    """Reduced row echelon form modulo _PRIME, in place; returns {pivot column: row}."""
    pivots: dict[int, int] = {}
    row_count = len(matrix)
    r = 0
    for c in range(width):
        if r >= row_count:
            break
        pivot = next((i for i in range(r, row_count) if matrix[i][c] % _PRIME), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        inverse = pow(matrix[r][c], _PRIME - 2, _PRIME)
        matrix[r] = [(v * inverse) % _PRIME for v in matrix[r]]
        for i in range(row_count):
            if i != r and matrix[i][c]:
                factor = matrix[i][c]
                matrix[i] = [
                    (a - factor * b) % _PRIME for a, b in zip(matrix[i], matrix[r], strict=True)
                ]
        pivots[c] = r
        r += 1
    return pivots
