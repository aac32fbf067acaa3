"""A dashboard table as a file: CSV and XLSX, suppressed exactly as on the page.

The values are the table's own, already suppressed: a hidden count is the text "<5" (or ".."
for a cell hidden to protect another), never its number. CSV is written the way Swedish Excel
opens it by double-click, as the cost settlement's export is: UTF-8 with a byte order mark, ";"
between fields, a decimal comma. XLSX holds real numbers (text for hidden cells) and a second
sheet with the filters and the suppression rule. File names carry the table and the period's
code, never personal data: `industriradet-seats-ht2027.csv`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.files.spreadsheets import spreadsheet_safe
from industriradet.dashboards.filters import Filters
from industriradet.dashboards.tables import Row, Table
from industriradet.suppression import Cell, Ratio

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class DashboardFile:
    content: bytes
    file_name: str
    content_type: str


def suppression_note() -> str:
    return _(
        "Counts of 1 to 4 persons are shown as “<5”. So that they cannot be worked out from "
        "totals, another figure of the same row or column is hidden as well (“..”). Figures "
        "computed from a hidden count (shares, places) are hidden too."
    )


def header(table: Table) -> list[str]:
    names = [table.row_header]
    if table.detail_header:
        names.append(table.detail_header)
    return names + [column.label for column in table.columns]


def row_values(table: Table, row: Row) -> list:
    """Text and numbers of one row: hidden figures as their "<5"/".." text, numbers as
    int/Decimal/float, labels made safe from spreadsheet formulas."""
    values: list = [spreadsheet_safe(row.label)]
    if table.detail_header:
        values.append(spreadsheet_safe(row.detail))
    for value in row.values:
        if isinstance(value, Cell):
            values.append(str(value) if value.hidden else value.value)
        elif isinstance(value, Ratio):
            values.append(str(value) if value.hidden else value.rounded)
        else:
            values.append(value)
    return values


def _rows(table: Table) -> list[list]:
    rows = [row_values(table, row) for row in table.rows]
    if table.total is not None:
        rows.append(row_values(table, table.total))
    return rows


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    return str(value)


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(table))
    for values in _rows(table):
        writer.writerow([_csv_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table, filters: Filters) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    # A sheet's name is at most 31 characters, without : \ / ? * [ ].
    sheet = workbook.create_sheet(re.sub(r"[:\\/?*\[\]]", "", table.title)[:31])
    sheet.freeze_panes = "B2"
    heading = []
    for name in header(table):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for values in _rows(table):
        sheet.append(values)

    about = workbook.create_sheet(_("About")[:31])
    about.append([table.title])
    about.append([table.caption])
    about.append([_("Made"), timezone.localdate().isoformat()])
    for name, value in filters.described():
        about.append([name, spreadsheet_safe(value)])
    about.append([suppression_note()])
    for note in table.notes:
        about.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(table: Table, filters: Filters, file_format: str) -> str:
    return f"industriradet-{table.key}-{filters.file_part}.{file_format}"


def table_file(table: Table, filters: Filters, file_format: str) -> DashboardFile:
    """The table as CSV or XLSX; KeyError for another format."""
    content_type = FORMATS[file_format]
    content = table_csv(table) if file_format == "csv" else table_xlsx(table, filters)
    return DashboardFile(
        content=content,
        file_name=file_name(table, filters, file_format),
        content_type=content_type,
    )
