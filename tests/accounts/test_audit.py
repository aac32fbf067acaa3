"""Every write service records who did what, when and in which region."""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Role
from accounts.services import audit_record, membership_grant, region_upsert
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory, enrol_totp


def test_audit_record_keeps_who_what_when_and_where(region):
    user = UserFactory()
    municipality = MunicipalityFactory(region=region)
    entry = audit_record(
        acting_user=user,
        region=region,
        action="municipality.rename",
        target=municipality,
        role=Role.REGION_ADMIN,
        data={"name": "Ny", "password": "hemligt"},
    )
    assert entry.user == user and entry.user_email == user.email
    assert entry.region == region
    assert entry.object_type == "yrkescenter.municipality"
    assert entry.object_id == str(municipality.pk)
    assert entry.data == {"name": "Ny"}  # secrets never reach the log
    assert entry.at is not None


def test_membership_grant_is_audited_once_and_is_idempotent(region):
    user = UserFactory()
    admin = UserFactory()
    membership_grant(acting_user=admin, user=user, region=region, role=Role.INTAKE_OFFICER)
    membership_grant(acting_user=admin, user=user, region=region, role=Role.INTAKE_OFFICER)
    entries = AuditEntry.objects.filter(action="membership.grant")
    assert entries.count() == 1
    assert entries.get().user == admin


def test_membership_scope_from_another_region_is_refused(region, foreign_region):
    import pytest

    foreign_municipality = MunicipalityFactory(region=foreign_region)
    with pytest.raises(ValueError):
        membership_grant(
            acting_user=None,
            user=UserFactory(),
            region=region,
            role=Role.RECTOR,
            scope_municipality=foreign_municipality,
        )


def test_region_upsert_records_only_real_changes(db):
    region, changed = region_upsert(
        acting_user=None, slug="ny", name="Ny", hosts=["ny.example.test"]
    )
    assert changed
    _, changed_again = region_upsert(
        acting_user=None, slug="ny", name="Ny", hosts=["ny.example.test"]
    )
    assert not changed_again
    assert AuditEntry.objects.filter(region=region).count() == 1


def test_the_audit_log_page_shows_only_the_own_regions_entries(region, foreign_region):
    AuditEntry.objects.create(region=region, action="home.action", role=Role.INTAKE_OFFICER)
    AuditEntry.objects.create(region=foreign_region, action="foreign.action")
    membership = MembershipFactory(region=region, role=Role.REGION_ADMIN)
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test")
    client.force_login(membership.user)
    page = client.get(reverse("accounts:audit_log")).content
    assert b"home.action" in page
    with translation.override("sv"):
        assert str(Role.INTAKE_OFFICER.label).encode() in page  # the label, not "intake_officer"
    assert b"foreign.action" not in page
