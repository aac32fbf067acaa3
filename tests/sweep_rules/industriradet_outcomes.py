"""Sweep rules of the follow-up pages (centre coordinators and region admins; council members
never) and the public statistics page (anyone, no login).

The planter makes, in each region, a student who completed the planted offering (whose centre is
the sweep coordinator's): a new application with its choice there and a completed enrolment,
under "admissions.enrolment_ended" (the planted "admissions.enrolment" is still studying, and a
follow-up is only for one who ended), and that student's outcome
("industriradet.studentoutcome")."""

from accounts.models import Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from industriradet.models import OutcomeStatus, StudentOutcome
from tests.factories import ApplicationFactory, ChoiceFactory
from tests.sweep import GET_NOT_ALLOWED, PUBLIC, REDIRECTS, ROLES, rule

READERS = (Role.COORDINATOR, Role.REGION_ADMIN)
ENDED = "admissions.enrolment_ended"

RULES = {
    "industriradet:outcome_list": rule(ROLES, *READERS),
    # A region admin reads the student's page; only the coordinator's POST records.
    "industriradet:outcome_record": rule(ROLES, *READERS, obj=ENDED),
    "industriradet:outcome_import": rule(ROLES, *READERS),
    # Without an uploaded file in the session the preview sends the user back to the upload.
    "industriradet:outcome_import_preview": rule(ROLES, *READERS, ok=REDIRECTS),
    "industriradet:outcome_import_confirm": rule(ROLES, *READERS, ok=GET_NOT_ALLOWED),
    "statistik:index": rule(PUBLIC),
}


def _plant_ended_student(region, planted):
    offering = planted["yrkescenter.offering"]
    application = ApplicationFactory(
        region=region,
        intake_period=offering.intake_period,
        home_municipality=planted["yrkescenter.municipality"],
    )
    choice = ChoiceFactory(application=application, offering=offering)
    enrolment = Enrolment.objects.create(
        application=application,
        choice=choice,
        offering=offering,
        started_on=offering.starts_on,
        status=EnrolmentStatus.COMPLETED,
        ended_on=offering.ends_on,
    )
    outcome = StudentOutcome.objects.create(
        enrolment=enrolment,
        status=OutcomeStatus.EMPLOYED,
        followed_up_on=offering.ends_on,
        ssyk_code="7212",
    )
    return {ENDED: enrolment, StudentOutcome._meta.label_lower: outcome}


PLANTERS = [_plant_ended_student]
