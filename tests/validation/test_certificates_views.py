"""The certificate pages: the case's certificates and issuing one (assessors), and downloads
only for the person and the region's validation staff."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Role
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    certificates_media,  # noqa: F401
    decided_case,
    issued,
)
from validation.models import Certificate

pytestmark = pytest.mark.usefixtures("certificates_media")


def _issue_url(case):
    return reverse("validation:certificate_issue", args=[case.pk])


def _list_url(case):
    return reverse("validation:case_certificates", args=[case.pk])


def _download_url(certificate):
    return reverse("validation:certificate_download", args=[certificate.pk])


def test_an_assessor_issues_a_certificate_in_the_language_chosen(region):
    decided = decided_case(region)
    client = cs.client_for(decided.assessor)

    response = client.post(_issue_url(decided.case), {"language": "en"})

    assert response.status_code == 302
    assert response["Location"] == _list_url(decided.case)
    certificate = Certificate.objects.get(case=decided.case)
    assert (certificate.version, certificate.language) == (1, "en")
    page = client.get(_list_url(decided.case))
    assert _download_url(certificate) in page.content.decode()
    assert certificate.verification_code in page.content.decode()
    assert "Issue a new version" in page.content.decode()


def test_issuing_for_an_undecided_case_shows_why_and_stores_nothing(region):
    by = cs.assessor(region)
    case = cs.mapped_case(region, cs.standard(region), by=by)
    client = cs.client_for(by)

    response = client.post(_issue_url(case), {"language": "sv"})

    assert response.status_code == 400
    assert "only once the case&#x27;s result is decided" in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_case_page_offers_no_issue_form_before_the_decision(region):
    by = cs.assessor(region)
    case = cs.mapped_case(region, cs.standard(region), by=by)

    page = cs.client_for(by).get(_list_url(case)).content.decode()

    assert _issue_url(case) not in page
    assert "A certificate can be issued once the case's result is decided." in page


def test_a_region_admin_sees_the_certificates_but_does_not_issue(region):
    decided = decided_case(region)
    issued(decided)
    admin = cs.client_for(cs.member(region, Role.REGION_ADMIN))

    page = admin.get(_list_url(decided.case))
    refused = admin.post(_issue_url(decided.case), {"language": "sv"})

    assert page.status_code == 200
    assert _issue_url(decided.case) not in page.content.decode()
    assert refused.status_code == 403
    assert Certificate.objects.count() == 1


def test_the_list_is_an_htmx_fragment_when_htmx_asks(region):
    decided = decided_case(region)
    client = cs.client_for(decided.assessor)

    fragment = client.get(_list_url(decided.case), HTTP_HX_REQUEST="true").content.decode()

    assert fragment.lstrip().startswith('<section id="certificates"')
    assert "<html" not in fragment


# --- downloads --------------------------------------------------------------------------------


def test_the_person_downloads_their_certificate_under_a_name_without_personal_data(region):
    decided = decided_case(region)
    certificate = issued(decided)
    person = cs.client_for(decided.case.person)

    response = person.get(_download_url(certificate))

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == certificate.sha256
    disposition = response["Content-Disposition"]
    assert f'filename="intyg-{decided.case.reference}-v1.pdf"' in disposition
    assert decided.case.last_name not in disposition
    assert response["Content-Type"] == "application/pdf"
    entry = AuditEntry.objects.get(action="validation.certificate_download.view")
    assert entry.user == decided.case.person
    assert certificate.verification_code not in str(entry.data)


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.REGION_ADMIN])
def test_the_regions_validation_staff_download_it(region, role):
    certificate = issued(decided_case(region))

    response = cs.client_for(cs.member(region, role)).get(_download_url(certificate))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.INTAKE_OFFICER, Role.COUNCIL_MEMBER, Role.COUNSELLOR]
)
def test_anyone_else_of_the_region_gets_a_404(region, role):
    certificate = issued(decided_case(region))
    scope = {}
    if role == Role.COUNSELLOR:
        scope["scope_municipality"] = certificate.case.home_municipality
    outsider = cs.client_for(cs.member(region, role, **scope))

    assert outsider.get(_download_url(certificate)).status_code == 404


def test_another_regions_assessor_gets_a_404_on_either_host(region, foreign_region):
    certificate = issued(decided_case(region))
    foreign_assessor = cs.assessor(foreign_region)

    abroad = cs.client_for(foreign_assessor, cs.FOREIGN_HOST)
    here = Client(HTTP_HOST=cs.HOST)
    here.force_login(foreign_assessor)

    assert abroad.get(_download_url(certificate)).status_code == 404
    # On the home host the foreign assessor has no role at all.
    assert here.get(_download_url(certificate)).status_code == 404


def test_the_person_on_another_regions_host_gets_a_404(region, foreign_region):
    decided = decided_case(region)
    certificate = issued(decided)

    abroad = Client(HTTP_HOST=cs.FOREIGN_HOST)
    abroad.force_login(decided.case.person)

    assert abroad.get(_download_url(certificate)).status_code == 404
