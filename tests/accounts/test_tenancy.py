"""The region comes from the host; reads are scoped to it; outside the scope is a 404."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.selectors import region_for_host
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    RegionFactory,
    RegionHostFactory,
    UserFactory,
    enrol_totp,
)
from yrkescenter.models import Offering, Yrkescenter


def test_it_resolves_the_region_from_the_host_name(region, foreign_region):
    assert region_for_host("hemland.example.test") == region
    assert region_for_host("BORTLAND.example.test:8443") == foreign_region


def test_a_region_may_have_several_host_names(region):
    RegionHostFactory(region=region, host="yrkesvux.hemland.example.test")
    assert region_for_host("yrkesvux.hemland.example.test") == region


def test_an_unknown_host_falls_back_to_the_default_region(settings, region, foreign_region):
    settings.DEFAULT_REGION_SLUG = "bortland"
    assert region_for_host("localhost") == foreign_region


def test_a_single_region_install_falls_back_to_its_only_region(settings, region):
    settings.DEFAULT_REGION_SLUG = "no-such-region"
    assert region_for_host("localhost") == region


def test_with_several_regions_and_no_default_an_unknown_host_has_no_region(
    settings, region, foreign_region
):
    settings.DEFAULT_REGION_SLUG = "no-such-region"
    assert region_for_host("localhost") is None


def test_for_region_returns_only_that_regions_rows(region, foreign_region):
    home = CentreFactory(region=region)
    CentreFactory(region=foreign_region)
    assert list(Yrkescenter.objects.for_region(region)) == [home]
    assert Yrkescenter.objects.for_region(None).count() == 0


def test_a_coordinator_sees_only_the_offerings_of_their_centre(region):
    mine = OfferingFactory(region=region)
    OfferingFactory(region=region)
    coordinator = MembershipFactory(region=region, role=Role.COORDINATOR, scope_centre=mine.centre)
    assert list(Offering.objects.visible_to(coordinator)) == [mine]


def test_nobody_without_a_membership_sees_anything(region):
    OfferingFactory(region=region)
    assert Offering.objects.visible_to(None).count() == 0


def test_it_hides_foreign_regions_centres_as_404(region, foreign_region):
    foreign = CentreFactory(region=foreign_region)
    home = CentreFactory(region=region)
    client = Client(HTTP_HOST="hemland.example.test")
    url = reverse("yrkescenter:centre_detail", args=[foreign.pk])
    missing = reverse("yrkescenter:centre_detail", args=[foreign.pk + home.pk + 1000])
    assert client.get(url).status_code == 404
    assert client.get(missing).status_code == 404
    assert client.get(reverse("yrkescenter:centre_detail", args=[home.pk])).status_code == 200
    other_host = Client(HTTP_HOST="bortland.example.test")
    assert other_host.get(url).status_code == 200


def test_the_membership_acts_only_in_its_own_region(region, foreign_region):
    user = UserFactory()
    enrol_totp(user)
    MembershipFactory(user=user, region=region, role=Role.REGION_ADMIN)
    client = Client(HTTP_HOST="bortland.example.test")
    client.force_login(user)
    assert client.get(reverse("accounts:audit_log")).status_code == 403
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(user)
    assert client.get(reverse("accounts:audit_log")).status_code == 200


def test_a_membership_scope_must_match_its_role(region):
    from django.db import IntegrityError, transaction

    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, region=region, role=Role.RECTOR)
    municipality = MunicipalityFactory(region=region)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, region=region, role=Role.INTAKE_OFFICER, scope_municipality=municipality
        )
    Membership.objects.create(
        user=user, region=region, role=Role.RECTOR, scope_municipality=municipality
    )


def test_a_user_with_two_roles_can_switch_between_them(region):
    user = UserFactory()
    enrol_totp(user)
    admin = MembershipFactory(user=user, region=region, role=Role.REGION_ADMIN)
    officer = MembershipFactory(user=user, region=region, role=Role.INTAKE_OFFICER)
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(user)
    assert client.get(reverse("accounts:audit_log")).status_code == 200
    client.post(reverse("accounts:switch_role"), {"membership": officer.pk})
    assert client.get(reverse("accounts:audit_log")).status_code == 403
    client.post(reverse("accounts:switch_role"), {"membership": admin.pk})
    assert client.get(reverse("accounts:audit_log")).status_code == 200


def test_switching_to_a_membership_of_someone_else_is_a_404(region):
    user = UserFactory()
    other = MembershipFactory(region=region, role=Role.REGION_ADMIN)
    MembershipFactory(user=user, region=region, role=Role.APPLICANT)
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(user)
    response = client.post(reverse("accounts:switch_role"), {"membership": other.pk})
    assert response.status_code == 404


def test_login_is_required_by_default(region):
    client = Client(HTTP_HOST="hemland.example.test")
    response = client.get(reverse("accounts:start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_public_pages_are_open(region):
    client = Client(HTTP_HOST="hemland.example.test")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("yrkescenter:centre_list")).status_code == 200


def test_a_region_of_its_own_proves_nothing_is_hard_coded(db):
    fjall = RegionFactory(slug="fjallbygden", name="Fjällbygden")
    RegionHostFactory(region=fjall, host="fjall.example.test")
    centre = CentreFactory(region=fjall, name="Fjällcentret")
    client = Client(HTTP_HOST="fjall.example.test")
    page = client.get(reverse("yrkescenter:centre_list")).content.decode()
    assert "Fjällcentret" in page
    assert "Fjällbygden" in page
    assert client.get(reverse("yrkescenter:centre_detail", args=[centre.pk])).status_code == 200
