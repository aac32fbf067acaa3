"""Who may download a document, how it is served, and the applicant's own-data download."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import Role
from admissions.applications import personnummer as pnr
from admissions.applications.models import CompletionRequest, EligibilityDecision, Note
from admissions.applications.services.applications import application_start, document_upload

# The shared fixtures (applicant, offerings, private media...) come with the star import.
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.apply_support import FOREIGN_HOST, PDF, pdf, staff
from tests.factories import ApplicationFactory, MembershipFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

NUMBER = pnr.build(dt.date(1985, 3, 12), 123)


@pytest.fixture
def application(region, applicant, offerings):
    application = application_start(acting_user=applicant, region=region, offering=offerings[0])
    application.personnummer = NUMBER
    application.save()
    return application


@pytest.fixture
def document(application, applicant):
    return document_upload(
        acting_user=applicant,
        application=application,
        kind="grades",
        file=pdf(name="betyg 198503121234.pdf"),
    )


def download(client, document, **query):
    return client.get(reverse("admissions:document_download", args=[document.pk]), query)


def test_the_owner_downloads_a_document_as_an_attachment(applicant_client, document):
    response = download(applicant_client, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "1985" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_owner_cannot_ask_for_inline_display(applicant_client, document):
    response = download(applicant_client, document, inline="1")
    assert response["Content-Disposition"].startswith("attachment;")


def test_another_applicant_gets_a_404(client_for, region, document):
    other = MembershipFactory(region=region, role=Role.APPLICANT).user
    assert download(client_for(other), document).status_code == 404


def test_the_intake_office_downloads_and_may_view_inline(client_for, region, document):
    officer = client_for(staff(region))
    assert download(officer, document)["Content-Disposition"].startswith("attachment;")
    inline = download(officer, document, inline="1")
    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline;")
    # The application page frames it: the site's policy (frame-ancestors 'none') would not.
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert "sandbox" in download(officer, document)["Content-Security-Policy"]


def test_staff_of_another_region_get_a_404(client_for, foreign_region, document):
    officer = staff(foreign_region)
    assert download(client_for(officer, host=FOREIGN_HOST), document).status_code == 404
    # Nor through this region's host, where they have no role.
    assert download(client_for(officer), document).status_code == 404


def test_a_counsellor_sees_only_documents_of_residents(client_for, region, document, application):
    home = MunicipalityFactory(region=region)
    elsewhere = MunicipalityFactory(region=region)
    application.home_municipality = home
    application.save()
    resident = client_for(staff(region, Role.COUNSELLOR, scope_municipality=home))
    other = client_for(staff(region, Role.COUNSELLOR, scope_municipality=elsewhere))
    assert download(resident, document).status_code == 200
    assert download(other, document).status_code == 404


def test_a_council_member_gets_a_404(client_for, region, document):
    assert download(client_for(staff(region, Role.COUNCIL_MEMBER)), document).status_code == 404


def test_anonymous_users_are_sent_to_login(client_for, document):
    response = download(client_for(), document)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- own data ------------------------------------------------------------------------------------


def test_own_data_is_a_zip_with_everything_held_and_the_documents(
    applicant_client, applicant, application, document, region
):
    officer = staff(region)
    choice = application.choices.get()
    EligibilityDecision.objects.create(choice=choice, eligible=True, decided_by=officer)
    CompletionRequest.objects.create(
        application=application,
        missing=["cv"],
        message="Skicka CV",
        deadline=dt.date(2027, 5, 1),
        requested_by=officer,
    )
    Note.objects.create(application=application, text="intern anteckning", author=officer)
    someone_else = ApplicationFactory(region=region, first_name="Annan")

    response = applicant_client.get(reverse("admissions:own_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="yrkesporten-my-data.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["user"]["email"] == applicant.email
    (held,) = data["applications"]
    assert held["personnummer"] == NUMBER
    assert held["choices"][0]["eligibility_decisions"][0]["eligible"] is True
    assert held["completion_requests"][0]["message"] == "Skicka CV"
    (meta,) = held["documents"]
    assert meta["original_name"] == document.original_name
    assert archive.read(meta["file"]) == PDF
    text = archive.read("data.json").decode()
    assert "intern anteckning" not in text
    assert someone_else.first_name not in text
    assert NUMBER not in " ".join(archive.namelist())


def test_own_data_is_for_applicants_only(client_for, region):
    assert client_for(staff(region)).get(reverse("admissions:own_data")).status_code == 403


def test_own_data_queries_do_not_grow_with_the_documents(
    applicant_client, applicant, application, document
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert applicant_client.get(reverse("admissions:own_data")).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        document_upload(acting_user=applicant, application=application, kind="cv", file=pdf())
    archive = zipfile.ZipFile(
        io.BytesIO(applicant_client.get(reverse("admissions:own_data")).content)
    )
    assert len([n for n in archive.namelist() if n.startswith("documents/")]) == 4
    assert queries() == one
