"""The cost settlement: rectors, region admins and council members open the terms and a term's
totals; only rectors and region admins see students (drill-down, a municipality's page,
exports). Exports are POSTs (they are recorded as exports of students).

The drill-down URLs carry municipality codes, fixed here, so the planter gives the planted
municipality (the sweep rector's, the planted centre's host) the code SWEEP_CODE in both regions
and enrols a resident of it in the planted offering, priced by the planted agreement: the rector
opens their own cell and municipality, and every page computes a real line. The planted term
has an approved version 1 of those figures, for the page of an approved version; approving is a
POST of region admins only."""

import datetime as dt
from decimal import Decimal

from accounts.models import Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.funding.models import SettlementApproval
from admissions.funding.settlement import settlement_digest, settlement_of, settlement_records
from tests.factories import ApplicationFactory, ChoiceFactory
from tests.sweep import GET_NOT_ALLOWED, ROLES, rule
from yrkescenter.models import Price, PriceUnit

SETTLEMENT = (Role.RECTOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER)
STUDENTS = (Role.RECTOR, Role.REGION_ADMIN)
PERIOD = "yrkescenter.intakeperiod"
# Outside the factories' codes (9000-9999), so no other municipality of the region has it.
SWEEP_CODE = "0999"

RULES = {
    "admissions:settlement_index": rule(ROLES, *SETTLEMENT),
    "admissions:settlement_detail": rule(ROLES, *SETTLEMENT, obj=PERIOD),
    "admissions:settlement_municipality": rule(
        ROLES, *STUDENTS, obj=PERIOD, kwargs={"code": SWEEP_CODE}
    ),
    "admissions:settlement_cell": rule(
        ROLES, *STUDENTS, obj=PERIOD, kwargs={"home": SWEEP_CODE, "host": SWEEP_CODE}
    ),
    "admissions:settlement_approve": rule(ROLES, Role.REGION_ADMIN, obj=PERIOD, ok=GET_NOT_ALLOWED),
    "admissions:settlement_approval": rule(ROLES, *STUDENTS, obj=PERIOD, kwargs={"version": "1"}),
    "admissions:settlement_approval_export": rule(
        ROLES,
        *STUDENTS,
        obj=PERIOD,
        kwargs={"version": "1", "file_format": "csv"},
        ok=GET_NOT_ALLOWED,
    ),
    "admissions:settlement_export": rule(
        ROLES, *STUDENTS, obj=PERIOD, kwargs={"file_format": "xlsx"}, ok=GET_NOT_ALLOWED
    ),
}


def _plant_settlement(region, planted):
    municipality = planted["yrkescenter.municipality"]
    municipality.code = SWEEP_CODE
    municipality.save(update_fields=["code"])
    offering = planted["yrkescenter.offering"]
    Price.objects.get_or_create(
        agreement=planted["yrkescenter.agreement"],
        programme=offering.programme,
        defaults={"unit": PriceUnit.PER_VP, "amount": Decimal("55.00")},
    )
    # An application of its own, so it never collides with another area's planted enrolment.
    application = ApplicationFactory(
        region=region, intake_period=offering.intake_period, home_municipality=municipality
    )
    choice = ChoiceFactory(application=application, offering=offering)
    Enrolment.objects.create(
        application=application,
        choice=choice,
        offering=offering,
        started_on=offering.starts_on,
        status=EnrolmentStatus.INTERRUPTED,
        ended_on=offering.starts_on + dt.timedelta(days=30),
        interruption_reason="work",
    )
    settlement = settlement_of(offering.intake_period)
    approval = SettlementApproval.objects.create(
        intake_period=offering.intake_period,
        version=1,
        approved_by=planted["accounts.user"],
        digest=settlement_digest(settlement),
        payable_students=settlement.total.payable_students,
        total_amount=settlement.total.payable_amount,
        lines=settlement_records(settlement),
    )
    return {SettlementApproval._meta.label_lower: approval}


PLANTERS = [_plant_settlement]
