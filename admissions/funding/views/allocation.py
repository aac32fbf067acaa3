"""The rectors' allocation of the state grant's places to offerings, next to the demand.

The grant year and its arithmetic are the region's terms (yrkescenter); the page lives here
because it shows the demand from applications. Who sees what:

- rectors and region admins: every offering of the grant year with its demand (the allocation
  is the rectors' joint decision for the region), the region's totals, and the co-financing
  commitments: a region admin every municipality's, a rector their own municipality's and the
  total;
- council members: the list of grant years with the region's totals only; the allocation page
  itself is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from admissions.applications.selectors.review import offerings_with_demand
from admissions.funding.forms.allocation import AllocationForm, CommitmentForm, seats_field_name
from yrkescenter import services as yrkescenter_services
from yrkescenter.grants import kronor, places_for
from yrkescenter.models import Allocation, GrantYear
from yrkescenter.selectors import (
    allocation_lines,
    allocations_of,
    committable_municipalities,
    current_commitments,
    grant_year_forecast,
    grant_year_forecasts,
    grant_years_for,
    rates_of,
)

ALLOCATION_ROLES = (Role.RECTOR, Role.REGION_ADMIN)
allocation_staff = role_required(*ALLOCATION_ROLES)


def get_grant_year_for(request, pk) -> GrantYear:
    return get_scoped_or_404(
        GrantYear.objects.visible_to(request.membership).select_related("region"), pk=pk
    )


@dataclass(frozen=True)
class Row:
    offering: object
    field: object  # the bound seats field
    seats: int  # the state-funded seats the figures are computed from
    places: Decimal
    amount: Decimal

    @property
    def applicants_per_seat(self) -> Decimal | None:
        if not self.offering.seats:
            return None
        return (Decimal(self.offering.applications) / self.offering.seats).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def _detail_context(
    request, grant_year, *, offerings=None, allocation_form=None, commitment_form=None
):
    if offerings is None:
        offerings = list(offerings_with_demand(grant_year))
    versions = list(allocations_of(grant_year))
    current = versions[0] if versions else None
    if allocation_form is None:
        allocation_form = AllocationForm(
            offerings=offerings, based_on_version=current.version if current else None
        )
    rates = rates_of(grant_year)
    shown = allocation_form.seats_shown()
    rows = []
    for offering in offerings:
        places = places_for(seats=shown[offering.pk], vp=offering.programme.vp)
        rate = rates.get(offering.programme.grant_category, Decimal(0))
        rows.append(
            Row(
                offering=offering,
                field=allocation_form[seats_field_name(offering.pk)],
                seats=shown[offering.pk],
                places=places,
                amount=kronor(places * rate),
            )
        )
    municipalities = committable_municipalities(request.membership, grant_year)
    if commitment_form is None:
        commitment_form = CommitmentForm(municipalities=municipalities)
    commitments = list(current_commitments(grant_year))
    if request.membership.role != Role.REGION_ADMIN:
        # A rector sees their own municipality's figure and the region's total.
        own = request.membership.scope_municipality_id
        commitments_shown = [row for row in commitments if row.municipality_id == own]
    else:
        commitments_shown = commitments
    forecast = grant_year_forecast(grant_year, offerings=offerings)
    missing_rates = sorted(
        {
            offering.programme.get_grant_category_display()
            for offering in offerings
            if offering.programme.grant_category not in rates
        }
    )
    return {
        "grant_year": grant_year,
        "rows": rows,
        "totals": {
            "seats": sum(o.seats for o in offerings),
            "applications": sum(o.applications for o in offerings),
            "eligible_first_choices": sum(o.eligible_first_choices for o in offerings),
            "state_seats": sum(row.seats for row in rows),
            "places": sum((row.places for row in rows), Decimal(0)),
            "amount": sum((row.amount for row in rows), Decimal(0)),
        },
        "rates": sorted(rates.items()),
        "missing_rates": missing_rates,
        "form": allocation_form,
        "commitment_form": commitment_form,
        "can_commit": municipalities.exists(),
        "commitments": commitments_shown,
        "forecast": forecast,
        "versions": versions,
        "current": current,
    }


# --- pages ------------------------------------------------------------------------------------


@role_required(Role.RECTOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER)
@require_GET
def allocation_index(request):
    """The region's grant years with their totals; council members see only this page."""
    grant_years = list(grant_years_for(request.membership))
    forecasts = grant_year_forecasts(grant_years)
    return render(
        request,
        "admissions/allocation/index.html",
        {
            "rows": [(grant_year, forecasts[grant_year.pk]) for grant_year in grant_years],
            "can_allocate": request.membership.role in ALLOCATION_ROLES,
        },
    )


