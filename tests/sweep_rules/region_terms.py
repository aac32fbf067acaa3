"""Sweep rule of the region admin's page of the region's terms (issue 13.7)."""

from accounts.models import Role
from tests.sweep import ROLES, rule

RULES = {
    "yrkescenter:region_terms": rule(ROLES, Role.REGION_ADMIN),
}
