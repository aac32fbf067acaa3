"""seed_demo: the demo region, offerings, synthetic applicants and one account per role."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.utils import timezone

from accounts.models import STAFF_ROLES, AuditEntry, Membership, Role, User
from admissions import personnummer
from admissions.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, INTAKE_PERIOD
from admissions.management.commands.seed_demo import totp_code
from admissions.models import Application, Choice
from yrkescenter.models import Offering

pytestmark = pytest.mark.django_db


def seed(applicants: int = 12) -> str:
    out = StringIO()
    call_command("seed_demo", "--applicants", str(applicants), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "offerings": Offering.objects.count(),
        "applications": Application.objects.count(),
        "choices": Choice.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_it_loads_the_region_and_opens_the_intake_period_with_offerings_at_every_centre():
    seed()

    offerings = Offering.objects.filter(intake_period__code=INTAKE_PERIOD["code"])
    per_centre = {}
    for offering in offerings.select_related("centre"):
        per_centre[offering.centre.slug] = per_centre.get(offering.centre.slug, 0) + 1
    assert sorted(per_centre) == ["arvika", "hagfors", "karlstad", "kristinehamn", "sunne"]
    assert all(2 <= n <= 4 for n in per_centre.values())
    for offering in offerings:
        assert 12 <= offering.seats <= 24
        assert offering.state_funded_seats <= offering.seats
        assert offering.application_opens < timezone.now() < offering.application_closes
        assert offering.application_closes.date() < offering.starts_on


def test_it_creates_one_demo_user_per_role_with_the_right_scope():
    seed()

    memberships = {
        m.role: m
        for m in Membership.objects.filter(
            region__slug="varmland", user__email__endswith="@demo.yrkesporten.se"
        ).select_related("scope_municipality", "scope_centre", "user")
    }
    assert set(memberships) == set(Role.values)
    for role in (Role.COUNSELLOR, Role.RECTOR):
        assert memberships[role].scope_municipality.name == "Karlstad"
    coordinator = memberships[Role.COORDINATOR]
    assert coordinator.scope_centre.host_municipality.name == "Karlstad"
    for membership in memberships.values():
        user = membership.user
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(
            user=user, email=user.email, verified=True, primary=True
        ).exists()


def test_staff_demo_users_have_the_documented_totp_secret_and_applicants_none():
    output = seed()

    for membership in Membership.objects.filter(user__email__endswith="@demo.yrkesporten.se"):
        authenticators = Authenticator.objects.filter(
            user=membership.user, type=Authenticator.Type.TOTP
        )
        if membership.role in STAFF_ROLES:
            assert decrypt(authenticators.get().data["secret"]) == DEMO_TOTP_SECRET
        else:
            assert not authenticators.exists()
    assert DEMO_TOTP_SECRET in output
    assert "demonstration only" in output
    assert len(totp_code(DEMO_TOTP_SECRET)) == 6


def test_synthetic_applicants_have_valid_or_no_personnummer_and_ranked_choices():
    seed(applicants=30)

    applications = Application.objects.filter(region__slug="varmland")
    assert applications.count() == 31  # 30 synthetic and the demo applicant's
    for application in applications.prefetch_related("choices"):
        if application.personnummer:
            assert personnummer.is_valid(application.personnummer)
            assert personnummer.birth_date(application.personnummer) == application.birth_date
        ranks = sorted(choice.rank for choice in application.choices.all())
        assert ranks == list(range(1, len(ranks) + 1))
        assert 1 <= len(ranks) <= 5


# flush cannot run inside the test's transaction on PostgreSQL (deferred constraint triggers).
@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_applicants():
    seed(applicants=5)
    first = list(Application.objects.order_by("reference").values_list("reference", "last_name"))
    call_command("flush", "--no-input", verbosity=0)

    seed(applicants=5)

    assert (
        list(Application.objects.order_by("reference").values_list("reference", "last_name"))
        == first
    )


def test_seeding_twice_adds_nothing():
    seed()
    before = counts()

    seed()

    assert counts() == before
