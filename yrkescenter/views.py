from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.tenancy import get_scoped_or_404
from yrkescenter.forms import CatalogueFilterForm
from yrkescenter.selectors import (
    catalogue,
    catalogue_options,
    centres_of,
    offerings_at,
    offerings_for_public,
    study_weeks,
)


def get_centre_for(request, pk):
    return get_scoped_or_404(centres_of(request.region), pk=pk)


@login_not_required
@require_GET
def centre_list(request):
    return render(request, "yrkescenter/centre_list.html", {"centres": centres_of(request.region)})


@login_not_required
@require_GET
def centre_detail(request, pk: int):
    centre = get_centre_for(request, pk)
    return render(
        request,
        "yrkescenter/centre_detail.html",
        {"centre": centre, "offerings": offerings_at(centre)},
    )


@login_not_required
@require_GET
def offering_list(request):
    """The catalogue: every open offering of the region, filtered by the GET form."""
    now = timezone.now()
    form = CatalogueFilterForm(
        request.GET or None, options=catalogue_options(request.region, now=now)
    )
    offerings = list(
        catalogue(request.region, now=now, **(form.filters() if form.is_bound else {}))
    )
    for offering in offerings:
        offering.weeks = study_weeks(offering)
    template = "yrkescenter/offering_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "offerings": offerings})


@login_not_required
@require_GET
def offering_detail(request, pk: int):
    offering = get_scoped_or_404(offerings_for_public(request.region), pk=pk)
    now = timezone.now()
    return render(
        request,
        "yrkescenter/offering_detail.html",
        {
            "offering": offering,
            "weeks": study_weeks(offering),
            "is_open": offering.application_opens <= now < offering.application_closes,
            "not_yet_open": now < offering.application_opens,
        },
    )
