"""The intake office's pages: the work queue, one application, decisions and bulk actions.

The application and choice these rules name are planted by the applicant side's planter (labels
"admissions.application" and "admissions.choice"): a submitted application of a resident of the
planted municipality, with a choice at the planted centre, so the counsellor's and the
coordinator's scopes include it."""

from accounts.models import Role
from tests.sweep import GET_NOT_ALLOWED, ROLES, rule

DECIDERS = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)
READERS = (*DECIDERS, Role.COUNSELLOR, Role.COORDINATOR)

RULES = {
    "admissions:intake_queue": rule(ROLES, *READERS),
    "admissions:access_log": rule(ROLES, Role.REGION_ADMIN),
    "admissions:intake_bulk": rule(ROLES, *DECIDERS, ok=GET_NOT_ALLOWED),
    "admissions:intake_application": rule(ROLES, *READERS, obj="admissions.application"),
    # Counsellors write statements about their residents.
    "admissions:intake_note": rule(ROLES, *DECIDERS, Role.COUNSELLOR, obj="admissions.application"),
    "admissions:intake_completion_request": rule(ROLES, *DECIDERS, obj="admissions.application"),
    "admissions:intake_eligibility": rule(ROLES, *DECIDERS, obj="admissions.choice"),
    "admissions:intake_selection_group": rule(ROLES, *DECIDERS, obj="admissions.choice"),
}
