"""Reads of the regional structure, scoped to a region."""

from django.db.models import Count

from yrkescenter.models import Offering, Yrkescenter


def centres_of(region):
    return (
        Yrkescenter.objects.for_region(region)
        .select_related("host_municipality")
        .annotate(offering_count=Count("offerings"))
    )


def offerings_at(centre):
    return Offering.objects.filter(centre=centre).select_related("programme", "intake_period")
