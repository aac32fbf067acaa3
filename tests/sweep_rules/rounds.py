"""Admission rounds (intake office and region admins only) and the applicant's offers.

The planter makes, in each region, a published round of the planted intake period with one
result and one open offer for the applicant side's planted application and choice (labels
"admissions.application", "admissions.choice", planted by tests/sweep_rules/applicant.py).
The offer belongs to that application's owner, who is none of the sweep's users: an owner-only
page."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from admissions.rounds.models import (
    AdmissionRound,
    Offer,
    Outcome,
    RoundCutoff,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from tests.factories import UserFactory
from tests.sweep import GET_NOT_ALLOWED, ROLES, rule

ROUND_ROLES = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)
ROUND = "admissions.admissionround"

RULES = {
    "admissions:round_list": rule(ROLES, *ROUND_ROLES),
    "admissions:round_create": rule(ROLES, *ROUND_ROLES),
    "admissions:round_detail": rule(ROLES, *ROUND_ROLES, obj=ROUND),
    "admissions:round_status": rule(ROLES, *ROUND_ROLES, obj=ROUND),
    "admissions:round_results": rule(ROLES, *ROUND_ROLES, obj=ROUND),
    "admissions:round_run": rule(ROLES, *ROUND_ROLES, obj=ROUND, ok=GET_NOT_ALLOWED),
    "admissions:round_publish": rule(ROLES, *ROUND_ROLES, obj=ROUND, ok=GET_NOT_ALLOWED),
    "admissions:round_close": rule(ROLES, *ROUND_ROLES, obj=ROUND, ok=GET_NOT_ALLOWED),
    "admissions:offer_answer": rule(ROLES, Role.APPLICANT, obj="admissions.offer", owner_only=True),
}


def _plant_round(region, planted):
    application = planted["admissions.application"]
    choice = planted["admissions.choice"]
    admission_round = AdmissionRound.objects.create(
        region=region,
        intake_period=planted["yrkescenter.intakeperiod"],
        kind=RoundKind.MAIN,
        number=1,
        status=RoundStatus.PUBLISHED,
        answer_deadline=timezone.localdate() + dt.timedelta(days=14),
        created_by=UserFactory(),
        published_at=timezone.now(),
    )
    RoundResult.objects.create(
        round=admission_round,
        choice=choice,
        application=application,
        offering=choice.offering,
        outcome=Outcome.ADMITTED,
        group=3,
        lottery=0.5,
    )
    RoundCutoff.objects.create(
        round=admission_round, offering=choice.offering, admitted=1, waiting=0, group=3, lottery=0.5
    )
    offer = Offer.objects.create(
        round=admission_round,
        application=application,
        choice=choice,
        answer_deadline=admission_round.answer_deadline,
    )
    return {ROUND: admission_round, "admissions.offer": offer}


PLANTERS = [_plant_round]
