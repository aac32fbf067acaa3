"""The Django admin serves region admins, scoped to their region, and audits every write."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Role
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
    enrol_totp,
)
from yrkescenter.models import Yrkescenter


@pytest.fixture
def admin_client(region):
    membership = MembershipFactory(region=region, role=Role.REGION_ADMIN)
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(membership.user)
    client.user = membership.user
    return client


def test_a_region_admin_lists_only_their_regions_centres(admin_client, region, foreign_region):
    CentreFactory(region=region, name="Hemcentret")
    CentreFactory(region=foreign_region, name="Bortcentret")
    page = admin_client.get(reverse("admin:yrkescenter_yrkescenter_changelist"))
    assert page.status_code == 200
    assert b"Hemcentret" in page.content
    assert b"Bortcentret" not in page.content


def test_a_new_row_gets_the_admins_region_and_only_its_choices(
    admin_client, region, foreign_region
):
    home_municipality = MunicipalityFactory(region=region, name="Hemby")
    foreign_municipality = MunicipalityFactory(region=foreign_region, name="Bortby")
    form = admin_client.get(reverse("admin:yrkescenter_yrkescenter_add"))
    assert b"Hemby" in form.content
    assert b"Bortby" not in form.content
    assert b'name="region"' not in form.content

    refused = admin_client.post(
        reverse("admin:yrkescenter_yrkescenter_add"),
        {"slug": "x", "name": "Smuggled", "host_municipality": foreign_municipality.pk},
    )
    assert refused.status_code == 200  # the form comes back with an error
    assert not Yrkescenter.objects.filter(name="Smuggled").exists()

    admin_client.post(
        reverse("admin:yrkescenter_yrkescenter_add"),
        {"slug": "nytt", "name": "Nya centret", "host_municipality": home_municipality.pk},
    )
    centre = Yrkescenter.objects.get(name="Nya centret")
    assert centre.region == region


def test_admin_writes_are_audited(admin_client, region):
    centre = CentreFactory(region=region, name="Gamla namnet")
    admin_client.post(
        reverse("admin:yrkescenter_yrkescenter_change", args=[centre.pk]),
        {
            "slug": centre.slug,
            "name": "Nya namnet",
            "host_municipality": centre.host_municipality_id,
        },
    )
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.region == region
    assert entry.user == admin_client.user
    assert entry.role == Role.REGION_ADMIN
    assert entry.object_id == str(centre.pk)


def test_the_audit_log_cannot_be_edited_in_the_admin(admin_client, region):
    entry = AuditEntry.objects.create(region=region, action="x")
    url = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert admin_client.get(url).status_code == 200  # view only
    admin_client.post(url, {"action": "rewritten"})
    entry.refresh_from_db()
    assert entry.action == "x"
    assert admin_client.get(reverse("admin:accounts_auditentry_add")).status_code == 403


def test_region_admins_cannot_manage_regions_or_users(admin_client):
    assert admin_client.get(reverse("admin:accounts_region_changelist")).status_code == 403
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_an_installation_operator_sees_every_region(region, foreign_region):
    operator = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(operator)
    CentreFactory(region=region, name="Hemcentret")
    CentreFactory(region=foreign_region, name="Bortcentret")
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(operator)
    page = client.get(reverse("admin:yrkescenter_yrkescenter_changelist"))
    assert b"Hemcentret" in page.content and b"Bortcentret" in page.content
