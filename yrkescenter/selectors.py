"""Reads of the regional structure, scoped to a region."""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from accounts.models import Role
from yrkescenter.grants import GrantForecast, GrantLine, grant_forecast, places_for
from yrkescenter.models import (
    Allocation,
    AllocationLine,
    CofinancingCommitment,
    GrantRate,
    GrantYear,
    Municipality,
    Offering,
    Price,
    Yrkescenter,
)


def centres_of(region):
    return (
        Yrkescenter.objects.for_region(region)
        .select_related("host_municipality")
        .annotate(offering_count=Count("offerings"))
    )


def offerings_at(centre):
    return Offering.objects.filter(centre=centre).select_related("programme", "intake_period")


def open_offerings(region, *, now=None):
    """The public catalogue: offerings of every centre of the region whose application window
    is open now."""
    now = now or timezone.now()
    return (
        Offering.objects.for_region(region)
        .filter(application_opens__lte=now, application_closes__gt=now)
        .select_related("programme", "centre__host_municipality", "intake_period")
        .order_by("starts_on", "programme__name", "centre__name", "pk")
    )


def catalogue(
    region,
    *,
    centre=None,
    programme=None,
    occupation="",
    start_month="",
    start_from=None,
    pace=None,
    now=None,
):
    """Open offerings filtered as the catalogue's form asks."""
    offerings = open_offerings(region, now=now)
    if centre:
        offerings = offerings.filter(centre_id=centre)
    if programme:
        offerings = offerings.filter(programme_id=programme)
    if occupation:
        offerings = offerings.filter(programme__ssyk_code=occupation)
    if start_month:
        year, month = (int(part) for part in start_month.split("-"))
        offerings = offerings.filter(starts_on__year=year, starts_on__month=month)
    if start_from is not None:
        offerings = offerings.filter(starts_on__gte=start_from)
    if pace:
        offerings = offerings.filter(pace=pace)
    return offerings


def catalogue_options(region, *, now=None) -> dict:
    """What the catalogue's filters offer: only values that some open offering has."""
    rows = list(
        open_offerings(region, now=now).values_list(
            "centre_id",
            "centre__name",
            "programme_id",
            "programme__name",
            "programme__ssyk_code",
            "programme__occupation",
            "starts_on",
            "pace",
        )
    )
    return {
        "centres": sorted({(r[0], r[1]) for r in rows}, key=lambda item: item[1]),
        "programmes": sorted({(r[2], r[3]) for r in rows}, key=lambda item: item[1]),
        "occupations": sorted({(r[4], r[5]) for r in rows}, key=lambda item: item[1]),
        "months": sorted({r[6].strftime("%Y-%m") for r in rows}),
        "paces": sorted({r[7] for r in rows}),
    }


def offerings_for_public(region):
    return Offering.objects.for_region(region).select_related(
        "programme", "centre__host_municipality", "intake_period"
    )


def study_weeks(offering) -> float:
    """How many calendar weeks the programme takes at the offering's pace: 20 vp is one
    full-time week."""
    return offering.programme.vp / 20 * 100 / offering.pace


# --- The state grant --------------------------------------------------------------------------


def grant_years_for(membership):
    """The grant years a membership may see (rectors, region admins and the council)."""
    return GrantYear.objects.visible_to(membership).order_by("-year", "sector")


def grant_year_offerings(grant_year):
    """The offerings that count towards the grant year: the region's offerings that start in its
    calendar year and whose programme is of its sector."""
    return (
        Offering.objects.filter(
            region_id=grant_year.region_id,
            starts_on__year=grant_year.year,
            programme__sector=grant_year.sector,
        )
        .select_related("programme", "centre__host_municipality", "intake_period")
        .order_by("starts_on", "programme__name", "centre__name", "pk")
    )


def current_commitments(grant_years):
    """The commitment in force of each municipality in each of the grant years (one grant year
    or a queryset of them): its latest row by decided_at, then id, picked in the database."""
    if isinstance(grant_years, GrantYear):
        grant_years = [grant_years]
    latest = CofinancingCommitment.objects.filter(
        grant_year=OuterRef("grant_year"), municipality=OuterRef("municipality")
    ).order_by("-decided_at", "-id")
    return (
        CofinancingCommitment.objects.filter(grant_year__in=grant_years)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("municipality", "decided_by")
        .order_by("grant_year", "municipality__name", "municipality__code")
    )


def commitments_current(grant_year) -> dict[int, Decimal]:
    """Municipality id -> its co-financed places (årsstudieplatser) in force in the grant year."""
    return dict(current_commitments(grant_year).values_list("municipality_id", "places"))


def rates_by_grant_year(grant_years) -> dict[tuple[int, str], Decimal]:
    """(grant year pk, grant category) -> SEK per årsstudieplats, for several grant years in
    one query."""
    return {
        (grant_year_id, category): amount
        for grant_year_id, category, amount in GrantRate.objects.filter(
            grant_year__in=grant_years
        ).values_list("grant_year_id", "grant_category", "amount_per_place")
    }


