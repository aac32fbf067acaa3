"""The state grant: the rectors' allocation pages and the admin of grant years, commitments and
allocations.

The planter makes, in each region, a grant year of the year and sector of the planted offering
("yrkescenter.offering" starts in 2027; its programme is of the industry sector), with a rate,
the planted municipality's commitment, an allocation version 1 with one line, and a price of
the planted programme in the planted agreement. Version 1 exists in both regions, so the
version page's foreign and missing cases differ only in the grant year."""

from decimal import Decimal

from accounts.models import Role
from tests.sweep import GET_NOT_ALLOWED, ROLES, rule
from yrkescenter.models import (
    Allocation,
    AllocationLine,
    CofinancingCommitment,
    GrantRate,
    GrantYear,
    Price,
    PriceUnit,
    Sector,
)

ALLOCATORS = (Role.RECTOR, Role.REGION_ADMIN)

RULES = {
    # Council members see the grant years' totals only.
    "admissions:allocation_index": rule(ROLES, *ALLOCATORS, Role.COUNCIL_MEMBER),
    "admissions:allocation_detail": rule(ROLES, *ALLOCATORS, obj="yrkescenter.grantyear"),
    "admissions:allocation_version": rule(
        ROLES, *ALLOCATORS, obj="yrkescenter.grantyear", kwargs={"version": "1"}
    ),
    "admissions:commitment_record": rule(
        ROLES, *ALLOCATORS, obj="yrkescenter.grantyear", ok=GET_NOT_ALLOWED
    ),
}


def _plant_grant_year(region, planted):
    offering = planted["yrkescenter.offering"]
    grant_year = GrantYear.objects.create(
        region=region,
        year=offering.starts_on.year,
        sector=Sector.INDUSTRY,
        granted_places=Decimal("20"),
        granted_amount=Decimal("1500000"),
        cofinancing_municipal=3,
        cofinancing_state=7,
    )
    rate = GrantRate.objects.create(
        grant_year=grant_year,
        grant_category=offering.programme.grant_category,
        amount_per_place=Decimal("75000"),
    )
    commitment = CofinancingCommitment.objects.create(
        grant_year=grant_year,
        municipality=planted["yrkescenter.municipality"],
        places=Decimal("4"),
        reason="Planted.",
    )
    allocation = Allocation.objects.create(grant_year=grant_year, version=1, reason="Planted.")
    AllocationLine.objects.create(
        allocation=allocation, offering=offering, seats=offering.state_funded_seats
    )
    price = Price.objects.create(
        agreement=planted["yrkescenter.agreement"],
        programme=offering.programme,
        unit=PriceUnit.PER_WEEK,
        amount=Decimal("3000"),
    )
    return {
        "yrkescenter.grantyear": grant_year,
        "yrkescenter.grantrate": rate,
        "yrkescenter.cofinancingcommitment": commitment,
        "yrkescenter.allocation": allocation,
        "yrkescenter.price": price,
    }


PLANTERS = [_plant_grant_year]
