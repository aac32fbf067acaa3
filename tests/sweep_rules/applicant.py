"""The applicant's pages and the public catalogue.

The planter makes, in each region, a submitted application (owned by a person who is none of
the sweep's users) of a resident of the planted municipality, with its choice at the planted
offering, one document and one completion request. The intake office's rules rely on these
labels: "admissions.application", "admissions.choice", "admissions.document",
"admissions.completionrequest"."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Role
from admissions.applications.models import CompletionRequest, Document, DocumentKind
from tests.factories import ApplicationFactory, ChoiceFactory, UserFactory
from tests.sweep import LOGIN, PUBLIC, REDIRECTS, ROLES, rule

# Staff whose scope includes the planted application (Application.objects.visible_to): they
# may download its documents. The owner may too, but the owner is not one of the sweep's users,
# so the sweep's applicant gets a 404 like any other outsider.
DOCUMENT_READERS = (Role.INTAKE_OFFICER, Role.REGION_ADMIN, Role.COUNSELLOR, Role.COORDINATOR)

RULES = {
    "yrkescenter:offering_list": rule(PUBLIC),
    "yrkescenter:offering_detail": rule(PUBLIC, obj="yrkescenter.offering"),
    "admissions:my_applications": rule(ROLES, Role.APPLICANT),
    "admissions:own_data": rule(ROLES, Role.APPLICANT),
    # Fritt sök: anyone logged in may start an application here and so becomes an applicant.
    "admissions:apply_start": rule(LOGIN, obj="yrkescenter.offering"),
    "admissions:application_detail": rule(
        ROLES, Role.APPLICANT, obj="admissions.application", owner_only=True
    ),
    "admissions:application_step": rule(
        ROLES,
        Role.APPLICANT,
        obj="admissions.application",
        kwargs={"step": "identity"},
        owner_only=True,
    ),
    "admissions:application_receipt": rule(
        ROLES, Role.APPLICANT, obj="admissions.application", owner_only=True, ok=REDIRECTS
    ),
    "admissions:application_withdraw": rule(
        ROLES, Role.APPLICANT, obj="admissions.application", owner_only=True
    ),
    "admissions:completion_answer": rule(
        ROLES, Role.APPLICANT, obj="admissions.completionrequest", owner_only=True
    ),
    "admissions:document_download": rule(ROLES, *DOCUMENT_READERS, obj="admissions.document"),
}

# One stored file shared by every planted document: the sweep builds its world once per URL
# pattern, and a file per world would pile up in the private media directory.
PLANTED_FILE = "documents/sweep-planted.pdf"


def _plant_application(region, planted):
    application = ApplicationFactory(
        region=region,
        intake_period=planted["yrkescenter.intakeperiod"],
        home_municipality=planted["yrkescenter.municipality"],
    )
    choice = ChoiceFactory(
        application=application, offering=planted["yrkescenter.offering"], rank=1
    )
    if not default_storage.exists(PLANTED_FILE):
        default_storage.save(PLANTED_FILE, ContentFile(b"%PDF-1.4\n%planted\n"))
    document = Document.objects.create(
        application=application,
        kind=DocumentKind.GRADES,
        file=PLANTED_FILE,
        original_name="betyg.pdf",
        content_type="application/pdf",
        size=18,
        sha256="0" * 64,
        uploaded_by=application.applicant,
    )
    completion = CompletionRequest.objects.create(
        application=application,
        missing=[DocumentKind.CV],
        message="Skicka ditt CV.",
        deadline=dt.date.today() + dt.timedelta(days=14),
        requested_by=UserFactory(),
    )
    return {
        "admissions.application": application,
        "admissions.choice": choice,
        "admissions.document": document,
        "admissions.completionrequest": completion,
    }


PLANTERS = [_plant_application]
