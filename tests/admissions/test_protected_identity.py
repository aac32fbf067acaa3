"""Protected personal data (skyddade personuppgifter): the address is never stored, only the
intake office's named officers see the application, and the letter goes only to the portal."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from admissions.applications.models import Application
from admissions.applications.services.applications import application_draft_save
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.rounds import letters
from admissions.rounds.models import Outcome, RoundResult

# The shared fixtures (applicant, offerings, private media...) come with the star import.
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.intake_support import staff_client
from tests.admissions.letters_support import decided_application, published_round
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Hemliga Skyddsberg"
LAST_NAME = NAME.split()[1]  # every page that names a person shows the last name


def step_url(application, step):
    return reverse("admissions:application_step", kwargs={"pk": application.pk, "step": step})


@pytest.fixture
def draft(applicant_client, offerings):
    applicant_client.post(reverse("admissions:apply_start", args=[offerings[0].pk]))
    return Application.objects.get()


@pytest.fixture
def scope(region):
    """A municipality and a centre, with a protected resident who chose the centre."""
    municipality = MunicipalityFactory(region=region)
    centre = CentreFactory(region=region, host_municipality=municipality)
    offering = OfferingFactory(region=region, centre=centre)
    first, last = NAME.split()
    protected = ApplicationFactory(
        region=region,
        intake_period=offering.intake_period,
        home_municipality=municipality,
        first_name=first,
        last_name=last,
        protected_identity=True,
    )
    choice = ChoiceFactory(application=protected, offering=offering)
    return {
        "municipality": municipality,
        "centre": centre,
        "application": protected,
        "choice": choice,
    }


def _named_officer(region):
    return staff_client(region, Role.INTAKE_OFFICER, handles_protected_identity=True)


# --- the applicant's form --------------------------------------------------------------------


def test_the_form_saves_no_address_for_protected_personal_data(applicant_client, draft, karlstad):
    response = applicant_client.post(
        step_url(draft, "contact"),
        {
            "protected_identity": "on",
            "email": "hemlig@example.test",
            "street_address": "Hemliga gatan 1",
            "postal_code": "65224",
            "city": "Karlstad",
            "home_municipality": karlstad.pk,
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.protected_identity is True
    assert (draft.street_address, draft.postal_code, draft.city) == ("", "", "")
    assert draft.email == "hemlig@example.test"
    assert draft.home_municipality == karlstad


def test_an_address_typed_later_is_not_saved_either(applicant, draft):
    application_draft_save(
        acting_user=applicant,
        application=draft,
        step="contact",
        values={"protected_identity": True},
    )
    application_draft_save(
        acting_user=applicant,
        application=draft,
        step="contact",
        values={"street_address": "Storgatan 1", "city": "Arvika"},
    )

    draft.refresh_from_db()
    assert (draft.street_address, draft.city) == ("", "")


def test_the_database_refuses_an_address_on_a_protected_application(region):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(region=region, protected_identity=True, street_address="Storgatan 1")


def test_only_intake_officers_can_be_named_for_protected_personal_data(region):
    municipality = MunicipalityFactory(region=region)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            region=region,
            role=Role.COUNSELLOR,
            scope_municipality=municipality,
            handles_protected_identity=True,
        )


# --- who sees it ------------------------------------------------------------------------------


def test_only_named_officers_and_the_owner_see_the_application(region, scope):
    protected = scope["application"]
    named = MembershipFactory(region=region, handles_protected_identity=True)
    owner = MembershipFactory(region=region, role=Role.APPLICANT, user=protected.applicant)
    others = [
        MembershipFactory(region=region, role=Role.INTAKE_OFFICER),
        MembershipFactory(region=region, role=Role.REGION_ADMIN),
        MembershipFactory(
            region=region, role=Role.COUNSELLOR, scope_municipality=scope["municipality"]
        ),
        MembershipFactory(region=region, role=Role.COORDINATOR, scope_centre=scope["centre"]),
    ]

    assert list(Application.objects.visible_to(named)) == [protected]
    assert list(Application.objects.visible_to(owner)) == [protected]
    for membership in others:
        assert not Application.objects.visible_to(membership).exists(), membership.role


def test_the_students_lists_hide_a_protected_student(region, scope):
    protected, choice = scope["application"], scope["choice"]
    Enrolment.objects.create(
        application=protected,
        choice=choice,
        offering=choice.offering,
        started_on=choice.offering.starts_on,
        status=EnrolmentStatus.STARTED,
    )
    coordinator = MembershipFactory(
        region=region, role=Role.COORDINATOR, scope_centre=scope["centre"]
    )
    named = MembershipFactory(region=region, handles_protected_identity=True)

    assert not Enrolment.objects.visible_to(coordinator).exists()
    assert Enrolment.objects.visible_to(named).count() == 1


def test_the_application_page_is_a_404_except_for_a_named_officer(region, scope):
    url = reverse("admissions:intake_application", args=[scope["application"].pk])

    assert staff_client(region).get(url).status_code == 404
    page = _named_officer(region).get(url)
    assert page.status_code == 200
    assert "Protected personal data (skyddade personuppgifter)" in page.content.decode()


def test_the_queue_and_its_search_leave_the_person_out(region, scope):
    protected = scope["application"]
    queue = reverse("admissions:intake_queue")
    officer = staff_client(region)

    for client, found in ((officer, False), (_named_officer(region), True)):
        assert (LAST_NAME in client.get(queue).content.decode()) is found
        searched = client.post(queue, {"q": protected.personnummer})
        assert (LAST_NAME in client.get(searched["Location"]).content.decode()) is found


def test_a_rounds_lists_say_how_many_are_not_listed_and_name_none(region, scope):
    protected, choice = scope["application"], scope["choice"]
    admission_round = published_round(region, protected.intake_period)
    RoundResult.objects.create(
        round=admission_round,
        choice=choice,
        application=protected,
        offering=choice.offering,
        outcome=Outcome.ADMITTED,
        group=3,
        lottery=0.3,
    )
    admission_round.cutoffs.create(offering=choice.offering, admitted=1, waiting=0)
    url = reverse("admissions:round_results", args=[admission_round.pk])
    listing = f"{url}?offering={choice.offering_id}"
    explained = f"{url}?reference={protected.reference}"

    officer = staff_client(region)
    page = officer.get(listing).content.decode()
    assert LAST_NAME not in page
    assert "1 person with protected personal data" in page
    assert LAST_NAME not in officer.get(explained).content.decode()

    named = _named_officer(region)
    assert LAST_NAME in named.get(listing).content.decode()
    assert LAST_NAME in named.get(explained).content.decode()


# --- the letter -------------------------------------------------------------------------------


def test_the_letter_carries_no_address_and_says_it_is_in_the_portal_only(region):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language="en")
    application = decided.application
    Application.objects.filter(pk=application.pk).update(
        protected_identity=True, street_address="", postal_code="", city=""
    )
    application.refresh_from_db()
    data = letters.letter_data(round=decided.round, application=application)

    html = letters.letter_html(data, issued_on=decided.round.answer_deadline)

    assert "Storgatan" not in html
    assert "Delivered in Yrkesporten only (protected personal data): not sent by post." in html
