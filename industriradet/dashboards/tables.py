"""The shape every dashboard table takes, so that the page, the CSV/XLSX exports and the PDF
report show exactly the same (already suppressed) values.

A value in a row is one of: a `Cell` (a count of persons, suppressed), a `Ratio` (derived from
counts, hidden with them), an int or Decimal that is not about persons (seats, places, needs
stated by companies), or a text."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

from industriradet.suppression import SMALL_LABEL, Cell, Ratio

Value = Cell | Ratio | int | Decimal | str | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # Charted columns become datasets of the table's chart.
    chart: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]
    # A second line of the row's label (a code, a term), shown smaller.
    detail: str = ""


@dataclass(frozen=True)
class Chart:
    """How the table is drawn: Chart.js type and orientation. The data come from the table's
    charted columns, so the chart can never show more than the table."""

    kind: str = "bar"  # bar | line
    horizontal: bool = False
    stacked: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # in file names and element ids: "demand-occupation"
    title: str
    caption: str
    row_header: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    notes: tuple[str, ...] = ()
    chart: Chart | None = None
    # The heading of the rows' second line (a code, a centre), in exports a column of its own.
    detail_header: str = ""

    @property
    def any_hidden(self) -> bool:
        rows = (*self.rows, self.total) if self.total else self.rows
        return any(isinstance(v, Cell | Ratio) and v.hidden for row in rows for v in row.values)

    def chart_data(self) -> dict | None:
        """What static/js/dashboards.js draws: labels, and per charted column the values, with
        null where the table shows a hidden figure (nothing is drawn for it)."""
        if self.chart is None or not self.rows:
            return None
        datasets = []
        for index, column in enumerate(self.columns):
            if not column.chart:
                continue
            datasets.append(
                {
                    "label": column.label,
                    "data": [chart_number(row.values[index]) for row in self.rows],
                }
            )
        return {
            "id": f"chart-{self.key}",
            "kind": self.chart.kind,
            "horizontal": self.chart.horizontal,
            "stacked": self.chart.stacked,
            "labels": [row.label for row in self.rows],
            "datasets": datasets,
        }


@dataclass(frozen=True)
class ShownCell:
    text: str
    hidden: bool = False
    # Read by screen readers instead of a bare ".." (a complementary hidden cell).
    spoken: str = ""


def shown_cells(row: Row) -> list[ShownCell]:
    """A row's values as the page prints them."""
    cells = []
    for value in row.values:
        text = display(value)
        if isinstance(value, Cell | Ratio) and value.hidden:
            spoken = "" if text == SMALL_LABEL else gettext("hidden")
            cells.append(ShownCell(text, hidden=True, spoken=spoken))
        else:
            cells.append(ShownCell(text))
    return cells


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    intro: str
    tables: tuple[Table, ...] = field(default_factory=tuple)


def chart_number(value: Value) -> float | int | None:
    if isinstance(value, Cell | Ratio):
        return value.chart_value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int):
        return value
    return None


def display(value: Value) -> str:
    """The value as the page and the PDF show it, numbers in the active language's format."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return number_format(value, 2)
    if isinstance(value, Ratio) and value.rounded is not None:
        return number_format(value.rounded, value.digits)
    return str(value)
