"""Shared set-up of the grant tests (tests/yrkescenter/test_grants_*.py and
tests/admissions/test_allocation_*.py): a grant year with rates, offerings that count towards
it, parties that commit co-financed places. Grant years are made through the service, as the
region's data file makes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from yrkescenter.models import GrantYear, Offering, Sector
from yrkescenter.services import grant_year_upsert

START = dt.date(2027, 8, 16)


def grant_year(
    region,
    *,
    year: int = 2027,
    sector: str = Sector.INDUSTRY,
    places: str = "10",
    amount: str = "750000",
    ratio: tuple[int, int] = (1, 1),
    rates: dict[str, str] | None = None,
    commitments: dict | None = None,
) -> GrantYear:
    """A grant year; `ratio` is (municipal, state); rates default to category 3 at 75 000."""
    rates = {"3": "75000"} if rates is None else rates
    row, _changed = grant_year_upsert(
        acting_user=None,
        region=region,
        year=year,
        sector=sector,
        granted_places=Decimal(places),
        granted_amount=Decimal(amount),
        cofinancing_municipal=ratio[0],
        cofinancing_state=ratio[1],
        rates={category: Decimal(value) for category, value in rates.items()},
        commitments={m: Decimal(str(p)) for m, p in (commitments or {}).items()},
    )
    return row


def offering(
    region,
    *,
    vp: int = 800,
    category: str = "3",
    sector: str = Sector.INDUSTRY,
    seats: int = 20,
    state: int = 0,
    starts_on: dt.date = START,
    **extra,
) -> Offering:
    programme = ProgrammeFactory(region=region, vp=vp, grant_category=category, sector=sector)
    return OfferingFactory(
        region=region,
        programme=programme,
        seats=seats,
        state_funded_seats=state,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=300),
        **extra,
    )


def party(region, **fields):
    fields.setdefault("is_party", True)
    return MunicipalityFactory(region=region, **fields)


def member(region, role=Role.RECTOR, **scope):
    return MembershipFactory(region=region, role=role, **scope).user
