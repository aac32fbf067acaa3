"""The access log (issue 11.9): every time staff open an applicant's page, document or letter is
recorded; the region admin can look up one applicant's reads; the council never can."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Role
from admissions.applications.models import Document
from admissions.applications.selectors.review import application_history, reads_of
from admissions.rounds.models import Outcome
from admissions.rounds.services.letters import letter_create
from tests.admissions.intake_support import HOST, staff_client
from tests.admissions.letters_support import (
    decided_application,
    letters_media,  # noqa: F401 - the fixture
)
from tests.factories import ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.usefixtures("letters_media")


@pytest.fixture
def letter(region):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,))
    return letter_create(round=decided.round, application=decided.application)


@pytest.fixture
def application(letter):
    return letter.application


@pytest.fixture
def document(application):
    document = Document(
        application=application,
        kind="grades",
        original_name="betyg.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    document.file.save("betyg.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return document


def applicant_client(application) -> Client:
    MembershipFactory(region=application.region, role=Role.APPLICANT, user=application.applicant)
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(application.applicant)
    return client


def open_everything(client, application, letter, document) -> None:
    assert (
        client.get(reverse("admissions:intake_application", args=[application.pk])).status_code
        == 200
    )
    response = client.get(reverse("admissions:document_download", args=[document.pk]))
    assert response.status_code == 200
    response = client.get(reverse("admissions:letter_download", args=[letter.pk]))
    assert response.status_code == 200


def test_staff_opening_the_page_a_document_and_a_letter_are_three_reads(
    region, application, letter, document
):
    officer = staff_client(region)
    open_everything(officer, application, letter, document)

    reads = list(reads_of(application))
    assert [entry.action for entry in reads] == ["letter.view", "document.view", "application.view"]
    assert {entry.user for entry in reads} == {officer.user}
    assert {entry.role for entry in reads} == {Role.INTAKE_OFFICER}
    assert reads[0].data == {"letter": letter.pk, "version": letter.version}
    assert reads[1].data == {"document": document.pk, "kind": "grades"}
    # No personal identity number in what the log keeps.
    for entry in reads:
        assert application.personnummer not in f"{entry.object_repr} {entry.data}"


def test_the_applicants_own_reads_are_not_logged(region, application, letter, document):
    client = applicant_client(application)
    assert (
        client.get(reverse("admissions:document_download", args=[document.pk])).status_code == 200
    )
    assert client.get(reverse("admissions:letter_download", args=[letter.pk])).status_code == 200
    assert not reads_of(application).exists()


def test_reads_stay_out_of_the_applications_history(region, application, letter, document):
    officer = staff_client(region)
    open_everything(officer, application, letter, document)
    assert not [
        entry for entry in application_history(application) if entry.action.endswith(".view")
    ]


def test_the_region_admin_finds_who_opened_what_by_identity_number(
    region, application, letter, document
):
    officer = staff_client(region)
    open_everything(officer, application, letter, document)
    admin = staff_client(region, Role.REGION_ADMIN)
    url = reverse("admissions:access_log")

    response = admin.post(url, {"q": application.personnummer})

    assert response.status_code == 200
    page = response.content.decode()
    assert application.reference in page
    assert officer.user.email in page
    for label in ("Application page", "Document", "Decision letter"):
        assert label in page
    # Masked on the page; and the term went by POST, so it is in no URL.
    assert application.personnummer not in page
    assert application.masked_personnummer in page
    # The admin's own look-up is not a read of the applicant's pages.
    assert reads_of(application).filter(user=admin.user).count() == 0


def test_the_search_finds_nothing_in_another_region(region, foreign_region, application):
    stranger = ApplicationFactory(region=foreign_region)
    admin = staff_client(region, Role.REGION_ADMIN)
    page = admin.post(reverse("admissions:access_log"), {"q": stranger.reference})
    assert "No application matches." in page.content.decode()
    assert f"{stranger.reference}:" not in page.content.decode()


@pytest.mark.parametrize("role", [Role.COUNCIL_MEMBER, Role.INTAKE_OFFICER, Role.ASSESSOR])
def test_only_the_region_admin_sees_the_access_log(region, role, application):
    client = staff_client(region, role)
    url = reverse("admissions:access_log")
    assert client.get(url).status_code == 403
    assert client.post(url, {"q": application.reference}).status_code == 403


def test_the_council_cannot_read_the_audit_log_either(region, application, letter, document):
    open_everything(staff_client(region), application, letter, document)
    council = staff_client(region, Role.COUNCIL_MEMBER)
    assert council.get(reverse("accounts:audit_log")).status_code == 403
    assert not AuditEntry.objects.visible_to(council.user.memberships.get()).exists()
