"""The centre's enrolment pages: centre coordinators record, for their own centre; intake
officers and region admins read every centre of the region.

The planter makes, in each region, an enrolment ("admissions.enrolment") of the applicant side's
planted application and choice ("admissions.application", "admissions.choice", planted by
tests/sweep_rules/applicant.py, which runs first) at the planted offering, whose centre is the
sweep coordinator's. Later planters that need an enrolment reuse this one (a choice has at most
one)."""

from accounts.models import Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from tests.sweep import REDIRECTS, ROLES, rule

RECORDERS = (Role.COORDINATOR,)
READERS = (*RECORDERS, Role.INTAKE_OFFICER, Role.REGION_ADMIN)
ENROLMENT = "admissions.enrolment"

RULES = {
    "admissions:enrolment_index": rule(ROLES, *READERS),
    "admissions:enrolment_offering": rule(ROLES, *READERS, obj="yrkescenter.offering"),
    # The recording endpoints take a POST; a GET goes back to the offering's page.
    "admissions:enrolment_start": rule(ROLES, *RECORDERS, obj="admissions.choice", ok=REDIRECTS),
    "admissions:enrolment_interrupt": rule(ROLES, *RECORDERS, obj=ENROLMENT, ok=REDIRECTS),
    "admissions:enrolment_complete": rule(ROLES, *RECORDERS, obj=ENROLMENT, ok=REDIRECTS),
    "admissions:enrolment_correct": rule(ROLES, *RECORDERS, obj=ENROLMENT),
    "admissions:enrolment_annul": rule(ROLES, *RECORDERS, obj=ENROLMENT, ok=REDIRECTS),
}


def _plant_enrolment(region, planted):
    choice = planted["admissions.choice"]
    enrolment = Enrolment.objects.create(
        application=planted["admissions.application"],
        choice=choice,
        offering=choice.offering,
        started_on=choice.offering.starts_on,
        status=EnrolmentStatus.STARTED,
    )
    return {ENROLMENT: enrolment}


PLANTERS = [_plant_enrolment]