def rates_of(grant_year) -> dict[str, Decimal]:
    """Grant category -> SEK per årsstudieplats in the grant year."""
    return dict(
        GrantRate.objects.filter(grant_year=grant_year).values_list(
            "grant_category", "amount_per_place"
        )
    )


def allocations_of(grant_year):
    """The versions of the grant year's allocation, the one in force (the latest) first."""
    return (
        Allocation.objects.filter(grant_year=grant_year)
        .select_related("decided_by")
        .annotate(line_count=Count("lines"))
        .order_by("-version")
    )


def allocation_lines(allocation):
    return (
        AllocationLine.objects.filter(allocation=allocation)
        .select_related("offering__programme", "offering__centre")
        .order_by("offering__starts_on", "offering__programme__name", "offering__centre__name")
    )


def grant_lines(offerings, rates: Mapping[str, Decimal], seats: Mapping[int, int] | None = None):
    """One GrantLine per offering: its state-funded seats (or those of `seats`, the allocation
    being edited) in årsstudieplatser, at its programme's grant category's rate (0 when the
    grant year has no rate for the category)."""
    return [
        GrantLine(
            places=places_for(
                seats=(seats or {}).get(offering.pk, offering.state_funded_seats),
                vp=offering.programme.vp,
            ),
            rate=rates.get(offering.programme.grant_category, Decimal(0)),
        )
        for offering in offerings
    ]


def grant_year_forecast(grant_year, *, offerings=None, seats=None) -> GrantForecast:
    """What the grant year's allocation (or `seats`) earns, and what would go back to
    Skolverket if nothing changes, given the commitments in force."""
    if offerings is None:
        offerings = list(grant_year_offerings(grant_year))
    return grant_forecast(
        granted_places=grant_year.granted_places,
        granted_amount=grant_year.granted_amount,
        cofinancing_municipal=grant_year.cofinancing_municipal,
        cofinancing_state=grant_year.cofinancing_state,
        committed_places=sum(commitments_current(grant_year).values(), Decimal(0)),
        lines=grant_lines(offerings, rates_of(grant_year), seats),
    )


def grant_year_forecasts(grant_years) -> dict[int, GrantForecast]:
    """grant year pk -> its forecast, for a list of grant years of one region in a fixed
    number of queries (one each for rates, commitments and offerings)."""
    grant_years = list(grant_years)
    if not grant_years:
        return {}
    rates: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for (grant_year_id, category), amount in rates_by_grant_year(grant_years).items():
        rates[grant_year_id][category] = amount
    committed: dict[int, Decimal] = defaultdict(Decimal)
    for grant_year_id, places in current_commitments(grant_years).values_list(
        "grant_year_id", "places"
    ):
        committed[grant_year_id] += places
    offerings: dict[tuple[int, int, str], list] = defaultdict(list)
    for offering in Offering.objects.filter(
        region_id__in={g.region_id for g in grant_years},
        starts_on__year__in={g.year for g in grant_years},
        programme__sector__in={g.sector for g in grant_years},
    ).select_related("programme"):
        key = (offering.region_id, offering.starts_on.year, offering.programme.sector)
        offerings[key].append(offering)
    return {
        grant_year.pk: grant_forecast(
            granted_places=grant_year.granted_places,
            granted_amount=grant_year.granted_amount,
            cofinancing_municipal=grant_year.cofinancing_municipal,
            cofinancing_state=grant_year.cofinancing_state,
            committed_places=committed[grant_year.pk],
            lines=grant_lines(
                offerings[(grant_year.region_id, grant_year.year, grant_year.sector)],
                rates[grant_year.pk],
            ),
        )
        for grant_year in grant_years
    }


def committable_municipalities(membership, grant_year):
    """The municipalities a membership may record co-financing for: a rector their own
    municipality, a region admin every party of the grant year's region; nobody else any."""
    parties = Municipality.objects.filter(region_id=grant_year.region_id, is_party=True)
    if membership is None or membership.region_id != grant_year.region_id:
        return parties.none()
    if membership.role == Role.REGION_ADMIN:
        return parties
    if membership.role == Role.RECTOR:
        return parties.filter(pk=membership.scope_municipality_id)
    return parties.none()


def terms_grant_years(region, *, today=None):
    """The grant years whose co-financing ratio the region admin may still change: this year's
    and later ones (an earlier year's allocation rests on its ratio)."""
    today = today or timezone.localdate()
    return (
        GrantYear.objects.for_region(region).filter(year__gte=today.year).order_by("year", "sector")
    )


def terms_prices(region):
    """The price list of the region's agreements, by agreement and programme."""
    return (
        Price.objects.for_region(region)
        .select_related("agreement", "programme")
        .order_by("agreement__valid_from", "programme__name")
    )
