from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from yrkescenter.forms import CatalogueFilterForm, RegionTermsForm
from yrkescenter.selectors import (
    catalogue,
    catalogue_options,
    centres_of,
    offerings_at,
    offerings_for_public,
    study_weeks,
    terms_grant_years,
    terms_prices,
)
from yrkescenter.services import region_terms_update


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


@role_required(Role.REGION_ADMIN)
@require_http_methods(["GET", "POST"])
def region_terms(request):
    """The region's own terms (max choices, tie-break rule, answer time, co-financing ratio,
    price list), changed by its region admin; every change is audited with old and new value."""
    region = request.region
    initial = {
        "max_choices": region.max_choices,
        "tie_break": region.tie_break,
        "answer_days": region.answer_days,
    }
    form = RegionTermsForm(
        request.POST or None,
        initial=initial,
        grant_years=terms_grant_years(region),
        prices=terms_prices(region),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = region_terms_update(
                acting_user=request.user,
                region=region,
                terms=form.terms(),
                role=request.membership.role,
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            if changes:
                messages.success(request, _("The region's terms have been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("yrkescenter:region_terms")
    return render(request, "yrkescenter/region_terms.html", {"form": form, "region": region})