@allocation_staff
@require_http_methods(["GET", "POST"])
def allocation_detail(request, pk: int):
    grant_year = get_grant_year_for(request, pk)
    if request.method != "POST":
        return render(
            request, "admissions/allocation/detail.html", _detail_context(request, grant_year)
        )
    offerings = list(offerings_with_demand(grant_year))
    form = AllocationForm(request.POST, offerings=offerings, based_on_version=None)
    if form.is_valid():
        try:
            allocation = yrkescenter_services.allocation_save(
                acting_user=request.user,
                grant_year=grant_year,
                seats_by_offering=form.seats(),
                reason=form.cleaned_data["reason"],
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _report_saved(request, allocation)
            return redirect("admissions:allocation_detail", pk=grant_year.pk)
    return render(
        request,
        "admissions/allocation/detail.html",
        _detail_context(request, grant_year, offerings=offerings, allocation_form=form),
    )


def _report_saved(request, allocation: Allocation) -> None:
    previous = allocation.version - 1
    if previous >= 1 and allocation.based_on_version != previous:
        meanwhile = (
            Allocation.objects.filter(grant_year=allocation.grant_year, version=previous)
            .select_related("decided_by")
            .get()
        )
        messages.warning(
            request,
            _(
                "Version %(previous)s by %(name)s was saved while you were editing. Your "
                "version %(version)s is now the one in force: check that it keeps what they "
                "changed."
            )
            % {
                "previous": previous,
                "name": _decider(meanwhile),
                "version": allocation.version,
            },
        )
    else:
        messages.success(
            request,
            _("Version %(version)s of the allocation is saved and in force.")
            % {"version": allocation.version},
        )


def _decider(allocation: Allocation) -> str:
    user = allocation.decided_by
    if user is None:
        return _("the region's data")
    return user.full_name or user.email


@allocation_staff
@require_GET
def allocation_version(request, pk: int, version: int):
    """One saved version, read-only: who, when, why, and its seats."""
    grant_year = get_grant_year_for(request, pk)
    allocation = get_scoped_or_404(
        Allocation.objects.filter(grant_year=grant_year).select_related("decided_by"),
        version=version,
    )
    lines = []
    for line in allocation_lines(allocation):
        lines.append((line, places_for(seats=line.seats, vp=line.offering.programme.vp)))
    return render(
        request,
        "admissions/allocation/version.html",
        {
            "grant_year": grant_year,
            "allocation": allocation,
            "lines": lines,
            "total_places": sum((places for _line, places in lines), Decimal(0)),
            "total_seats": sum(line.seats for line, _places in lines),
        },
    )


@allocation_staff
def commitment_record(request, pk: int):
    """Record a municipality's co-financed places (POST only): a rector for their own
    municipality, a region admin for any party."""
    # The grant year is looked up before the method is checked, so a foreign one answers 404
    # to any method, exactly like a missing one.
    grant_year = get_grant_year_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CommitmentForm(
        request.POST,
        municipalities=committable_municipalities(request.membership, grant_year),
    )
    if form.is_valid():
        try:
            yrkescenter_services.commitment_record(
                acting_user=request.user, grant_year=grant_year, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The commitment of %(municipality)s is recorded.")
                % {"municipality": form.cleaned_data["municipality"].name},
            )
            return redirect("admissions:allocation_detail", pk=grant_year.pk)
    return render(
        request,
        "admissions/allocation/detail.html",
        _detail_context(request, grant_year, commitment_form=form),
    )
