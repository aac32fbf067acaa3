"""The council's meeting report: every dashboard table with the filters chosen, as a PDF/A
(WeasyPrint, through admissions.rounds.letters.pdf_from_html: the letters' fonts and PDF/A setup).

The tables are the dashboards' own, already suppressed; the report states the date, the filters
and the suppression rule. Charts are left out: each chart only draws its table."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from admissions.rounds.letters import pdf_from_html
from industriradet.dashboard_export import suppression_note
from industriradet.dashboards import Filters, every_dashboard
from industriradet.dashboards.tables import shown_cells

REPORT_STYLESHEET = "industriradet/dashboards/report.css"


def report_html(filters: Filters, *, made_on: dt.date | None = None) -> str:
    dashboards = every_dashboard(filters)
    sections = [
        {
            "dashboard": board,
            "tables": [
                {
                    "table": table,
                    "rows": [(row, shown_cells(row)) for row in table.rows],
                    "total": (table.total, shown_cells(table.total)) if table.total else None,
                }
                for table in board.tables
            ],
        }
        for board in dashboards
    ]
    return render_to_string(
        "industriradet/dashboards/report.html",
        {
            "region": filters.region,
            "filters": filters.described(),
            "made_on": made_on or timezone.localdate(),
            "sections": sections,
            "suppression_note": suppression_note(),
            "language": get_language(),
        },
    )


def report_pdf(filters: Filters, *, made_on: dt.date | None = None) -> bytes:
    return pdf_from_html(report_html(filters, made_on=made_on), stylesheet=REPORT_STYLESHEET)


def report_file_name(filters: Filters) -> str:
    return f"industriradet-rapport-{filters.file_part}.pdf"
