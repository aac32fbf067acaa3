"""The intake office's work queue: filters, search without identity numbers in URLs, masking,
sorting, paging with a constant number of queries, and each role's scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from admissions.applications import personnummer
from admissions.applications.models import (
    ApplicationStatus,
    CompletionRequest,
    SelectionGroupDecision,
)
from tests.admissions.intake_support import staff_client
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MunicipalityFactory,
    OfferingFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admissions:intake_queue")


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {application.reference for application in response.context["page"].object_list}


@pytest.fixture
def officer(region):
    return staff_client(region)


def test_it_lists_submitted_applications_of_the_region_only(officer, region, foreign_region):
    mine = ApplicationFactory(region=region)
    ApplicationFactory(region=foreign_region)
    draft = ApplicationFactory(region=region, status=ApplicationStatus.DRAFT, submitted_at=None)
    assert listed(officer.get(QUEUE)) == {mine.reference}
    assert listed(officer.get(QUEUE, {"status": "draft"})) == {draft.reference}


def test_it_filters_by_intake_period_centre_and_offering(officer, region):
    spring = IntakePeriodFactory(region=region)
    offering = OfferingFactory(region=region, intake_period=spring)
    wanted = ChoiceFactory(
        application=ApplicationFactory(region=region, intake_period=spring), offering=offering
    ).application
    other = ChoiceFactory(application=ApplicationFactory(region=region)).application
    assert listed(officer.get(QUEUE, {"intake_period": spring.pk})) == {wanted.reference}
    assert listed(officer.get(QUEUE, {"centre": offering.centre_id})) == {wanted.reference}
    assert listed(officer.get(QUEUE, {"offering": offering.pk})) == {wanted.reference}
    assert other.reference in listed(officer.get(QUEUE))


def test_it_filters_by_status(officer, region):
    withdrawn = ApplicationFactory(region=region, status=ApplicationStatus.WITHDRAWN)
    ApplicationFactory(region=region)
    assert listed(officer.get(QUEUE, {"status": "withdrawn"})) == {withdrawn.reference}


def test_it_filters_by_home_municipality(officer, region):
    karlstad = MunicipalityFactory(region=region)
    resident = ApplicationFactory(region=region, home_municipality=karlstad)
    ApplicationFactory(region=region)
    assert listed(officer.get(QUEUE, {"municipality": karlstad.pk})) == {resident.reference}


def test_missing_documents_lists_applications_with_an_open_completion_request(officer, region):
    waiting = ApplicationFactory(region=region)
    answered = ApplicationFactory(region=region)
    ApplicationFactory(region=region)
    deadline = timezone.localdate() + dt.timedelta(days=7)
    CompletionRequest.objects.create(
        application=waiting, missing=["cv"], deadline=deadline, requested_by=officer.user
    )
    CompletionRequest.objects.create(
        application=answered,
        missing=["cv"],
        deadline=deadline,
        requested_by=officer.user,
        answered_at=timezone.now(),
    )
    response = officer.get(QUEUE, {"missing_documents": "on"})
    assert listed(response) == {waiting.reference}
    assert "Incomplete" in response.content.decode()


def test_the_selection_group_filter_uses_the_current_group_of_any_choice(officer, region):
    first = ChoiceFactory(application=ApplicationFactory(region=region))
    second = ChoiceFactory(application=ApplicationFactory(region=region))
    for choice, groups in ((first, [5, 3]), (second, [3, 5])):
        for group in groups:
            SelectionGroupDecision.objects.create(
                choice=choice, group=group, evidence="x", decided_by=officer.user
            )
    # Only the latest decision counts: the second application's group 3 was corrected.
    assert listed(officer.get(QUEUE, {"selection_group": 3})) == {first.application.reference}
    assert listed(officer.get(QUEUE, {"selection_group": 5})) == {second.application.reference}


def test_it_sorts_by_name_reference_submitted_and_municipality(officer, region):
    alfa = MunicipalityFactory(region=region, name="Alfa")
    beta = MunicipalityFactory(region=region, name="Beta")
    a = ApplicationFactory(region=region, last_name="Öberg", home_municipality=alfa)
    b = ApplicationFactory(region=region, last_name="Andersson", home_municipality=beta)
    b.submitted_at = a.submitted_at - dt.timedelta(days=1)
    b.save(update_fields=["submitted_at"])

    def order(sort):
        response = officer.get(QUEUE, {"sort": sort})
        return [x.reference for x in response.context["page"].object_list]

    assert order("name") == [b.reference, a.reference]
    assert order("reference") == sorted([a.reference, b.reference])
    assert order("-reference") == sorted([a.reference, b.reference], reverse=True)
    assert order("submitted") == [b.reference, a.reference]
    assert order("municipality") == [a.reference, b.reference]
    assert order("-municipality") == [b.reference, a.reference]


def _search(client, term, **filters):
    url = f"{QUEUE}?{'&'.join(f'{k}={v}' for k, v in filters.items())}" if filters else QUEUE
    return client.post(url, {"q": term})


def test_search_by_name_and_by_reference(officer, region):
    maja = ApplicationFactory(region=region, first_name="Maja", last_name="Lind")
    other = ApplicationFactory(region=region, first_name="Per", last_name="Holm")
    response = officer.get(_search(officer, "maja lind")["Location"])
    assert listed(response) == {maja.reference}
    response = officer.get(_search(officer, other.reference)["Location"])
    assert listed(response) == {other.reference}


@pytest.mark.parametrize("typed", ["full", "ten_digits", "with_spaces"])
def test_search_by_identity_number_keeps_it_out_of_every_url(officer, region, typed):
    number = personnummer.build(dt.date(1985, 3, 12), 123)
    person = ApplicationFactory(region=region, personnummer=number)
    ApplicationFactory(region=region, personnummer=personnummer.build(dt.date(1985, 3, 12), 124))
    term = {
        "full": number,
        "ten_digits": f"{number[2:8]}-{number[8:]}",
        "with_spaces": f"{number[:8]} {number[8:]}",
    }[typed]
    posted = _search(officer, term, status="submitted")
    assert posted.status_code == 302
    location = posted["Location"]
    assert number not in location and number[2:8] not in location and number[8:] not in location
    assert "status=submitted" in location
    response = officer.get(location)
    assert listed(response) == {person.reference}
    page = response.content.decode()
    assert number not in page
    # Paging links keep the search by its token, not by the number.
    assert "search=" in response.context["page_query"]
    assert number not in response.context["page_query"]


def test_a_search_on_the_query_string_is_not_accepted(officer, region):
    number = personnummer.build(dt.date(1985, 3, 12), 123)
    ApplicationFactory(region=region, personnummer=number)
    ApplicationFactory(region=region)
    # Only a token from this session's own searches counts: a number in a URL finds nothing.
    assert len(listed(officer.get(QUEUE, {"search": number, "q": number}))) == 2


def test_identity_numbers_are_masked_in_the_queue(officer, region):
    number = personnummer.build(dt.date(1990, 1, 2), 55)
    ApplicationFactory(region=region, personnummer=number)
    page = officer.get(QUEUE).content.decode()
    assert number not in page
    assert number[8:] not in page
    assert personnummer.mask(number) in page


def _queries_for(client, per_page) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, {"per_page": per_page})
    assert len(response.context["page"].object_list) == per_page
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_page_size(officer, region):
    offerings = [OfferingFactory(region=region) for _ in range(3)]
    for _ in range(100):
        application = ApplicationFactory(region=region)
        for rank, offering in enumerate(offerings, start=1):
            ChoiceFactory(application=application, offering=offering, rank=rank)
    assert _queries_for(officer, 25) == _queries_for(officer, 100)


def test_a_counsellor_sees_only_residents_of_their_municipality(region):
    home = MunicipalityFactory(region=region)
    resident = ApplicationFactory(region=region, home_municipality=home)
    ApplicationFactory(region=region)
    counsellor = staff_client(region, Role.COUNSELLOR, scope_municipality=home)
    response = counsellor.get(QUEUE)
    assert listed(response) == {resident.reference}
    # Read-only: no bulk actions.
    assert "mark_eligible" not in response.content.decode()


def test_a_coordinator_sees_only_applications_with_a_choice_at_their_centre(region):
    centre = CentreFactory(region=region)
    mine = ChoiceFactory(
        application=ApplicationFactory(region=region),
        offering=OfferingFactory(region=region, centre=centre),
        rank=2,
    ).application
    ChoiceFactory(application=ApplicationFactory(region=region))
    coordinator = staff_client(region, Role.COORDINATOR, scope_centre=centre)
    assert listed(coordinator.get(QUEUE)) == {mine.reference}


@pytest.mark.parametrize("role", [Role.COUNCIL_MEMBER, Role.ASSESSOR, Role.RECTOR, Role.APPLICANT])
def test_other_roles_may_not_open_the_queue(region, role):
    scope = {}
    if role == Role.RECTOR:
        scope["scope_municipality"] = MunicipalityFactory(region=region)
    client = staff_client(region, role, **scope)
    assert client.get(QUEUE).status_code == 403


def test_the_nav_links_the_queue_for_the_intake_office(officer, region):
    assert f'href="{QUEUE}"' in officer.get(reverse("accounts:start")).content.decode()


def test_the_nav_hides_the_queue_from_an_applicant(region):
    applicant = staff_client(region, Role.APPLICANT)
    assert f'href="{QUEUE}"' not in applicant.get(reverse("accounts:start")).content.decode()
