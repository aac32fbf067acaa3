"""The settlement as a file for the municipalities' finance offices: one row per student line,
and in XLSX a second sheet with the matrix.

CSV is written the way Swedish Excel opens it by double-click: UTF-8 with a byte order mark,
";" between fields and a decimal comma ("13468,01"), no thousands separator, one header row.
XLSX holds real numbers (kronor with two decimals), so it sums and sorts as numbers in any
locale. File names carry the term's code (and a rector's kommunkod), never personal data:
`avrakning-ht2026.xlsx`, `avrakning-ht2026-1780.csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.services import audit_record
from admissions.enrolment.models import EnrolmentStatus
from admissions.files.spreadsheets import spreadsheet_row
from admissions.funding.models import SettlementApproval
from admissions.funding.selectors import STUDENT_ROLES
from admissions.funding.settlement import (
    UNIT_LABELS,
    Funding,
    Matrix,
    Scope,
    SettlementLine,
    approved_settlement,
    matrix_for,
    scope_for,
    settlement_of,
    visible_lines,
)
from yrkescenter.models import IntakePeriod

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Quantities (vp, weeks, places) keep four decimals; kronor have two.
QUANTITY = Decimal("0.0001")


@dataclass(frozen=True)
class SettlementFile:
    content: bytes
    file_name: str
    content_type: str
    rows: int


def line_headers(include_names: bool) -> list[str]:
    headers = [_("Reference")]
    if include_names:
        headers.append(_("Name"))
    headers += [
        _("Home municipality code"),
        _("Home municipality"),
        _("Host municipality code"),
        _("Host municipality"),
        _("Programme"),
        _("Centre"),
        _("Status"),
        _("Funding"),
        _("vp charged"),
        _("Rule"),
        _("Quantity"),
        _("Unit"),
        _("Unit price (SEK)"),
        _("Amount (SEK)"),
        _("Problem"),
    ]
    return headers


def _quantity(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(QUANTITY)


def line_values(line: SettlementLine, include_names: bool) -> list:
    """One row: text and Decimal values (None for an empty cell)."""
    values: list = [line.reference]
    if include_names:
        values.append(line.student_name)
    values += [
        line.home.code if line.home else "",
        line.home.name if line.home else "",
        line.host.code,
        line.host.name,
        line.programme,
        line.centre,
        line.status_label,
        line.funding_label,
        _quantity(line.vp_charged),
        line.rule,
        _quantity(line.quantity),
        line.unit_label,
        line.unit_price,
        line.amount,
        line.problem,
    ]
    # Every text cell, whoever typed it (names by applicants, programmes and centres by staff).
    return spreadsheet_row(values)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Plain positional notation (never 1E+2), with the Swedish decimal comma.
        return f"{value:f}".replace(".", ",")
    return str(value)


def settlement_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _matrix_rows(matrix: Matrix, figure) -> list[list]:
    """The matrix as rows of a sheet, `figure(cell)` in each visible cell."""
    not_shown = _("not shown")
    rows = [[_("Home municipality \\ host municipality")] + [str(h) for h in matrix.hosts]]
    rows[0].append(_("Total"))
    for row in matrix.rows:
        values = [str(row.home)]
        values += [figure(cell) if cell is not None else not_shown for _host, cell in row.cells]
        values.append(figure(row.total) if row.total is not None else not_shown)
        rows.append(values)
    totals = [_("Total")]
    totals += [figure(cell) if cell is not None else not_shown for cell in matrix.column_totals]
    totals.append(figure(matrix.total))
    rows.append(totals)
    return rows


def settlement_xlsx(headers: list[str], rows: Iterable[list], matrix: Matrix) -> bytes:
    # Write-only: rows are streamed to the file, several times faster for thousands of lines.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def styled(worksheet, values, *, header=False):
        row = []
        for value in values:
            if header or isinstance(value, Decimal):
                cell = WriteOnlyCell(worksheet, value=value)
                if header:
                    cell.font = bold
                else:
                    cell.number_format = "#,##0.00##"
                row.append(cell)
            else:
                row.append(value)
        worksheet.append(row)

    sheet = workbook.create_sheet(_("Students")[:31])
    sheet.freeze_panes = "A2"
    styled(sheet, headers, header=True)
    for values in rows:
        styled(sheet, values)

    matrix_sheet = workbook.create_sheet(_("Matrix")[:31])
    blocks = (
        (
            _("Amounts paid by the home municipality to the host municipality (SEK)"),
            lambda cell: cell.payable_amount,
        ),
        (
            _("Students in municipal seats and outside the agreement"),
            lambda cell: cell.payable_students,
        ),
        (
            _("State-funded seats: amount charged to the grant (SEK)"),
            lambda cell: cell.state_amount,
        ),
    )
    for title, figure in blocks:
        styled(matrix_sheet, [title], header=True)
        for values in _matrix_rows(matrix, figure):
            styled(matrix_sheet, values)
        matrix_sheet.append([])
    if matrix.hidden is not None:
        styled(matrix_sheet, [_("Cells not shown, together (SEK)"), matrix.hidden.payable_amount])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- an approved version --------------------------------------------------------------------


def approved_headers() -> list[str]:
    return [
        _("Reference"),
        _("Home municipality code"),
        _("Home municipality"),
        _("Host municipality code"),
        _("Host municipality"),
        _("Status"),
        _("Funding"),
        _("vp charged"),
        _("Unit"),
        _("Unit price (SEK)"),
        _("Amount (SEK)"),
    ]


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def approved_values(record: dict) -> list:
    """One row of an approved version, from its record (admissions.funding.settlement.line_record):
    the figures as approved, whatever the enrolments say now."""
    return [
        record["reference"],
        record["home_code"] or "",
        record["home_name"] or "",
        record["host_code"],
        record["host_name"],
        str(EnrolmentStatus(record["status"]).label),
        str(Funding(record["funding"]).label),
        _quantity(Decimal(record["vp_charged"])),
        str(UNIT_LABELS.get(record["unit"], "")),
        _decimal(record["unit_price"]),
        _decimal(record["amount"]),
    ]


@transaction.atomic
def approved_export(
    *,
    acting_user: User,
    membership: Membership,
    approval: SettlementApproval,
    file_format: str,
) -> SettlementFile:
    """An approved version's lines the membership may see (a rector: those of their
    municipality, as home or host) as CSV or XLSX, for the finance offices to invoice from;
    and an audit entry. The records keep no names, so neither does the file."""
    period = approval.intake_period
    if membership.role not in STUDENT_ROLES or period.region_id != membership.region_id:
        raise PermissionDenied
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}")
    scope = scope_for(membership)
    records = [r for r in approval.lines if scope.sees_cell(r["home_id"], r["host_id"])]
    rows = (approved_values(record) for record in records)
    if file_format == "csv":
        content = settlement_csv(approved_headers(), rows)
    else:
        matrix = matrix_for(approved_settlement(period, approval.lines), scope)
        content = settlement_xlsx(approved_headers(), rows, matrix)
    municipality_code = (
        membership.scope_municipality.code if membership.scope_municipality_id else ""
    )
    audit_record(
        acting_user=acting_user,
        region=period.region,
        role=membership.role,
        action="settlement.approval_export",
        target=period,
        data={
            "version": approval.version,
            "format": file_format,
            "rows": len(records),
            "municipality": municipality_code,
        },
    )
    return SettlementFile(
        content=content,
        file_name=export_file_name(
            period, scope, municipality_code, file_format, version=approval.version
        ),
        content_type=FORMATS[file_format],
        rows=len(records),
    )


def export_file_name(
    period: IntakePeriod, scope: Scope, municipality_code: str, file_format: str, version=None
):
    parts = ["avrakning", period.code]
    if version is not None:
        parts.append(f"v{version}")
    if not scope.everything and municipality_code:
        parts.append(municipality_code)
    return "-".join(parts) + "." + file_format


@transaction.atomic
def settlement_export(
    *, acting_user: User, membership: Membership, period: IntakePeriod, file_format: str
) -> SettlementFile:
    """The term's lines the membership may see as CSV or XLSX, and an audit entry saying who
    exported what."""
    if membership.role not in STUDENT_ROLES or period.region_id != membership.region_id:
        raise PermissionDenied
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}")
    scope = scope_for(membership)
    settlement = settlement_of(period)
    lines = visible_lines(settlement, scope)
    headers = line_headers(scope.sees_students)
    rows = (line_values(line, scope.sees_students) for line in lines)
    if file_format == "csv":
        content = settlement_csv(headers, rows)
    else:
        content = settlement_xlsx(headers, rows, matrix_for(settlement, scope))
    municipality_code = (
        membership.scope_municipality.code if membership.scope_municipality_id else ""
    )
    audit_record(
        acting_user=acting_user,
        region=period.region,
        role=membership.role,
        action="settlement.export",
        target=period,
        data={"format": file_format, "rows": len(lines), "municipality": municipality_code},
    )
    return SettlementFile(
        content=content,
        file_name=export_file_name(period, scope, municipality_code, file_format),
        content_type=FORMATS[file_format],
        rows=len(lines),
    )
