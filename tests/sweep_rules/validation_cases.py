"""The validation centre's case pages: run by assessors and region admins of the region; only
assessors record, correct and sign off results and decide.

The planter makes, in each region, a validation centre, a four-eyes standard with one area
mapped to the planted course, a submitted application asking for validation
("admissions.application_asking_validation", its own, not the applicant side's), and a case
opened from it through the services: mapped ("validation.casearea"), with a booked appointment
("validation.appointment") and a result recorded by an assessor who is none of the sweep's users
("validation.arearesult"), so the sweep's assessor could sign it off. Labels:
"validation.validationcentre", "validation.competencestandard", "validation.competencearea",
"validation.validationcase"."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from tests.factories import ApplicationFactory, MembershipFactory
from tests.sweep import REDIRECTS, ROLES, rule
from validation import services
from validation.models import (
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
    ValidationCentre,
)

STAFF = (Role.ASSESSOR, Role.REGION_ADMIN)
CASE = "validation.validationcase"

RULES = {
    "validation:case_queue": rule(ROLES, *STAFF),
    "validation:case_new": rule(ROLES, *STAFF),
    "validation:calendar": rule(ROLES, *STAFF),
    "validation:case_open_from_application": rule(
        ROLES, *STAFF, obj="admissions.application_asking_validation", ok=REDIRECTS
    ),
    "validation:case_detail": rule(ROLES, *STAFF, obj=CASE),
    "validation:case_map": rule(ROLES, *STAFF, obj=CASE, ok=REDIRECTS),
    "validation:case_assign": rule(ROLES, *STAFF, obj=CASE, ok=REDIRECTS),
    "validation:appointment_book": rule(ROLES, *STAFF, obj=CASE, ok=REDIRECTS),
    "validation:case_close": rule(ROLES, *STAFF, obj=CASE, ok=REDIRECTS),
    "validation:appointment_cancel": rule(
        ROLES, *STAFF, obj="validation.appointment", ok=REDIRECTS
    ),
    "validation:result_record": rule(ROLES, Role.ASSESSOR, obj="validation.casearea", ok=REDIRECTS),
    "validation:result_correct": rule(
        ROLES, Role.ASSESSOR, obj="validation.arearesult", ok=REDIRECTS
    ),
    "validation:result_sign_off": rule(
        ROLES, Role.ASSESSOR, obj="validation.arearesult", ok=REDIRECTS
    ),
    "validation:case_decide": rule(ROLES, Role.ASSESSOR, obj=CASE, ok=REDIRECTS),
}


def _plant_validation_cases(region, planted):
    municipality = planted["yrkescenter.municipality"]
    centre = ValidationCentre.objects.create(
        region=region, name=f"Valideringscentrum {region.name}", host_municipality=municipality
    )
    standard = CompetenceStandard.objects.create(
        region=region, code="svetsare", name="Svetsare", branch="Svetsning", four_eyes=True
    )
    area = CompetenceArea.objects.create(
        standard=standard, code="grund", name="Svets grund", method=Method.PRACTICAL_CENTRE
    )
    area.courses.set([planted["yrkescenter.course"]])
    application = ApplicationFactory(
        region=region,
        intake_period=planted["yrkescenter.intakeperiod"],
        home_municipality=municipality,
        validation_requested=True,
        validation_description="Svetsat i tio år.",
    )
    # An assessor of the region who is none of the sweep's users.
    assessor = MembershipFactory(region=region, role=Role.ASSESSOR).user
    case = services.case_open_from_application(
        acting_user=assessor, application=application, standard=standard
    )
    case = services.case_map(acting_user=assessor, case=case, areas=[area])
    start = timezone.now() + dt.timedelta(days=7)
    appointment = services.appointment_book(
        acting_user=assessor,
        case=case,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Svetshallen",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )
    result = services.result_record(
        acting_user=assessor,
        case=case,
        area=area,
        outcome=Outcome.VALIDATED,
        evidence="Provsvetsning godkänd.",
        method=Method.PRACTICAL_CENTRE,
    )
    return {
        "validation.validationcentre": centre,
        "validation.competencestandard": standard,
        "validation.competencearea": area,
        "admissions.application_asking_validation": application,
        CASE: case,
        "validation.casearea": case.areas.get(),
        "validation.appointment": appointment,
        "validation.arearesult": result,
    }


PLANTERS = [_plant_validation_cases]
