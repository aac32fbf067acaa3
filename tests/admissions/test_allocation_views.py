"""The rectors' allocation page: demand next to the state-funded seats, places in
årsstudieplatser and kronor, the co-financing warning and the money returned, saving versions,
commitments, and who may see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from admissions.applications.models import ApplicationStatus, EligibilityDecision
from tests.admissions.intake_support import staff_client
from tests.admissions.round_support import apply, officer
from tests.factories import (
    CentreFactory,
    IntakePeriodFactory,
    MembershipFactory,
    UserFactory,
    enrol_totp,
)
from tests.yrkescenter.grants_support import grant_year, offering, party
from yrkescenter.models import Allocation, CofinancingCommitment, Offering
from yrkescenter.services import allocation_save

pytestmark = pytest.mark.django_db


class World:
    pass


@pytest.fixture
def world(region):
    """Granted 10 places and 750 000 kr at 3:7; Karlstad committed 2 and Arvika 1.

    Offering a: 800 vp, category 3 (75 000 kr), 10 seats, 4 state-funded: 4 places, 300 000 kr.
    Offering b: 400 vp, category 2 (35 000 kr), 8 seats, 2 state-funded: 1 place, 35 000 kr.
    """
    w = World()
    w.karlstad = party(region, name="Karlstad", code="1780")
    w.arvika = party(region, name="Arvika", code="1784")
    w.year = grant_year(
        region,
        ratio=(3, 7),
        rates={"2": "35000", "3": "75000"},
        commitments={w.karlstad: "2", w.arvika: "1"},
    )
    centre = CentreFactory(region=region, host_municipality=w.karlstad)
    w.period = IntakePeriodFactory(region=region)
    w.a = offering(region, seats=10, state=4, centre=centre, intake_period=w.period)
    w.b = offering(
        region, vp=400, category="2", seats=8, state=2, centre=centre, intake_period=w.period
    )
    return w


def _decide(choice, eligible: bool, minutes_ago: int):
    decision = EligibilityDecision.objects.create(
        choice=choice,
        eligible=eligible,
        ground="" if eligible else "prerequisites",
        decided_by=UserFactory(),
    )
    # decided_at is auto_now_add: set it so that "latest" does not hang on the clock.
    EligibilityDecision.objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


@pytest.fixture
def demand(region, world):
    """Applications of the period, as the intake office judged them."""
    user = officer(region)
    apply(region, world.period, user, world.a, world.b)  # eligible for both
    second = apply(region, world.period, user, world.a, decide=False)
    _decide(second.choices.get(), True, minutes_ago=10)
    _decide(second.choices.get(), False, minutes_ago=5)  # the latest says not eligible
    third = apply(region, world.period, user, world.b, decide=False)
    _decide(third.choices.get(), False, minutes_ago=10)
    _decide(third.choices.get(), True, minutes_ago=5)  # the latest says eligible
    withdrawn = apply(region, world.period, user, world.a)
    withdrawn.status = ApplicationStatus.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    apply(region, world.period, user, world.b, world.a, decide=False)  # b first, undecided
    return world


def _rector(region, world, **fields):
    client = staff_client(region, Role.RECTOR, scope_municipality=world.karlstad)
    if fields:
        for key, value in fields.items():
            setattr(client.user, key, value)
        client.user.save()
    return client


def _detail(world):
    return reverse("admissions:allocation_detail", args=[world.year.pk])


def _post(world, *, a, b, reason="Efterfrågan", based_on=""):
    return {
        "based_on_version": based_on,
        f"seats_{world.a.pk}": a,
        f"seats_{world.b.pk}": b,
        "reason": reason,
    }


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_demand_next_to_the_seats(region, demand):
    response = _rector(region, demand).get(_detail(demand))

    assert response.status_code == 200
    rows = {row.offering.pk: row for row in response.context["rows"]}
    a, b = rows[demand.a.pk], rows[demand.b.pk]
    # a: three submitted applications choose it (the withdrawn one does not count); of the
    # two first choices only one's latest decision is eligible.
    assert (a.offering.applications, a.offering.eligible_first_choices) == (3, 1)
    # b: three applications; the first choice decided eligible last counts, the undecided not.
    assert (b.offering.applications, b.offering.eligible_first_choices) == (3, 1)
    # 3 / 10 = 0.3 and 3 / 8 = 0.375 -> 0.4 applicants per seat.
    assert a.applicants_per_seat == Decimal("0.3")
    assert b.applicants_per_seat == Decimal("0.4")
    # 4 seats * 800/800 = 4 places * 75 000; 2 seats * 400/800 = 1 place * 35 000.
    assert (a.places, a.amount) == (Decimal("4"), Decimal("300000.00"))
    assert (b.places, b.amount) == (Decimal("1"), Decimal("35000.00"))
    totals = response.context["totals"]
    assert totals["applications"] == 6
    assert totals["places"] == Decimal("5")
    assert totals["amount"] == Decimal("335000.00")
    page = response.content.decode()
    assert "5.00 of 10.00" in page
    assert "335,000.00" in page


def test_the_demand_is_counted_in_the_database_not_per_offering(region, demand):
    client = _rector(region, demand)
    client.get(_detail(demand))  # warm up the session and the caches
    with CaptureQueriesContext(connection) as two:
        client.get(_detail(demand))
    for _ in range(3):
        offering(region, intake_period=demand.period, centre=demand.a.centre)
    with CaptureQueriesContext(connection) as five:
        response = client.get(_detail(demand))

    assert len(response.context["rows"]) == 5
    assert len(five) == len(two)


def test_the_page_shows_what_is_returned_if_nothing_changes(region, world):
    page = _rector(region, world).get(_detail(world)).content.decode()

    # Required 5 * 3/7 = 2.14 municipal places; 3 committed, so all 5 state places earn
    # 335 000 kr and 750 000 - 335 000 = 415 000 kr (10 - 5 = 5 places) go back.
    assert (
        "It needs 2.14 co-financed municipal places; the municipalities have committed 3.00."
        in page
    )
    assert "415,000.00 kr (5.00 årsstudieplatser unused)" in page
    assert "do not meet the co-financing rule" not in page


def test_the_page_warns_when_the_commitments_do_not_meet_the_co_financing_rule(region, world):
    admin = staff_client(region, Role.REGION_ADMIN)
    admin.post(
        reverse("admissions:commitment_record", args=[world.year.pk]),
        {
            "commitment-municipality": world.arvika.pk,
            "commitment-places": "0",
            "commitment-reason": "Arvika drar sig ur",
        },
    )

    page = admin.get(_detail(world)).content.decode()

    assert "Warning: the commitments do not meet the co-financing rule." in page
    # Required 2.14, committed 2: 0.14 missing.
    assert (
        "needs 2.14 co-financed municipal places but the municipalities have committed 2.00: "
        "0.14 are missing" in page
    )


# --- saving ----------------------------------------------------------------------------------


def test_saving_makes_a_version_and_puts_it_in_force(region, world):
    client = _rector(region, world)

    response = client.post(_detail(world), _post(world, a=6, b=4), follow=True)

    allocation = Allocation.objects.get()
    assert (allocation.version, allocation.decided_by, allocation.reason) == (
        1,
        client.user,
        "Efterfrågan",
    )
    assert dict(Offering.objects.values_list("pk", "state_funded_seats")) == {
        world.a.pk: 6,
        world.b.pk: 4,
    }
    page = response.content.decode()
    assert "Version 1 of the allocation is saved and in force." in page
    assert reverse("admissions:allocation_version", args=[world.year.pk, 1]) in page


def test_an_allocation_beyond_the_grant_is_refused_and_the_form_keeps_the_input(region, world):
    client = _rector(region, world)

    # 10 seats * 1 + 3 seats * 0.5 = 11.50 places against 10 granted.
    response = client.post(_detail(world), _post(world, a=10, b=3, reason="Allt till a"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The allocation uses 11.50 årsstudieplatser but the grant is 10.00: remove 1.50." in page
    assert f'name="seats_{world.a.pk}" value="10"' in page
    assert f'name="seats_{world.b.pk}" value="3"' in page
    assert "Allt till a" in page
    assert not Allocation.objects.exists()
    assert Offering.objects.get(pk=world.a.pk).state_funded_seats == 4


def test_more_state_seats_than_seats_is_an_error_next_to_the_field(region, world):
    response = _rector(region, world).post(_detail(world), _post(world, a=11, b=0))

    field = response.context["form"][f"seats_{world.a.pk}"]
    assert field.errors == ["Ensure this value is less than or equal to 10."]
    assert not Allocation.objects.exists()


def test_a_save_after_someone_else_saved_says_so(region, world):
    client = _rector(region, world)
    other = UserFactory(full_name="Karin Rektor")
    allocation_save(
        acting_user=other,
        grant_year=world.year,
        seats_by_offering={world.a.pk: 4, world.b.pk: 2},
        reason="Första",
        based_on_version=None,
    )
    form = client.get(_detail(world)).context["form"]
    assert form["based_on_version"].value() == 1
    # Meanwhile Karin saves version 2.
    allocation_save(
        acting_user=other,
        grant_year=world.year,
        seats_by_offering={world.a.pk: 2, world.b.pk: 2},
        reason="Karins ändring",
        based_on_version=1,
    )

    response = client.post(_detail(world), _post(world, a=5, b=2, based_on="1"), follow=True)

    page = response.content.decode()
    assert (
        "Version 2 by Karin Rektor was saved while you were editing. Your version 3 is now the "
        "one in force" in page
    )
    mine = Allocation.objects.get(version=3)
    assert (mine.based_on_version, mine.decided_by) == (1, client.user)
    assert Allocation.objects.filter(grant_year=world.year).count() == 3


def test_an_old_version_is_shown_read_only(region, world):
    user = UserFactory(full_name="Karin Rektor")
    allocation_save(
        acting_user=user,
        grant_year=world.year,
        seats_by_offering={world.a.pk: 3},
        reason="Första fördelningen",
        based_on_version=None,
    )
    allocation_save(
        acting_user=user,
        grant_year=world.year,
        seats_by_offering={world.a.pk: 5},
        reason="Andra",
        based_on_version=1,
    )
    client = _rector(region, world)

    response = client.get(reverse("admissions:allocation_version", args=[world.year.pk, 1]))

    page = response.content.decode()
    assert "Första fördelningen" in page
    assert "Karin Rektor" in page
    assert [(line.offering_id, line.seats) for line, _places in response.context["lines"]] == [
        (world.a.pk, 3),
        (world.b.pk, 0),
    ]
    assert "<form" not in page.split('id="main"')[1]
    missing = client.get(reverse("admissions:allocation_version", args=[world.year.pk, 9]))
    assert missing.status_code == 404


# --- commitments -----------------------------------------------------------------------------


def _commit(client, world, municipality, places="2.5"):
    return client.post(
        reverse("admissions:commitment_record", args=[world.year.pk]),
        {
            "commitment-municipality": municipality.pk,
            "commitment-places": places,
            "commitment-reason": "Beslut i kommunstyrelsen",
        },
    )


def test_a_rector_records_their_own_municipalitys_commitment(region, world):
    client = _rector(region, world)

    response = _commit(client, world, world.karlstad)

    assert response.status_code == 302
    latest = CofinancingCommitment.objects.filter(municipality=world.karlstad).latest("id")
    assert (latest.places, latest.decided_by) == (Decimal("2.5"), client.user)


def test_a_rector_cannot_record_another_municipalitys_commitment(region, world):
    client = _rector(region, world)
    before = CofinancingCommitment.objects.count()

    response = _commit(client, world, world.arvika)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert CofinancingCommitment.objects.count() == before


def test_a_region_admin_records_any_partys_commitment(region, world):
    response = _commit(staff_client(region, Role.REGION_ADMIN), world, world.arvika)

    assert response.status_code == 302
    assert CofinancingCommitment.objects.filter(municipality=world.arvika).count() == 2


def test_a_rector_sees_their_own_commitment_and_the_total(region, world):
    response = _rector(region, world).get(_detail(world))

    assert [row.municipality for row in response.context["commitments"]] == [world.karlstad]
    assert "committed 3.00 co-financed places in total" in response.content.decode()
    admin = staff_client(region, Role.REGION_ADMIN).get(_detail(world))
    assert {row.municipality for row in admin.context["commitments"]} == {
        world.karlstad,
        world.arvika,
    }


def test_recording_a_commitment_needs_post(region, world):
    response = _rector(region, world).get(
        reverse("admissions:commitment_record", args=[world.year.pk])
    )

    assert response.status_code == 405


# --- scope -----------------------------------------------------------------------------------


def test_a_rector_of_another_region_gets_404(region, foreign_region, world):
    membership = MembershipFactory(
        region=foreign_region,
        role=Role.RECTOR,
        scope_municipality=party(foreign_region),
    )
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="bortland.example.test", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)

    assert client.get(_detail(world)).status_code == 404
    assert client.post(_detail(world), _post(world, a=1, b=1)).status_code == 404
    assert _commit(client, world, world.karlstad).status_code == 404
    version = reverse("admissions:allocation_version", args=[world.year.pk, 1])
    assert client.get(version).status_code == 404
    assert not CofinancingCommitment.objects.filter(decided_by=membership.user).exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.COORDINATOR, Role.INTAKE_OFFICER])
def test_other_roles_are_refused(region, world, role):
    scope = {"scope_centre": world.a.centre} if role == Role.COORDINATOR else {}
    client = staff_client(region, role, **scope)

    assert client.get(reverse("admissions:allocation_index")).status_code == 403
    assert client.get(_detail(world)).status_code == 403
    assert _commit(client, world, world.karlstad).status_code == 403


def test_a_council_member_sees_only_the_totals(region, world):
    client = staff_client(region, Role.COUNCIL_MEMBER)

    index = client.get(reverse("admissions:allocation_index"))

    assert index.status_code == 200
    page = index.content.decode()
    assert "2027 · Industry" in page
    assert "415,000.00 kr" in page
    assert _detail(world) not in page
    assert client.get(_detail(world)).status_code == 403


def test_the_index_lists_the_grant_years_with_links_for_rectors(region, world):
    page = _rector(region, world).get(reverse("admissions:allocation_index")).content.decode()

    assert _detail(world) in page
    # 5 state places allocated of 10; 2.14 required; 3 committed.
    assert "<td>5.00</td>" in page
    assert "<td>2.14</td>" in page


def test_seats_in_force_beyond_the_grant_are_flagged(region, world):
    # The catalogue's 4 seats of a and 2 of b plus 8 of a new 800-vp offering:
    # 4 + 1 + 8 = 13 places against 10 granted.
    offering(region, seats=8, state=8, intake_period=world.period, centre=world.a.centre)
    client = _rector(region, world)

    page = client.get(_detail(world)).content.decode()
    index = client.get(reverse("admissions:allocation_index")).content.decode()

    assert "Warning: the state-funded seats in force use more places than the grant." in page
    assert "They use 13.00 årsstudieplatser of 10.00 granted" in page
    assert "13.00 <strong>(more than granted)</strong>" in index
