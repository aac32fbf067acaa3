"""Decision letters: downloaded by their owner and by staff whose scope includes the
application (Application.objects.visible_to).

The planter makes, in each region, a letter to the applicant side's planted application
("admissions.application", "admissions.choice"). It uses the planted round
("admissions.admissionround") when a planter that ran before it made one; the round planter
(tests/sweep_rules/rounds.py) runs after this module (planters run in module name order), so
otherwise it makes its own published round, planted as "admissions.letterround" with a number
of its own. The owner is none of the sweep's users, so the sweep's applicant gets a 404 like
any other outsider."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Role
from admissions.rounds.models import (
    AdmissionRound,
    DecisionLetter,
    Outcome,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from tests.factories import UserFactory
from tests.sweep import ROLES, rule

LETTER_READERS = (Role.INTAKE_OFFICER, Role.REGION_ADMIN, Role.COUNSELLOR, Role.COORDINATOR)

RULES = {
    "admissions:letter_download": rule(ROLES, *LETTER_READERS, obj="admissions.decisionletter"),
}

# One stored file shared by every planted letter (the sweep builds its world once per pattern).
PLANTED_FILE = "letters/sweep-planted.pdf"
PLANTED_CONTENT = b"%PDF-1.7\n%planted letter\n"
# Clear of the numbers the round planter uses for the same intake period.
LETTER_ROUND_NUMBER = 90


def _round_for_letters(region, planted):
    admission_round = planted.get("admissions.admissionround")
    if admission_round is not None:
        return admission_round, {}
    application = planted["admissions.application"]
    choice = planted["admissions.choice"]
    admission_round = AdmissionRound.objects.create(
        region=region,
        intake_period=planted["yrkescenter.intakeperiod"],
        kind=RoundKind.MAIN,
        number=LETTER_ROUND_NUMBER,
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
    return admission_round, {"admissions.letterround": admission_round}


def _plant_letter(region, planted):
    admission_round, extra = _round_for_letters(region, planted)
    if not default_storage.exists(PLANTED_FILE):
        default_storage.save(PLANTED_FILE, ContentFile(PLANTED_CONTENT))
    letter = DecisionLetter.objects.create(
        round=admission_round,
        application=planted["admissions.application"],
        version=1,
        language="sv",
        file=PLANTED_FILE,
        sha256="0" * 64,
    )
    return {**extra, "admissions.decisionletter": letter}


PLANTERS = [_plant_letter]
