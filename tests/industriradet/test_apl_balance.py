"""apl_balance: per programme and term, admitted students (studying, or holding an accepted seat
not yet started) against the APL places offered and booked, with hand-computed figures for a
small region whose students are admitted through a real published round."""

import datetime as dt

import pytest

from admissions.enrolment.services import enrolment_interrupt, enrolment_start
from admissions.rounds.models import Offer
from admissions.rounds.services import rounds
from industriradet.models import Company
from industriradet.selectors.apl import apl_balance
from industriradet.services.apl import apl_book, apl_cancel, apl_offer_create
from tests.admissions.enrolment_support import END, START
from tests.admissions.round_support import apply, officer, run_and_publish
from tests.factories import (
    CentreFactory,
    IntakePeriodFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from tests.industriradet.members_support import cluster

pytestmark = pytest.mark.django_db

APL = (START + dt.timedelta(days=56), START + dt.timedelta(days=84))


@pytest.fixture
def world(region):
    """Term HT25 with Svetsare at centres A (Karlby) and B (Arvby) and CNC at A; term VT26 with
    nothing but an APL offer. Applicants are admitted by a published main round and answer:

    - Svetsare @ A: 4 accept. a1 and a2 start; a3 starts and stops early; a4 has not started.
    - Svetsare @ B: 2 accept (not started), 1 declines.
    - CNC @ A: 3 accept (not started), 1 leaves the offer open.

    Companies: X (in Karlby) offers Svetsare 3 and CNC 4 places; Y (in Arvby) offers Svetsare 1
    place; Z (in Arvby) offers Plåtslagare 2 places (a programme no centre gives in HT25); X
    offers Svetsare 5 places in VT26. Bookings: a1 and a2 at X; a1 at Y, cancelled.
    """
    karlby = MunicipalityFactory(region=region, code="8780", name="Karlby")
    arvby = MunicipalityFactory(region=region, code="8784", name="Arvby")
    centre_a = CentreFactory(region=region, host_municipality=karlby, name="Centrum A")
    centre_b = CentreFactory(region=region, host_municipality=arvby, name="Centrum B")
    svetsare = ProgrammeFactory(region=region, name="Svetsare")
    cnc = ProgrammeFactory(region=region, name="CNC-operatör")
    platslagare = ProgrammeFactory(region=region, name="Plåtslagare")
    ht25 = IntakePeriodFactory(region=region, code="ht2025", starts_on=START, ends_on=START)
    vt26 = IntakePeriodFactory(
        region=region, code="vt2026", starts_on=dt.date(2026, 1, 12), ends_on=dt.date(2026, 1, 12)
    )

    def offering(programme, centre):
        return OfferingFactory(
            region=region,
            programme=programme,
            centre=centre,
            intake_period=ht25,
            starts_on=START,
            ends_on=END,
            seats=10,
            state_funded_seats=0,
        )

    svets_a, svets_b, cnc_a = (
        offering(svetsare, centre_a),
        offering(svetsare, centre_b),
        offering(cnc, centre_a),
    )
    user = officer(region)
    wishes = [svets_a] * 4 + [svets_b] * 3 + [cnc_a] * 4
    applications = [apply(region, ht25, user, wish) for wish in wishes]
    admission_round = run_and_publish(region, ht25, user)
    answers = ["accepted"] * 4 + ["accepted", "accepted", "declined"] + ["accepted"] * 3 + [None]
    for application, answer in zip(applications, answers, strict=True):
        if answer is not None:
            offer = Offer.objects.get(round=admission_round, application=application)
            rounds.offer_answer(acting_user=application.applicant, offer=offer, kind=answer)
    a1, a2, a3 = (
        enrolment_start(acting_user=user, choice=application.choices.get(), started_on=START)
        for application in applications[:3]
    )
    enrolment_interrupt(
        acting_user=user, enrolment=a3, ended_on=START + dt.timedelta(days=20), reason="work"
    )

    verkstad = cluster(region)
    x = Company.objects.create(
        region=region, name="X AB", organisation=verkstad, municipality=karlby
    )
    y = Company.objects.create(
        region=region, name="Y AB", organisation=verkstad, municipality=arvby
    )
    z = Company.objects.create(
        region=region, name="Z AB", organisation=verkstad, municipality=arvby
    )

    def offer(company, programme, places, period=ht25):
        return apl_offer_create(
            acting_user=None,
            company=company,
            programme=programme,
            intake_period=period,
            places=places,
        )

    x_svets = offer(x, svetsare, 3)
    offer(x, cnc, 4)
    y_svets = offer(y, svetsare, 1)
    offer(z, platslagare, 2)
    offer(x, svetsare, 5, period=vt26)
    for enrolment in (a1, a2):
        apl_book(
            acting_user=None, offer=x_svets, enrolment=enrolment, starts_on=APL[0], ends_on=APL[1]
        )
    cancelled = apl_book(
        acting_user=None, offer=y_svets, enrolment=a1, starts_on=APL[0], ends_on=APL[1]
    )
    apl_cancel(acting_user=None, booking=cancelled)
    return {
        "ht25": ht25,
        "vt26": vt26,
        "svetsare": svetsare,
        "centre_a": centre_a,
        "centre_b": centre_b,
        "karlby": karlby,
        "arvby": arvby,
    }


def _table(rows):
    return [
        (
            row.intake_period_code,
            row.programme_name,
            row.admitted,
            row.places,
            row.booked,
            row.short,
        )
        for row in rows
    ]


def test_the_balance_per_programme_and_term(region, world):
    assert _table(apl_balance(region)) == [
        # Admitted: a1, a2 studying + a4 accepted not started (a3 stopped) = 3 at A, plus 2
        # accepted at B (the third declined) = 5. Places: X 3 + Y 1 = 4 < 5, so flagged.
        # Booked: a1 and a2 at X; a1's booking at Y was cancelled = 2.
        ("ht2025", "CNC-operatör", 3, 4, 0, False),  # 3 accepted; the open offer is not counted
        ("ht2025", "Plåtslagare", 0, 2, 0, False),  # places, but nobody admitted
        ("ht2025", "Svetsare", 5, 4, 2, True),
        ("vt2026", "Svetsare", 0, 5, 0, False),  # Svetsare in VT26: X's 5 places
    ]
    svetsare = apl_balance(region)[2]
    assert (svetsare.shortfall, svetsare.free) == (1, 2)  # 5 - 4; 4 - 2


def test_the_balance_filtered_by_term_and_programme(region, world):
    assert _table(apl_balance(region, intake_period=world["vt26"])) == [
        ("vt2026", "Svetsare", 0, 5, 0, False)
    ]
    assert _table(apl_balance(region, programme=world["svetsare"])) == [
        ("ht2025", "Svetsare", 5, 4, 2, True),
        ("vt2026", "Svetsare", 0, 5, 0, False),
    ]


def test_a_centre_counts_its_own_students_against_the_places_for_its_programmes(region, world):
    assert _table(apl_balance(region, centre=world["centre_b"])) == [
        # B gives only Svetsare in HT25: 2 accepted against the 3 + 1 places offered for it
        # (offers are not tied to a centre); B's students have no bookings.
        ("ht2025", "Svetsare", 2, 4, 0, False),
    ]
    assert _table(apl_balance(region, centre=world["centre_a"], programme=world["svetsare"])) == [
        ("ht2025", "Svetsare", 3, 4, 2, False),  # a1, a2, a4 against 3 + 1 places
    ]


def test_a_municipality_counts_its_centres_students_and_its_companies_places(region, world):
    assert _table(apl_balance(region, municipality=world["arvby"])) == [
        # Arvby hosts centre B (2 Svetsare accepted) and companies Y (1 place, its one booking
        # cancelled) and Z (Plåtslagare 2).
        ("ht2025", "Plåtslagare", 0, 2, 0, False),
        ("ht2025", "Svetsare", 2, 1, 0, True),
    ]
    assert _table(apl_balance(region, municipality=world["karlby"])) == [
        ("ht2025", "CNC-operatör", 3, 4, 0, False),
        ("ht2025", "Svetsare", 3, 3, 2, False),  # a1, a2, a4 at A; X's 3 places, 2 booked
        ("vt2026", "Svetsare", 0, 5, 0, False),
    ]


def test_another_regions_figures_are_not_counted(region, foreign_region, world):
    assert apl_balance(foreign_region) == []


def test_the_balance_takes_a_fixed_number_of_queries(region, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        apl_balance(region)
