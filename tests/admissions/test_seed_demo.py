"""seed_demo: the demo region, offerings, synthetic applicants and one account per role; and the
past term HT 2026, admitted, answered and started."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.utils import timezone

from accounts.models import STAFF_ROLES, AuditEntry, Membership, Role, User
from admissions.applications import personnummer
from admissions.applications.models import Application, Choice, EligibilityDecision
from admissions.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, INTAKE_PERIOD, PAST_PERIOD
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.management.commands.seed_demo import totp_code
from admissions.rounds.models import AdmissionRound, DecisionLetter, Offer, OfferAnswer, RoundStatus
from yrkescenter.models import Offering

pytestmark = pytest.mark.django_db


def seed(applicants: int = 12, past_applicants: int = 8) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--applicants",
        str(applicants),
        "--past-applicants",
        str(past_applicants),
        stdout=out,
    )
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "offerings": Offering.objects.count(),
        "applications": Application.objects.count(),
        "choices": Choice.objects.count(),
        "eligibility": EligibilityDecision.objects.count(),
        "rounds": AdmissionRound.objects.count(),
        "offers": Offer.objects.count(),
        "answers": OfferAnswer.objects.count(),
        "enrolments": Enrolment.objects.count(),
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

    applications = Application.objects.filter(
        region__slug="varmland", intake_period__code=INTAKE_PERIOD["code"]
    )
    assert applications.count() == 31  # 30 synthetic and the demo applicant's
    for application in applications.prefetch_related("choices"):
        if application.personnummer:
            assert personnummer.is_valid(application.personnummer)
            assert personnummer.birth_date(application.personnummer) == application.birth_date
        ranks = sorted(choice.rank for choice in application.choices.all())
        assert ranks == list(range(1, len(ranks) + 1))
        assert 1 <= len(ranks) <= 5


@pytest.fixture
def private_media(settings, tmp_path):
    # Publishing the past term's round writes decision letters after the commit.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


def past_term_rows():
    return {
        "applications": list(
            Application.objects.order_by("reference").values_list("reference", "last_name")
        ),
        "enrolments": list(
            Enrolment.objects.order_by("application__reference").values_list(
                "application__reference", "status", "started_on", "ended_on", "interruption_reason"
            )
        ),
    }


# flush cannot run inside the test's transaction on PostgreSQL (deferred constraint triggers).
@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_applicants_and_students(private_media):
    seed(applicants=5, past_applicants=6)
    first = past_term_rows()
    assert first["enrolments"]
    call_command("flush", "--no-input", verbosity=0)

    seed(applicants=5, past_applicants=6)

    assert past_term_rows() == first
    # The past term's round was published for real: its letters were written after the commit.
    assert DecisionLetter.objects.filter(round__intake_period__code=PAST_PERIOD["code"]).exists()


def test_seeding_twice_adds_nothing():
    seed()
    before = counts()

    seed()

    assert counts() == before


def test_the_past_term_has_admitted_started_and_stopped_students():
    output = seed(applicants=0, past_applicants=60)

    period = PAST_PERIOD["code"]
    offerings = Offering.objects.filter(intake_period__code=period).select_related("centre")
    assert {o.centre.slug for o in offerings} == {
        "arvika",
        "hagfors",
        "karlstad",
        "kristinehamn",
        "sunne",
    }
    for offering in offerings:
        assert offering.starts_on == dt.date(2026, 8, 17)
        assert 2 <= offering.state_funded_seats <= 4
    applications = Application.objects.filter(intake_period__code=period)
    assert applications.count() == 61  # 60 synthetic and the demo applicant's
    outside = applications.filter(home_municipality__is_party=False)
    assert 2 <= outside.count() <= 3
    [main_round] = AdmissionRound.objects.filter(intake_period__code=period)
    assert main_round.status == RoundStatus.PUBLISHED
    answers = Counter(
        OfferAnswer.objects.filter(offer__round=main_round).values_list("kind", flat=True)
    )
    assert answers["accepted"] > 0.8 * main_round.offers.count()
    enrolments = Enrolment.objects.filter(offering__intake_period__code=period)
    statuses = Counter(enrolments.values_list("status", flat=True))
    assert statuses[EnrolmentStatus.STARTED] >= 40
    assert 3 <= statuses[EnrolmentStatus.INTERRUPTED] <= 12
    assert enrolments.filter(started_on=dt.date(2026, 8, 17)).count() > 0.8 * enrolments.count()
    stops = enrolments.filter(status=EnrolmentStatus.INTERRUPTED)
    assert len({stop.interruption_reason for stop in stops}) >= 3
    for stop in stops:
        assert dt.date(2026, 10, 1) <= stop.ended_on <= dt.date(2026, 11, 30)
    # Every enrolment rests on an accepted seat.
    for enrolment in enrolments.select_related("choice"):
        offer = Offer.objects.filter(application=enrolment.application).get()
        assert offer.choice == enrolment.choice and offer.answer.kind == "accepted"
    assert "HT 2026:" in output


def test_the_demo_coordinator_rector_and_applicant_see_the_past_term():
    seed(applicants=0, past_applicants=60)

    demo = {
        m.role: m for m in Membership.objects.filter(user__email__endswith="@demo.yrkesporten.se")
    }
    at_centre = Enrolment.objects.visible_to(demo[Role.COORDINATOR])
    assert at_centre.count() >= 10
    assert {e.offering.centre_id for e in at_centre} == {demo[Role.COORDINATOR].scope_centre_id}
    # The coordinator recorded their own centre's students.
    assert {e.recorded_by for e in at_centre} == {demo[Role.COORDINATOR].user}
    rector = Enrolment.objects.visible_to(demo[Role.RECTOR])
    # Karlstad's residents elsewhere and other municipalities' residents at Karlstad.
    assert rector.exclude(offering__centre__host_municipality__code="1780").exists()
    assert rector.exclude(application__home_municipality__code="1780").exists()
    sara = Enrolment.objects.get(application__applicant=demo[Role.APPLICANT].user)
    assert sara.status == EnrolmentStatus.STARTED
