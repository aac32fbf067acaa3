"""The grant year's services and selectors: the co-financing ratio, commitments as decision
records, and the rectors' allocation (versions, the grant's limit, two rectors at once)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import AuditEntry, Role
from tests.conftest import need_service
from tests.factories import UserFactory
from tests.yrkescenter.grants_support import grant_year, member, offering, party
from yrkescenter.models import (
    Allocation,
    AllocationLine,
    CofinancingCommitment,
    Offering,
    Sector,
)
from yrkescenter.selectors import (
    commitments_current,
    current_commitments,
    grant_year_forecast,
    grant_year_forecasts,
    grant_year_offerings,
    rates_of,
)
from yrkescenter.services import allocation_save, commitment_record

pytestmark = pytest.mark.django_db


# --- the co-financing ratio -----------------------------------------------------------------


def _eight_state_places(region, *, ratio, committed):
    """Granted 10 places and 750 000 kr; one offering of 800 vp (category 3, 75 000 kr per
    place) with 8 state-funded seats, so 8 state places worth 600 000 kr."""
    municipality = party(region)
    year = grant_year(region, ratio=ratio, commitments={municipality: committed})
    offering(region, seats=20, state=8)
    return grant_year_forecast(year)


def test_one_to_one_requires_as_many_municipal_places_and_returns_what_they_do_not_carry(
    region,
):
    forecast = _eight_state_places(region, ratio=(1, 1), committed="5")

    # Required: 8 state places * 1/1 = 8.00; committed 5, so 3.00 are missing.
    assert forecast.state_places == Decimal("8.00")
    assert forecast.state_amount == Decimal("600000.00")
    assert forecast.required_municipal_places == Decimal("8.00")
    assert forecast.meets_cofinancing is False
    assert forecast.cofinancing_shortfall == Decimal("3.00")
    # 5 committed places carry 5 * 1/1 = 5 state places: 5/8 of 600 000 = 375 000 kr earned,
    # so 750 000 - 375 000 = 375 000 kr and 10 - 5 = 5 places go back.
    assert forecast.usable_places == Decimal("5.00")
    assert forecast.usable_amount == Decimal("375000.00")
    assert forecast.returned_places == Decimal("5.00")
    assert forecast.returned_amount == Decimal("375000.00")


def test_three_to_seven_requires_three_sevenths_and_returns_what_they_do_not_carry(region):
    forecast = _eight_state_places(region, ratio=(3, 7), committed="3")

    # Required: 8 * 3/7 = 3.428... -> 3.43; committed 3, so 0.43 are missing.
    assert forecast.required_municipal_places == Decimal("3.43")
    assert forecast.meets_cofinancing is False
    assert forecast.cofinancing_shortfall == Decimal("0.43")
    # 3 committed places carry 3 * 7/3 = 7 state places: 7/8 of 600 000 = 525 000 kr earned;
    # 750 000 - 525 000 = 225 000 kr and 10 - 7 = 3 places go back.
    assert forecast.usable_places == Decimal("7.00")
    assert forecast.usable_amount == Decimal("525000.00")
    assert forecast.returned_places == Decimal("3.00")
    assert forecast.returned_amount == Decimal("225000.00")


def test_three_to_seven_met_returns_only_the_unallocated_places(region):
    forecast = _eight_state_places(region, ratio=(3, 7), committed="3.43")

    # 3.43 >= 3.43: every state place is carried; 750 000 - 600 000 = 150 000 kr and
    # 10 - 8 = 2 places go back because they are not allocated.
    assert forecast.meets_cofinancing is True
    assert forecast.usable_places == Decimal("8.00")
    assert forecast.returned_places == Decimal("2.00")
    assert forecast.returned_amount == Decimal("150000.00")


def test_the_forecasts_of_a_list_agree_with_one_at_a_time(region):
    municipality = party(region)
    industry = grant_year(region, ratio=(3, 7), commitments={municipality: "3"})
    it = grant_year(region, sector=Sector.IT, rates={"1": "30000"}, amount="300000")
    offering(region, seats=20, state=8)
    offering(region, sector=Sector.IT, category="1", vp=400, seats=10, state=6)

    forecasts = grant_year_forecasts([industry, it])

    assert forecasts[industry.pk] == grant_year_forecast(industry)
    assert forecasts[it.pk] == grant_year_forecast(it)
    # IT: 6 seats * 400/800 = 3 places at 30 000 = 90 000 kr; 1:1 with nothing committed.
    assert forecasts[it.pk].state_amount == Decimal("90000.00")
    assert forecasts[it.pk].required_municipal_places == Decimal("3.00")


def test_an_offering_counts_in_the_grant_year_of_its_start_and_its_programmes_sector(
    region, foreign_region
):
    year = grant_year(region)
    counted = offering(region)
    offering(region, starts_on=dt.date(2028, 1, 10))  # starts the next year
    offering(region, sector=Sector.CARE)  # another sector
    offering(foreign_region)  # another region

    assert list(grant_year_offerings(year)) == [counted]


# --- commitments -----------------------------------------------------------------------------


def test_a_new_commitment_adds_a_row_and_the_latest_counts(region):
    karlstad, arvika = party(region), party(region)
    year = grant_year(region, commitments={karlstad: "4", arvika: "2"})
    rector = member(region, scope_municipality=karlstad)

    commitment_record(
        acting_user=rector,
        grant_year=year,
        municipality=karlstad,
        places=Decimal("6.5"),
        reason="Kommunstyrelsen 2027-03-02",
    )

    assert CofinancingCommitment.objects.filter(municipality=karlstad).count() == 2
    assert commitments_current(year) == {karlstad.pk: Decimal("6.50"), arvika.pk: Decimal("2")}
    assert [row.places for row in current_commitments(year) if row.municipality == karlstad] == [
        Decimal("6.50")
    ]
    entry = AuditEntry.objects.get(action="cofinancing_commitment.record")
    assert entry.user == rector
    assert entry.data["places"] == "6.5"


def test_a_commitment_needs_a_reason_and_a_party_of_the_region(region, foreign_region):
    year = grant_year(region)
    non_party = party(region, is_party=False)
    foreign = party(foreign_region)
    user = UserFactory()

    with pytest.raises(ValidationError) as no_reason:
        commitment_record(
            acting_user=user, grant_year=year, municipality=party(region), places=1, reason=" "
        )
    with pytest.raises(ValidationError) as not_party:
        commitment_record(
            acting_user=user, grant_year=year, municipality=non_party, places=1, reason="x"
        )
    with pytest.raises(ValidationError) as abroad:
        commitment_record(
            acting_user=user, grant_year=year, municipality=foreign, places=1, reason="x"
        )

    assert "reason" in no_reason.value.message_dict
    assert "party" in not_party.value.message_dict["municipality"][0]
    assert "this region" in abroad.value.message_dict["municipality"][0]
    assert not CofinancingCommitment.objects.exists()


def test_rates_of_gives_the_rate_per_grant_category(region):
    year = grant_year(region, rates={"1": "30000", "2": "35000", "3": "75000"})

    assert rates_of(year) == {
        "1": Decimal("30000"),
        "2": Decimal("35000"),
        "3": Decimal("75000"),
    }


# --- allocation ------------------------------------------------------------------------------


@pytest.fixture
def world(region):
    """Granted 60 places. Two offerings of 800 vp (1 place a seat) and one of 400 vp (0.5)."""
    year = grant_year(region, places="60", amount="4500000")
    first = offering(region, seats=30, state=5)
    second = offering(region, seats=30, state=5)
    half = offering(region, vp=400, seats=10, state=2)
    return year, first, second, half


def test_saving_makes_version_one_and_puts_its_seats_in_force(region, world):
    year, first, second, half = world
    rector = member(region, scope_municipality=party(region))

    allocation = allocation_save(
        acting_user=rector,
        grant_year=year,
        seats_by_offering={first.pk: 20, half.pk: 6},
        reason="Efterfrågan på CNC",
        based_on_version=None,
    )

    assert (allocation.version, allocation.based_on_version) == (1, None)
    assert allocation.decided_by == rector
    # Every offering of the grant year gets a line; one not listed gets 0 seats.
    assert dict(allocation.lines.values_list("offering_id", "seats")) == {
        first.pk: 20,
        second.pk: 0,
        half.pk: 6,
    }
    assert dict(Offering.objects.values_list("pk", "state_funded_seats")) == {
        first.pk: 20,
        second.pk: 0,
        half.pk: 6,
    }
    entry = AuditEntry.objects.get(action="allocation.save")
    # 20 * 1 + 6 * 0.5 = 23 places.
    assert entry.data["places"] == "23"
    assert entry.data["reason"] == "Efterfrågan på CNC"


def test_a_new_version_keeps_the_old_one(region, world):
    year, first, second, _half = world
    user = UserFactory()
    one = allocation_save(
        acting_user=user,
        grant_year=year,
        seats_by_offering={first.pk: 20},
        reason="Första",
        based_on_version=None,
    )

    two = allocation_save(
        acting_user=user,
        grant_year=year,
        seats_by_offering=[(first.pk, 10), (second.pk, 10)],
        reason="Andra",
        based_on_version=1,
    )

    assert two.version == 2 and two.based_on_version == 1
    assert dict(one.lines.values_list("offering_id", "seats"))[first.pk] == 20
    assert dict(two.lines.values_list("offering_id", "seats"))[first.pk] == 10
    first.refresh_from_db()
    assert first.state_funded_seats == 10


def test_an_allocation_beyond_the_grant_is_refused_with_the_excess(region, world):
    year, first, second, half = world
    before = dict(Offering.objects.values_list("pk", "state_funded_seats"))

    with pytest.raises(ValidationError) as error:
        allocation_save(
            acting_user=UserFactory(),
            grant_year=year,
            # 30 + 30 + 7 * 0.5 = 63.50 places against 60 granted.
            seats_by_offering={first.pk: 30, second.pk: 30, half.pk: 7},
            reason="För mycket",
            based_on_version=None,
        )

    assert error.value.messages == [
        "The allocation uses 63.50 årsstudieplatser but the grant is 60.00: remove 3.50."
    ]
    assert not Allocation.objects.exists()
    assert dict(Offering.objects.values_list("pk", "state_funded_seats")) == before


def test_exactly_the_grant_is_allowed(region, world):
    year, first, second, half = world

    allocation = allocation_save(
        acting_user=UserFactory(),
        grant_year=year,
        # 30 + 28 + 4 * 0.5 = 60.00 places.
        seats_by_offering={first.pk: 30, second.pk: 28, half.pk: 4},
        reason="Hela bidraget",
        based_on_version=None,
    )

    assert allocation.version == 1


def test_more_state_seats_than_seats_or_another_grant_years_offering_is_refused(
    region, foreign_region, world
):
    year, first, _second, _half = world
    care = offering(region, sector=Sector.CARE)
    abroad = offering(foreign_region)

    with pytest.raises(ValidationError) as error:
        allocation_save(
            acting_user=UserFactory(),
            grant_year=year,
            seats_by_offering={first.pk: 31, care.pk: 1, abroad.pk: 1},
            reason="Fel",
            based_on_version=None,
        )

    messages = error.value.messages
    assert len(messages) == 3
    assert "has 30 seats: it cannot have 31 state-funded seats" in messages[0]
    assert f"Offering {care.pk} does not count towards the grant year" in messages[1]
    assert f"Offering {abroad.pk} does not count" in messages[2]
    assert not Allocation.objects.exists()


def test_an_allocation_needs_a_reason(region, world):
    year, first, *_ = world

    with pytest.raises(ValidationError) as error:
        allocation_save(
            acting_user=UserFactory(),
            grant_year=year,
            seats_by_offering={first.pk: 1},
            reason="  ",
            based_on_version=None,
        )

    assert "reason" in error.value.message_dict


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_rectors_saving_at_once_both_get_a_version(region):
    if connection.vendor != "postgresql":
        need_service("two rectors saving at once needs PostgreSQL's row locks (DATABASE_URL)")
    year = grant_year(region, places="60", amount="4500000")
    first = offering(region, seats=30)
    second = offering(region, seats=30)
    karlstad, arvika = party(region), party(region)
    rectors = {
        "Karlstad": member(region, Role.RECTOR, scope_municipality=karlstad),
        "Arvika": member(region, Role.RECTOR, scope_municipality=arvika),
    }
    allocation_save(
        acting_user=rectors["Karlstad"],
        grant_year=year,
        seats_by_offering={first.pk: 10, second.pk: 10},
        reason="Start",
        based_on_version=None,
    )
    wanted = {"Karlstad": {first.pk: 20, second.pk: 10}, "Arvika": {first.pk: 10, second.pk: 20}}
    barrier = threading.Barrier(2)
    saved: dict[str, int] = {}
    errors: list[BaseException] = []

    def save(name):
        try:
            barrier.wait()
            allocation = allocation_save(
                acting_user=rectors[name],
                grant_year=year,
                seats_by_offering=wanted[name],
                reason=f"{name} vill ha fler platser",
                based_on_version=1,
            )
            saved[name] = allocation.version
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in rectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(saved.values()) == [2, 3]
    versions = {a.version: a for a in Allocation.objects.filter(grant_year=year)}
    assert sorted(versions) == [1, 2, 3]
    for name, version in saved.items():
        allocation = versions[version]
        assert allocation.decided_by == rectors[name]
        assert allocation.based_on_version == 1
        assert dict(allocation.lines.values_list("offering_id", "seats")) == wanted[name]
    assert AllocationLine.objects.filter(allocation__grant_year=year).count() == 3 * 2
    # The later save is in force.
    last = max(saved, key=saved.get)
    assert dict(Offering.objects.values_list("pk", "state_funded_seats")) == wanted[last]
