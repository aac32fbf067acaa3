"""Appeals (överklagande): the applicant's pages (their own appeals only) and the intake
office's queue and case pages.

The planter runs after tests/sweep_rules/letters.py (planters run in module name order) and
uses its letter: it makes, in each region, an appeal of the letter's decision on the planted
application (a forwarded one, so it has a case file), with one attachment and one reconsidered
decision. The owner is none of the sweep's users, so the sweep's applicant gets a 404 like any
other outsider."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Role
from admissions.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealReconsideration,
    AppealState,
    AppealSubject,
)
from admissions.rounds.models import Outcome, RoundResult
from tests.sweep import REDIRECTS, ROLES, rule

DECIDERS = (Role.INTAKE_OFFICER,)

RULES = {
    "admissions:appeal_lodge": rule(
        ROLES, Role.APPLICANT, obj="admissions.roundresult", owner_only=True
    ),
    "admissions:appeal_detail": rule(
        ROLES, Role.APPLICANT, obj="admissions.appeal", owner_only=True
    ),
    # The owner and the intake office; the owner is not one of the sweep's users.
    "admissions:appeal_attachment": rule(ROLES, *DECIDERS, obj="admissions.appealattachment"),
    "admissions:appeal_reconsideration_letter": rule(
        ROLES, *DECIDERS, obj="admissions.appealreconsideration"
    ),
    "admissions:appeal_queue": rule(ROLES, *DECIDERS),
    "admissions:appeal_review": rule(ROLES, *DECIDERS, obj="admissions.appeal"),
    "admissions:appeal_reconsider": rule(ROLES, *DECIDERS, obj="admissions.appeal", ok=REDIRECTS),
    "admissions:appeal_forward": rule(ROLES, *DECIDERS, obj="admissions.appeal", ok=REDIRECTS),
    "admissions:appeal_case_file": rule(ROLES, *DECIDERS, obj="admissions.appeal"),
    "admissions:appeal_board_decision": rule(
        ROLES, *DECIDERS, obj="admissions.appeal", ok=REDIRECTS
    ),
}

PLANTED_FILE = "appeals/sweep-planted.pdf"
PLANTED_CONTENT = b"%PDF-1.7\n%planted appeal file\n"


def _plant_appeal(region, planted):
    letter = planted["admissions.decisionletter"]
    application = planted["admissions.application"]
    choice = planted["admissions.choice"]
    result = RoundResult.objects.filter(round=letter.round, application=application).first()
    if result is None:
        result = RoundResult.objects.create(
            round=letter.round,
            choice=choice,
            application=application,
            offering=choice.offering,
            outcome=Outcome.ADMITTED,
            group=3,
            lottery=0.5,
        )
    if not default_storage.exists(PLANTED_FILE):
        default_storage.save(PLANTED_FILE, ContentFile(PLANTED_CONTENT))
    now = timezone.now()
    appeal = Appeal.objects.create(
        region=region,
        application=application,
        result=result,
        letter=letter,
        subject=AppealSubject.COST_COMMITMENT,
        deciding_municipality=application.home_municipality,
        requested_change="Planted change",
        grounds="Planted grounds",
        lodged_by=application.applicant,
        lodged_at=now,
        deadline=timezone.localdate() + dt.timedelta(days=21),
        state=AppealState.FORWARDED,
        forwarded_at=now,
        forwarded_by=application.applicant,
        case_file=PLANTED_FILE,
        case_file_sha256="0" * 64,
    )
    attachment = AppealAttachment.objects.create(
        appeal=appeal,
        file=PLANTED_FILE,
        original_name="intyg.pdf",
        content_type="application/pdf",
        size=len(PLANTED_CONTENT),
        sha256="0" * 64,
    )
    reconsideration = AppealReconsideration.objects.create(
        appeal=appeal,
        fully_changed=False,
        decision="Planted decision",
        reasons="Planted reasons",
        decided_by=application.applicant,
        language="sv",
        file=PLANTED_FILE,
        sha256="0" * 64,
    )
    return {
        "admissions.roundresult": result,
        "admissions.appeal": appeal,
        "admissions.appealattachment": attachment,
        "admissions.appealreconsideration": reconsideration,
    }


PLANTERS = [_plant_appeal]
