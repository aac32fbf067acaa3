"""APL pages: a company contact offers places and sees how many are booked (never by whom); a
centre coordinator sees the offers for their centre's programmes, books places for the
centre's students and cancels bookings. Objects are fetched through the scoped selectors of
industriradet.selectors.apl, so another company's offer or another centre's booking is a 404
like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from industriradet.forms import AplBookingForm, AplOfferForm
from industriradet.selectors.apl import (
    bookable_enrolments,
    centre_bookings,
    centre_offers,
    company_offers,
    get_centre_booking_for,
    get_centre_offer_for,
    get_company_offer_for,
)
from industriradet.services import apl as services

# --- the company's offers --------------------------------------------------------------------


@role_required(Role.COMPANY_CONTACT)
@require_GET
def apl_offers(request):
    return render(
        request, "industriradet/apl/offers.html", {"offers": company_offers(request.membership)}
    )


@role_required(Role.COMPANY_CONTACT)
@require_http_methods(["GET", "POST"])
def apl_offer_new(request):
    form = AplOfferForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apl_offer_create(
                acting_user=request.user,
                company=data["company"],
                programme=data["programme"],
                intake_period=data["intake_period"],
                places=data["places"],
                note=data["note"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The APL places were offered."))
            return redirect("industriradet:apl_offers")
    return render(
        request,
        "industriradet/apl/offer_form.html",
        {"form": form, "has_company": form.fields["company"].queryset.exists()},
    )


@role_required(Role.COMPANY_CONTACT)
@require_http_methods(["GET", "POST"])
def apl_offer_edit(request, pk: int):
    offer = get_company_offer_for(request, pk)
    form = AplOfferForm(
        request.POST or None,
        membership=request.membership,
        existing=True,
        initial={"places": offer.places, "note": offer.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.apl_offer_update(
                acting_user=request.user,
                offer=offer,
                places=form.cleaned_data["places"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The offer was saved."))
            return redirect("industriradet:apl_offers")
    return render(request, "industriradet/apl/offer_edit.html", {"offer": offer, "form": form})


# --- the centre's bookings -------------------------------------------------------------------


@role_required(Role.COORDINATOR)
@require_GET
def apl_places(request):
    services.apl_students_view_log(acting_user=request.user, membership=request.membership)
    return render(
        request,
        "industriradet/apl/places.html",
        {
            "offers": centre_offers(request.membership),
            "bookings": centre_bookings(request.membership),
        },
    )


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def apl_book(request, pk: int):
    offer = get_centre_offer_for(request, pk)
    enrolments = bookable_enrolments(request.membership, offer)
    if request.method == "GET":
        services.apl_students_view_log(
            acting_user=request.user, membership=request.membership, target=offer
        )
    form = AplBookingForm(request.POST or None, enrolments=enrolments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apl_book(
                acting_user=request.user,
                offer=offer,
                enrolment=data["enrolment"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("A place at %(company)s was booked.") % {"company": offer.company.name},
            )
            return redirect("industriradet:apl_places")
    return render(
        request,
        "industriradet/apl/book.html",
        {"offer": offer, "form": form, "has_students": enrolments.exists()},
    )


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def apl_cancel(request, pk: int):
    booking = get_centre_booking_for(request, pk)
    if request.method == "GET":
        services.apl_students_view_log(
            acting_user=request.user, membership=request.membership, target=booking
        )
    error = None
    if request.method == "POST" and booking.cancelled_at is None:
        try:
            services.apl_cancel(acting_user=request.user, booking=booking)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The booking was cancelled and its place is free again."))
            return redirect("industriradet:apl_places")
    return render(request, "industriradet/apl/cancel.html", {"booking": booking, "error": error})
