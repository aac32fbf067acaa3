"""Reads of the regional structure, scoped to a region."""

from django.db.models import Count
from django.utils import timezone

from yrkescenter.models import Offering, Yrkescenter


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
