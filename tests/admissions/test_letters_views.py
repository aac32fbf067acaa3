"""Downloading decision letters: the owner and staff in scope may; anyone else gets a 404."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from admissions.rounds.models import Outcome
from admissions.rounds.services.letters import letter_correct, letter_create
from tests.admissions.intake_support import staff_client
from tests.admissions.letters_support import (
    decided_application,
    letters_media,  # noqa: F401 - the fixture
)
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.usefixtures("letters_media")
HOST = "hemland.example.test"


def _applicant_client(user, region, host=HOST):
    MembershipFactory(region=region, role=Role.APPLICANT, user=user)
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def letter(region):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,))
    return letter_create(round=decided.round, application=decided.application)


def _url(letter):
    return reverse("admissions:letter_download", args=[letter.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_applicant_downloads_their_own_letter_as_an_attachment(region, letter):
    client = _applicant_client(letter.application.applicant, region)

    response = client.get(_url(letter))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f'filename="beslut-{letter.application.reference}-v1.pdf"' in disposition
    assert letter.application.personnummer not in disposition
    assert hashlib.sha256(_body(response)).hexdigest() == letter.sha256


def test_another_applicant_gets_a_404(region, letter):
    client = _applicant_client(UserFactory(), region)

    assert client.get(_url(letter)).status_code == 404


def test_staff_of_another_region_get_a_404(region, foreign_region, letter):
    client = staff_client(foreign_region)
    client.defaults["HTTP_HOST"] = "bortland.example.test"

    assert client.get(_url(letter)).status_code == 404


@pytest.mark.parametrize("role", [Role.INTAKE_OFFICER, Role.REGION_ADMIN])
def test_region_staff_download_any_letter_of_the_region(region, letter, role):
    client = staff_client(region, role=role)

    response = client.get(_url(letter))

    assert response.status_code == 200
    assert hashlib.sha256(_body(response)).hexdigest() == letter.sha256


def test_a_counsellor_downloads_letters_of_residents_only(region, letter):
    resident = staff_client(
        region, role=Role.COUNSELLOR, scope_municipality=letter.application.home_municipality
    )
    elsewhere = staff_client(
        region, role=Role.COUNSELLOR, scope_municipality=MunicipalityFactory(region=region)
    )

    assert resident.get(_url(letter)).status_code == 200
    assert elsewhere.get(_url(letter)).status_code == 404


def test_the_status_page_lists_every_version_and_marks_the_replaced_one(region, letter):
    corrected = letter_correct(letter=letter, reason="Fel datum.", acting_user=UserFactory())
    client = _applicant_client(letter.application.applicant, region)

    page = client.get(reverse("admissions:application_detail", args=[letter.application.pk]))

    html = page.content.decode()
    assert _url(letter) in html and _url(corrected) in html
    assert "Replaced by a corrected letter" in html
    assert "Corrected: Fel datum." in html


def test_the_intake_page_lists_the_letters(region, letter):
    client = staff_client(region)

    page = client.get(reverse("admissions:intake_application", args=[letter.application.pk]))

    assert _url(letter) in page.content.decode()
