"""Protected personal data (skyddade personuppgifter): no page of the sweep shows such a person.

The planter makes, in each region, a person with protected personal data whom every scoped role
would otherwise see: a submitted application of a resident of the planted municipality with its
choice at the planted offering, a document, a result, an offer and a letter in the letters'
round, and a completed enrolment with an outcome. None of the sweep's users is a named officer
(Membership.handles_protected_identity), so the sweep asserts that PROTECTED_NAME is on no
page, export or download any of them gets (tests/test_url_sweep.py)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from admissions.applications.models import Document, DocumentKind
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.rounds.models import DecisionLetter, Offer, Outcome, RoundResult
from industriradet.models import OutcomeStatus, StudentOutcome
from tests.factories import ApplicationFactory, ChoiceFactory

PROTECTED_FIRST_NAME = "Sekretessia"
PROTECTED_LAST_NAME = "Skyddadóttir"
PROTECTED_NAME = PROTECTED_LAST_NAME
PLANTED_FILE = "documents/sweep-protected.pdf"

RULES: dict = {}


def _plant_protected_person(region, planted):
    offering = planted["yrkescenter.offering"]
    application = ApplicationFactory(
        region=region,
        intake_period=offering.intake_period,
        home_municipality=planted["yrkescenter.municipality"],
        first_name=PROTECTED_FIRST_NAME,
        last_name=PROTECTED_LAST_NAME,
        protected_identity=True,
        street_address="",
        postal_code="",
        city="",
    )
    choice = ChoiceFactory(application=application, offering=offering, rank=1)
    if not default_storage.exists(PLANTED_FILE):
        default_storage.save(PLANTED_FILE, ContentFile(b"%PDF-1.4\n%protected\n"))
    Document.objects.create(
        application=application,
        kind=DocumentKind.GRADES,
        file=PLANTED_FILE,
        original_name=f"betyg-{PROTECTED_LAST_NAME}.pdf",
        content_type="application/pdf",
        size=20,
        sha256="1" * 64,
        uploaded_by=application.applicant,
    )
    admission_round = planted.get("admissions.admissionround") or planted["admissions.letterround"]
    RoundResult.objects.create(
        round=admission_round,
        choice=choice,
        application=application,
        offering=offering,
        outcome=Outcome.ADMITTED,
        group=3,
        lottery=0.25,
    )
    Offer.objects.create(
        round=admission_round,
        application=application,
        choice=choice,
        answer_deadline=admission_round.answer_deadline,
    )
    DecisionLetter.objects.create(
        round=admission_round,
        application=application,
        version=1,
        language="sv",
        file=PLANTED_FILE,
        sha256="1" * 64,
    )
    enrolment = Enrolment.objects.create(
        application=application,
        choice=choice,
        offering=offering,
        started_on=offering.starts_on,
        status=EnrolmentStatus.COMPLETED,
        ended_on=offering.ends_on,
    )
    StudentOutcome.objects.create(
        enrolment=enrolment,
        status=OutcomeStatus.EMPLOYED,
        followed_up_on=offering.ends_on,
        ssyk_code="5321",
    )
    return {"admissions.application_protected": application}


PLANTERS = [_plant_protected_person]
