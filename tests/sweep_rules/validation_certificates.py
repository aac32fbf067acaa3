"""Certificates (issuing, revoking, downloading), the public verification page, the person's
validation page, the intake office's results fragment on an application, and the follow-up.

The planter adds, in each region, a certificate ("validation.certificate") to the case the case
planter (tests/sweep_rules/validation_cases.py, which runs before this module) opened from its
application ("validation.validationcase", "admissions.application_asking_validation"). The case's
person is none of the sweep's users, so the sweep's applicant gets a 404 on the download like
any other outsider."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Role
from tests.sweep import GET_NOT_ALLOWED, PUBLIC, REDIRECTS, ROLES, rule
from validation.certificates import new_verification_code
from validation.models import Certificate

STAFF = (Role.ASSESSOR, Role.REGION_ADMIN)
CASE = "validation.validationcase"

RULES = {
    "validation:verify": rule(PUBLIC),
    "validation:my_validations": rule(ROLES, Role.APPLICANT),
    "validation:stats": rule(ROLES, *STAFF, Role.COUNCIL_MEMBER),
    "validation:case_certificates": rule(ROLES, *STAFF, obj=CASE),
    "validation:certificate_issue": rule(ROLES, Role.ASSESSOR, obj=CASE, ok=REDIRECTS),
    "validation:certificate_download": rule(ROLES, *STAFF, obj="validation.certificate"),
    "validation:certificate_revoke": rule(
        ROLES, Role.ASSESSOR, obj="validation.certificate", ok=GET_NOT_ALLOWED
    ),
    "validation:application_results": rule(
        ROLES,
        Role.INTAKE_OFFICER,
        Role.REGION_ADMIN,
        obj="admissions.application_asking_validation",
    ),
}

# One stored file shared by every planted certificate (the sweep builds its world once per
# pattern).
PLANTED_FILE = "certificates/sweep-planted.pdf"
PLANTED_CONTENT = b"%PDF-1.7\n%planted certificate\n"


def _plant_certificate(region, planted):
    if not default_storage.exists(PLANTED_FILE):
        default_storage.save(PLANTED_FILE, ContentFile(PLANTED_CONTENT))
    certificate = Certificate.objects.create(
        case=planted[CASE],
        version=1,
        language="sv",
        verification_code=new_verification_code(),
        file=PLANTED_FILE,
        sha256="0" * 64,
    )
    return {"validation.certificate": certificate}


PLANTERS = [_plant_certificate]
