"""The intake office sees validation results on the application: the page loads a fragment of
validation's with htmx (admissions imports nothing of validation), showing the current result
per area, the credited courses and vp, whether each result is final, the certificate's code and
a sentence to cite as evidence for eligibility or a selection group."""

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


def _fragment_url(application):
    return reverse("validation:application_results", args=[application.pk])


def _fragment(client, application) -> str:
    response = client.get(_fragment_url(application), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_application_page_loads_the_results_fragment_for_the_intake_office(region):
    application = application_for(region)
    officer = cs.client_for(cs.member(region, Role.INTAKE_OFFICER))

    page = officer.get(reverse("admissions:intake_application", args=[application.pk]))

    html = page.content.decode()
    assert f'hx-get="{_fragment_url(application)}"' in html
    assert 'hx-trigger="load"' in html
    # Without scripts, a plain link gets there too.
    assert f'<a href="{_fragment_url(application)}">' in html


def test_the_application_page_of_a_counsellor_does_not_ask_for_the_fragment(region):
    application = application_for(region)
    counsellor = cs.member(
        region, Role.COUNSELLOR, scope_municipality=application.home_municipality
    )

    page = cs.client_for(counsellor).get(
        reverse("admissions:intake_application", args=[application.pk])
    )

    assert page.status_code == 200
    assert _fragment_url(application) not in page.content.decode()


def test_the_intake_office_sees_final_results_courses_vp_the_code_and_what_to_cite(region):
    decided = decided_case(
        region, outcomes={"grund": Outcome.VALIDATED, "mig": Outcome.PARTLY}, four_eyes=True
    )
    certificate = issued(decided)
    case = decided.case
    mig_first = case.standard.areas.get(code="mig").courses.order_by("code").first()
    officer = cs.client_for(cs.member(region, Role.INTAKE_OFFICER))

    html = _fragment(officer, case.application)

    assert html.lstrip().startswith('<section id="validation-results"')
    assert "<html" not in html
    assert case.reference in html
    assert "Validated: course credited" in html
    assert "Partly validated" in html
    assert f"{mig_first.name} ({mig_first.code}, 100 vp)" in html
    assert "Final" in html and "Awaiting sign-off" not in html
    assert "Credited to the study path: 200 vp." in html
    assert certificate.verification_code in html
    assert (
        f"Validation {case.reference}, Standard svets (en): Area grund validated, "
        f"Area mig partly validated (certificate {certificate.verification_code})"
    ) in html


def test_a_result_awaiting_sign_off_is_marked_and_not_offered_for_citing(region):
    application = application_for(region)
    the_standard = cs.standard(region, four_eyes=True, areas=(("grund", 1),))
    by = cs.assessor(region)
    case = services.case_open_from_application(
        acting_user=by, application=application, standard=the_standard
    )
    case = services.case_map(acting_user=by, case=case, areas=the_standard.areas.all())
    services.result_record(
        acting_user=by,
        case=case,
        area=the_standard.areas.get(),
        outcome=Outcome.VALIDATED,
        evidence="Provsvetsning godkänd.",
        method=Method.PRACTICAL_CENTRE,
    )
    officer = cs.client_for(cs.member(region, Role.INTAKE_OFFICER))

    html = _fragment(officer, application)

    assert "Awaiting sign-off" in html
    assert "To cite as evidence" not in html
    assert "cannot be cited as evidence" in html


def test_an_application_without_a_case_says_so(region):
    application = application_for(region)
    admin = cs.client_for(cs.member(region, Role.REGION_ADMIN))

    html = _fragment(admin, application)

    assert "has not opened a case for this application yet" in html


def test_without_htmx_the_fragment_is_a_page_of_its_own(region):
    decided = decided_case(region)
    officer = cs.client_for(cs.member(region, Role.INTAKE_OFFICER))

    response = officer.get(_fragment_url(decided.case.application))

    html = response.content.decode()
    assert "<html" in html
    assert reverse("admissions:intake_application", args=[decided.case.application.pk]) in html
    assert decided.case.reference in html


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.ASSESSOR, Role.APPLICANT])
def test_other_roles_may_not_read_the_fragment(region, role):
    application = application_for(region)
    scope = {"scope_municipality": application.home_municipality} if role == Role.COUNSELLOR else {}

    response = cs.client_for(cs.member(region, role, **scope)).get(_fragment_url(application))

    assert response.status_code == 403


def test_a_foreign_application_is_a_404(region, foreign_region):
    foreign = application_for(foreign_region)
    officer = cs.client_for(cs.member(region, Role.INTAKE_OFFICER))

    assert officer.get(_fragment_url(foreign)).status_code == 404
