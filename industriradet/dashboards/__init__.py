"""The council's dashboards: demand against supply, applicants per seat, applications over time,
the funnel from application to job, recruitment channels, grant places and APL places.

`filters` turns the page's choices into query conditions, `figures` computes and suppresses the
tables, `tables` is the shape the page, the exports and the PDF report share."""

from industriradet.dashboards.figures import (
    DASHBOARDS,
    TABLE_BUILDERS,
    TABLE_DASHBOARD,
    dashboard,
    every_dashboard,
    table,
)
from industriradet.dashboards.filters import Filters, default_filters

__all__ = [
    "DASHBOARDS",
    "TABLE_BUILDERS",
    "TABLE_DASHBOARD",
    "Filters",
    "dashboard",
    "default_filters",
    "every_dashboard",
    "table",
]
