"""The council's dashboards: council members and region admins of the region open the overview,
each dashboard, each table's CSV/XLSX and the PDF report; every other role gets 403. The URLs
name no object (the filters are GET parameters over the region's own rows), so the sweep needs
no planted object: it checks the roles and that a user of another region has none here."""

from accounts.models import Role
from tests.sweep import ROLES, rule

READERS = (Role.COUNCIL_MEMBER, Role.REGION_ADMIN)

RULES = {
    "industriradet:dashboards": rule(ROLES, *READERS),
    "industriradet:dashboard": rule(ROLES, *READERS, kwargs={"slug": "funnel"}),
    "industriradet:dashboard_export": rule(ROLES, *READERS, kwargs={"key": "seats", "fmt": "csv"}),
    "industriradet:dashboard_report": rule(ROLES, *READERS),
}

PLANTERS = []
