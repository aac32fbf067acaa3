"""The person's own validation page: their cases, once opened from the validation request in
their application, with status, results per area as they become final, appointments and the
certificates to download; nobody else's."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    application_for,
    certificates_media,  # noqa: F401
    decided_case,
    issued,
)
from validation import services
from validation.models import Method, Outcome

pytestmark = pytest.mark.usefixtures("certificates_media")

URL = reverse("validation:my_validations")


def _page(user_or_client) -> str:
    client = user_or_client
    if not hasattr(client, "get"):
        client = cs.client_for(user_or_client)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_a_request_in_the_application_shows_as_waiting_until_a_case_is_opened(region):
    application = application_for(region)

    page = _page(application.applicant)

    assert f"You asked for validation in your application {application.reference}" in page
    assert "You have no validation case." not in page


def test_the_person_sees_the_case_opened_from_their_application(region):
    application = application_for(region)
    the_standard = cs.standard(region, four_eyes=True)
    assessor = cs.assessor(region)

    case = services.case_open_from_application(
        acting_user=assessor, application=application, standard=the_standard
    )
    page = _page(application.applicant)

    assert case.person == application.applicant
    assert case.reference in page
    assert "Standard svets (en)" in page
    assert "Mapping" in page
    assert "You asked for validation in your application" not in page


def test_results_show_once_final_and_appointments_while_upcoming(region):
    application = application_for(region)
    the_standard = cs.standard(region, four_eyes=True)
    first, second = cs.assessor(region), cs.assessor(region)
    case = services.case_open_from_application(
        acting_user=first, application=application, standard=the_standard
    )
    case = services.case_map(acting_user=first, case=case, areas=the_standard.areas.all())
    grund = the_standard.areas.get(code="grund")
    services.appointment_book(
        acting_user=first,
        case=case,
        area=grund,
        starts_at=cs.at(3, 9),
        ends_at=cs.at(3, 12),
        place="Yrkescenter Karlstad, verkstad 2",
        method=Method.PRACTICAL_CENTRE,
        assessor=first,
    )
    result = services.result_record(
        acting_user=first,
        case=case,
        area=grund,
        outcome=Outcome.VALIDATED,
        evidence="Provsvetsning godkänd.",
        method=Method.PRACTICAL_CENTRE,
    )

    person = cs.client_for(application.applicant)
    waiting = _page(person)
    services.result_sign_off(acting_user=second, result=result)
    signed = _page(person)

    assert "Yrkescenter Karlstad, verkstad 2" in waiting
    assert "Awaiting a second assessor's sign-off" in waiting
    assert "Validated: course credited" not in waiting
    assert "Validated: course credited" in signed
    assert grund.courses.get().code in signed
    assert "Not assessed yet" in signed  # the other area


def test_a_decided_case_offers_its_certificates_for_download(region):
    decided = decided_case(region)
    certificate = issued(decided)

    page = _page(decided.case.person)

    assert reverse("validation:certificate_download", args=[certificate.pk]) in page
    assert certificate.verification_code in page
    assert "Credited in total: 300 vp." in page
    assert reverse("validation:verify") in page


def test_nobody_sees_another_persons_case(region):
    decided_case(region)
    stranger = application_for(region).applicant

    page = _page(stranger)

    assert "VAL-" not in page


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.INTAKE_OFFICER, Role.COUNCIL_MEMBER])
def test_staff_have_no_own_validation_page(region, role):
    assert cs.client_for(cs.member(region, role)).get(URL).status_code == 403
