"""The suppression of small counts: hand examples and properties over random tables.

The properties check the result with their own exact arithmetic (fractions), independent of
the module's modular elimination: no shown count is 1-4, every line (row, column, the totals
row and column) with a hidden entry hides at least two, and no hidden entry follows from the
shown entries through any combination of the table's sums."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from industriradet.suppression import (
    Cell,
    suppress_counts,
    suppress_ratio,
    suppress_table,
)


def labels(table):
    return [[str(c) for c in row] for row in table.cells]


def test_a_small_cell_is_shown_as_less_than_five_and_its_partner_hidden():
    # Row 0: 3 + 10 + 20 = 33. Hiding only the 3 would give it back as 33 - 10 - 20, so the
    # next smallest cell of the row (10) goes too; column 0 (3 + 8 = 11) likewise hides the 8,
    # column 1 (10 + 9 = 19) then hides the 9, and the four hidden cells form a rectangle:
    # each of their rows and columns has two hidden, so none can be worked out.
    table = suppress_table([[3, 10, 20], [8, 9, 30]])
    assert labels(table) == [["<5", "..", "20"], ["..", "..", "30"]]
    assert [str(c) for c in table.row_totals] == ["33", "47"]
    assert [str(c) for c in table.column_totals] == ["11", "19", "50"]
    assert str(table.grand_total) == "80"
    assert table.cells[0][0].reason == "small"
    assert table.cells[0][1].reason == "complementary"


def test_zero_is_shown_and_a_table_without_small_counts_is_untouched():
    table = suppress_table([[0, 5], [7, 0]])
    assert labels(table) == [["0", "5"], ["7", "0"]]
    assert not table.any_hidden


def test_a_total_under_five_is_hidden():
    # 1 + 2 = 3: both cells and the row total are small; column totals 1 + 6 = 7, 2 + 8 = 10.
    table = suppress_table([[1, 2], [6, 8]])
    assert labels(table)[0] == ["<5", "<5"]
    assert str(table.row_totals[0]) == "<5"


def test_without_row_totals_only_columns_constrain():
    # Funnel columns are not parts of a whole: column 0 is 4 + 40 + 12 = 56, so the 4 and the
    # next smallest of its column (12) are hidden; column 1 has nothing small.
    table = suppress_table([[4, 3000], [40, 30], [12, 6]], row_totals=False)
    assert table.row_totals is None and table.grand_total is None
    assert labels(table) == [["<5", "3000"], ["40", "30"], ["..", "6"]]
    assert [str(c) for c in table.column_totals] == ["56", "3036"]


def test_suppress_counts_keeps_the_total():
    # 2 + 9 + 14 = 25: the 2 and the 9 hidden, the total shown.
    cells, total = suppress_counts([2, 9, 14])
    assert [str(c) for c in cells] == ["<5", "..", "14"]
    assert str(total) == "25"


def test_a_single_small_count_and_its_total_are_hidden():
    cells, total = suppress_counts([3])
    assert [str(c) for c in cells] == ["<5"]
    assert str(total) == "<5"


def test_a_cell_bridging_two_groups_of_hidden_cells_is_protected():
    # Two 2x2 blocks of small cells, rows 0-1 x columns 0-1 and rows 2-3 x columns 2-3, and
    # one small cell (row 1, column 2) linking them: every line has two hidden entries, yet
    # rows 0+1 minus columns 0+1 would give the linking cell back. The check over the whole
    # system must hide more.
    big = 50
    rows = [
        [1, 2, big, big],
        [3, 4, 1, big],
        [big, big, 2, 3],
        [big, big, 4, 1],
    ]
    table = suppress_table(rows)
    assert not _recoverable(rows, table, both=True)


def test_a_ratio_from_a_hidden_count_is_hidden():
    assert str(suppress_ratio(Cell(None, "small"), 10)) == ".."
    assert suppress_ratio(Cell(None, "small"), 10).chart_value is None
    assert str(suppress_ratio(Cell(30), 10)) == "3.0"
    assert str(suppress_ratio(Cell(7), Cell(None, "complementary"), scale=100)) == ".."
    assert str(suppress_ratio(Cell(7), 0)) == "–"


def test_a_hidden_cell_carries_no_value():
    table = suppress_table([[3, 10], [10, 10]])
    assert table.cells[0][0].value is None
    assert table.cells[0][0].chart_value is None


# -- properties -------------------------------------------------------------------------------


def _entries(rows, table, both):
    """(value, cell) for every entry, keyed like the lines below."""
    entries = {}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            entries[("c", i, j)] = (v, table.cells[i][j])
    if table.row_totals is not None:
        for i, row in enumerate(rows):
            entries[("r", i)] = (sum(row), table.row_totals[i])
    if table.column_totals is not None:
        for j in range(len(rows[0])):
            entries[("k", j)] = (sum(r[j] for r in rows), table.column_totals[j])
    if both:
        entries[("g",)] = (sum(map(sum, rows)), table.grand_total)
    return entries


def _lines(rows, table, both):
    n, m = len(rows), len(rows[0])
    lines = []
    if table.row_totals is not None:
        lines += [[("c", i, j) for j in range(m)] + [("r", i)] for i in range(n)]
    if table.column_totals is not None:
        lines += [[("c", i, j) for i in range(n)] + [("k", j)] for j in range(m)]
    if both:
        lines.append([("r", i) for i in range(n)] + [("g",)])
        lines.append([("k", j) for j in range(m)] + [("g",)])
    return lines


def _recoverable(rows, table, both):
    """Hidden entries fixed by the shown ones: exact Gaussian elimination over the fractions of
    the homogeneous system in the hidden entries (an entry is fixed when every solution of the
    homogeneous system is zero there)."""
    entries = _entries(rows, table, both)
    unknowns = sorted(k for k, (_, c) in entries.items() if c.hidden)
    if not unknowns:
        return []
    col = {k: n for n, k in enumerate(unknowns)}
    matrix = []
    for line in _lines(rows, table, both):
        row = [Fraction(0)] * len(unknowns)
        for k in line[:-1]:
            if k in col:
                row[col[k]] += 1
        if line[-1] in col:
            row[col[line[-1]]] -= 1
        if any(row):
            matrix.append(row)
    pivots = {}
    r = 0
    for c in range(len(unknowns)):
        p = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if p is None:
            continue
        matrix[r], matrix[p] = matrix[p], matrix[r]
        pv = matrix[r][c]
        matrix[r] = [v / pv for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                f = matrix[i][c]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots[c] = r
        r += 1
    free = [c for c in range(len(unknowns)) if c not in pivots]
    return [unknowns[c] for c, r in pivots.items() if all(matrix[r][f] == 0 for f in free)]


# Small counts are made common so that suppression has work to do.
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))
tables = st.integers(1, 6).flatmap(
    lambda m: st.lists(st.lists(counts, min_size=m, max_size=m), min_size=1, max_size=7)
)


def _check(rows, row_totals, column_totals):
    table = suppress_table(rows, row_totals=row_totals, column_totals=column_totals)
    both = row_totals and column_totals
    entries = _entries(rows, table, both)
    for value, cell in entries.values():
        # Nothing from 1 to 4 is shown, and a shown cell shows its true value.
        if not cell.hidden:
            assert not 0 < cell.value < 5
            assert cell.value == value
        else:
            assert str(cell) in {"<5", ".."}
            assert (str(cell) == "<5") == (0 < value < 5)
    for line in _lines(rows, table, both):
        hidden = [k for k in line if entries[k][1].hidden]
        assert len(hidden) != 1, (line, labels(table))
    assert _recoverable(rows, table, both) == []


@settings(max_examples=300, deadline=None)
@given(tables)
def test_property_with_row_and_column_totals(rows):
    _check(rows, True, True)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_property_with_column_totals_only(rows):
    _check(rows, False, True)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_property_with_row_totals_only(rows):
    _check(rows, True, False)


@settings(max_examples=200, deadline=None)
@given(st.lists(counts, min_size=1, max_size=12))
def test_property_of_a_single_list(values):
    cells, total = suppress_counts(values)
    hidden = [c for c in cells if c.hidden] + ([total] if total.hidden else [])
    assert len(hidden) != 1
    for v, c in zip(values, cells, strict=True):
        assert c.hidden or (c.value == v and not 0 < v < 5)
