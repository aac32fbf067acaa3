"""Published rounds with results and offers, made directly with the ORM so the letter tests do
not depend on the round service; and the text of a PDF."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest

from admissions.applications.models import (
    Application,
    Choice,
    EligibilityDecision,
    IneligibilityGround,
)
from admissions.rounds.models import (
    AdmissionRound,
    Offer,
    Outcome,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from tests.conftest import need_service
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    UserFactory,
)
from yrkescenter.models import IntakeOffice

ANSWER_DEADLINE = dt.date(2027, 6, 14)


@pytest.fixture
def letters_media(settings, tmp_path):
    """Letters stored in a private media folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    return tmp_path / "media"


def published_round(region, intake_period, *, number: int = 1) -> AdmissionRound:
    if not hasattr(region, "intake_office"):
        host = MunicipalityFactory(region=region, name="Karlstad", code="1780")
        IntakeOffice.objects.create(
            region=region,
            name="Intagningsenheten Hemland",
            host_municipality=host,
            email="intag@hemland.example.test",
        )
    return AdmissionRound.objects.create(
        region=region,
        intake_period=intake_period,
        kind=RoundKind.MAIN,
        number=number,
        status=RoundStatus.PUBLISHED,
        answer_deadline=ANSWER_DEADLINE,
        created_by=UserFactory(),
    )


@dataclass
class Decided:
    round: AdmissionRound
    application: Application
    choices: list[Choice]


def decided_application(
    region,
    *,
    outcomes: tuple[str, ...] = (Outcome.ADMITTED,),
    language: str = "sv",
    round: AdmissionRound | None = None,
    programmes: tuple[str, ...] = ("Svetsare", "CNC-operatör", "Industritekniker"),
) -> Decided:
    """An application with one choice per outcome (ranked in order) and the round's results;
    an admitted choice gets an offer, a not eligible one its eligibility decision."""
    applicant = UserFactory(preferred_language=language)
    application = ApplicationFactory(
        region=region,
        applicant=applicant,
        first_name="Åsa",
        last_name="Öberg",
        street_address="Storgatan 1",
        postal_code="65224",
        city="Karlstad",
    )
    round = round or published_round(region, application.intake_period)
    if round.intake_period_id != application.intake_period_id:
        application.intake_period = round.intake_period
        application.save(update_fields=["intake_period"])
    choices = []
    for rank, outcome in enumerate(outcomes, start=1):
        host = MunicipalityFactory(region=region, name=f"Värdkommun {rank}")
        offering = OfferingFactory(
            region=region,
            intake_period=round.intake_period,
            programme=ProgrammeFactory(region=region, name=programmes[rank - 1]),
            centre=CentreFactory(region=region, host_municipality=host, name=f"Yrkescenter {rank}"),
        )
        choice = ChoiceFactory(application=application, offering=offering, rank=rank)
        choices.append(choice)
        RoundResult.objects.create(
            round=round,
            choice=choice,
            application=application,
            offering=offering,
            outcome=outcome,
            waiting_position=7 if outcome == Outcome.WAITING else None,
            group=3 if outcome in (Outcome.ADMITTED, Outcome.WAITING) else None,
            lottery=0.42,
        )
        if outcome == Outcome.ADMITTED:
            Offer.objects.create(
                round=round,
                application=application,
                choice=choice,
                answer_deadline=round.answer_deadline,
            )
        if outcome == Outcome.NOT_ELIGIBLE:
            EligibilityDecision.objects.create(
                choice=choice,
                eligible=False,
                ground=IneligibilityGround.PREREQUISITES,
                explanation="Svenska 1 saknas.",
                decided_by=UserFactory(),
            )
    return Decided(round=round, application=application, choices=choices)


def pdf_text(content: bytes) -> str:
    """The text of a PDF, by poppler's pdftotext (poppler-utils)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        need_service("pdftotext (Debian package poppler-utils) is needed to read letters' text")
    result = subprocess.run(
        [tool, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    # Joined lines: a sentence may wrap anywhere in the letter's layout.
    return " ".join(result.stdout.decode().split())


def pdf_xmp_metadata(content: bytes) -> str:
    """The PDF's XMP metadata (where PDF/A declares itself), by poppler's pdfinfo."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        need_service("pdfinfo (Debian package poppler-utils) is needed to read letters' metadata")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        result = subprocess.run([tool, "-meta", file.name], capture_output=True, check=True)
    return result.stdout.decode()
