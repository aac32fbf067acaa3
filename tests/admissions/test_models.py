"""Who sees which applications: the scoping rules of Application and Choice."""

import pytest
from django.db import IntegrityError

from accounts.models import Role
from admissions.applications.models import Application, Choice
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    MembershipFactory,
    MunicipalityFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def karlstad(region):
    return MunicipalityFactory(region=region, code="1780", name="Karlstad")


@pytest.fixture
def kil(region):
    return MunicipalityFactory(region=region, code="1715", name="Kil")


@pytest.fixture
def applications(region, foreign_region, karlstad, kil):
    return {
        "karlstad": ApplicationFactory(region=region, home_municipality=karlstad),
        "kil": ApplicationFactory(region=region, home_municipality=kil),
        "foreign": ApplicationFactory(region=foreign_region),
    }


def visible(membership) -> set[int]:
    return set(Application.objects.visible_to(membership).values_list("pk", flat=True))


@pytest.mark.parametrize("role", [Role.INTAKE_OFFICER, Role.REGION_ADMIN])
def test_the_intake_office_and_region_admins_see_every_application_of_their_region(
    region, applications, role
):
    membership = MembershipFactory(region=region, role=role)

    assert visible(membership) == {applications["karlstad"].pk, applications["kil"].pk}


def test_a_counsellor_sees_only_residents_of_their_municipality(region, applications, karlstad):
    membership = MembershipFactory(region=region, role=Role.COUNSELLOR, scope_municipality=karlstad)

    assert visible(membership) == {applications["karlstad"].pk}


def test_an_applicant_sees_only_their_own_application(region, applications):
    own = applications["kil"]
    membership = MembershipFactory(region=region, role=Role.APPLICANT, user=own.applicant)

    assert visible(membership) == {own.pk}


def test_an_applicant_of_another_region_sees_nothing_here(foreign_region, applications):
    own = applications["kil"]
    membership = MembershipFactory(region=foreign_region, role=Role.APPLICANT, user=own.applicant)

    assert visible(membership) == set()


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.COUNCIL_MEMBER])
def test_roles_without_access_to_applications_see_none(region, applications, role):
    assert visible(MembershipFactory(region=region, role=role)) == set()


def test_a_rector_and_a_coordinator_see_no_applications_yet(region, applications, karlstad):
    rector = MembershipFactory(region=region, role=Role.RECTOR, scope_municipality=karlstad)
    coordinator = MembershipFactory(
        region=region,
        role=Role.COORDINATOR,
        scope_centre=CentreFactory(region=region, host_municipality=karlstad),
    )

    assert visible(rector) == visible(coordinator) == set()


def test_nobody_signed_in_sees_nothing(applications):
    assert visible(None) == set()


def test_choices_follow_their_applications_visibility(region, applications, karlstad):
    mine = ChoiceFactory(application=applications["karlstad"])
    ChoiceFactory(application=applications["kil"])
    counsellor = MembershipFactory(region=region, role=Role.COUNSELLOR, scope_municipality=karlstad)

    assert list(Choice.objects.visible_to(counsellor)) == [mine]
    assert Choice.objects.for_region(region).count() == 2


def test_an_offering_can_be_chosen_only_once_per_application(applications):
    choice = ChoiceFactory(application=applications["kil"])

    with pytest.raises(IntegrityError):
        Choice.objects.create(application=choice.application, offering=choice.offering, rank=2)


def test_the_list_shows_a_masked_personnummer(applications):
    application = applications["kil"]

    assert application.masked_personnummer == f"{application.personnummer[:8]}-****"
