"""Workplace-learning (APL) places: companies offer them, centre coordinators book them for
their admitted students.

The rules:

- An offer is a company's places for one programme of the region in one term (intake period),
  once per company, programme and term; its places are 1 or more. A company changes the number
  of places, never below the places already booked.
- A booking is for a student whose enrolment is started (studying now) on an offering of the
  offer's programme and term, from and to dates inside that offering's course dates. A student
  is booked at most once on the same offer (a cancelled booking does not count).
- An offer is never overbooked: the offer's row is locked while its bookings are counted, so two
  coordinators booking its last place at once get one booking and one refusal.
- Cancelling a booking frees its place; the booking stays as a record (cancelled_at).

The audit log carries ids and dates; never a student's name.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, User
from accounts.services import audit_record
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from industriradet.models import AplBooking, AplOffer, Company
from yrkescenter.models import IntakePeriod, Programme


def _locked_offer(offer: AplOffer) -> AplOffer:
    return (
        AplOffer.objects.select_for_update()
        .select_related("company__region", "programme", "intake_period")
        .get(pk=offer.pk)
    )


def active_bookings(offer: AplOffer) -> int:
    return AplBooking.objects.filter(offer=offer, cancelled_at__isnull=True).count()


def _offer_state(offer: AplOffer) -> dict:
    return {
        "company": offer.company_id,
        "programme": offer.programme.code,
        "intake_period": offer.intake_period.code,
        "places": offer.places,
    }


@transaction.atomic
def apl_offer_create(
    *,
    acting_user: User | None,
    company: Company,
    programme: Programme,
    intake_period: IntakePeriod,
    places: int,
    note: str = "",
) -> AplOffer:
    """Offer `places` APL places of `company` for `programme` in the term `intake_period`."""
    errors: dict[str, list[str]] = {}
    if programme.region_id != company.region_id:
        errors["programme"] = [_("Choose a programme of the region.")]
    if intake_period.region_id != company.region_id:
        errors["intake_period"] = [_("Choose a term of the region.")]
    # Locks the company's row, so two offers for the same programme and term sent at once
    # queue here and the second is refused with a message, not an IntegrityError.
    Company.objects.select_for_update().filter(pk=company.pk).first()
    if AplOffer.objects.filter(
        company=company, programme=programme, intake_period=intake_period
    ).exists():
        errors.setdefault("programme", []).append(
            _(
                "%(company)s already offers places for this programme in this term; change "
                "that offer instead."
            )
            % {"company": company.name}
        )
    offer = AplOffer(
        company=company,
        programme=programme,
        intake_period=intake_period,
        places=places,
        note=note,
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    try:
        offer.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    offer.save()
    audit_record(
        acting_user=acting_user,
        region=company.region,
        action="apl_offer.create",
        target=offer,
        data=_offer_state(offer),
    )
    return offer


@transaction.atomic
def apl_offer_update(
    *, acting_user: User | None, offer: AplOffer, places: int, note: str = ""
) -> AplOffer:
    """Change an offer's number of places (never below those booked) and its note."""
    offer = _locked_offer(offer)
    booked = active_bookings(offer)
    if places is None or places < 1:
        raise ValidationError({"places": [_("Offer at least 1 place.")]})
    if places < booked:
        raise ValidationError(
            {
                "places": [
                    ngettext(
                        "%(booked)s place is booked; offer at least that many.",
                        "%(booked)s places are booked; offer at least that many.",
                        booked,
                    )
                    % {"booked": booked}
                ]
            }
        )
    before = offer.places
    note_changed = offer.note != note
    if before == places and not note_changed:
        return offer
    offer.places = places
    offer.note = note
    offer.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    offer.save(update_fields=["places", "note"])
    audit_record(
        acting_user=acting_user,
        region=offer.company.region,
        action="apl_offer.update",
        target=offer,
        data={"places_before": before, "places": places, "note_changed": note_changed},
    )
    return offer


def _booking_errors(
    offer: AplOffer, enrolment: Enrolment, starts_on: dt.date, ends_on: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    offering = enrolment.offering
    if offering.region_id != offer.company.region_id:
        errors["enrolment"] = [_("The student is not one of the region's.")]
        return errors
    if enrolment.status != EnrolmentStatus.STARTED:
        errors["enrolment"] = [_("Only a student who is studying now can be booked.")]
    elif (
        offering.programme_id != offer.programme_id
        or offering.intake_period_id != offer.intake_period_id
    ):
        errors["enrolment"] = [
            _("The student does not study %(programme)s in %(term)s.")
            % {"programme": offer.programme.name, "term": offer.intake_period.name}
        ]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first.")]
    if starts_on < offering.starts_on or ends_on > offering.ends_on:
        errors.setdefault("starts_on", []).append(
            _("The APL period must lie within the course, %(starts)s to %(ends)s.")
            % {"starts": offering.starts_on.isoformat(), "ends": offering.ends_on.isoformat()}
        )
    return errors


@transaction.atomic
def apl_book(
    *,
    acting_user: User | None,
    offer: AplOffer,
    enrolment: Enrolment,
    starts_on: dt.date,
    ends_on: dt.date,
) -> AplBooking:
    """Book one of the offer's places for the student of `enrolment`, or refuse with a
    ValidationError when the offer is fully booked or the booking breaks a rule."""
    # The offer's row is the lock: bookings of the same offer queue here, so the count below
    # cannot be overtaken by another booking before this one is saved.
    offer = _locked_offer(offer)
    enrolment = Enrolment.objects.select_related("offering").get(pk=enrolment.pk)
    errors = _booking_errors(offer, enrolment, starts_on, ends_on)
    if not errors:
        if AplBooking.objects.filter(
            offer=offer, enrolment=enrolment, cancelled_at__isnull=True
        ).exists():
            errors["enrolment"] = [_("The student already has a place on this offer.")]
        elif active_bookings(offer) >= offer.places:
            errors[None] = [
                ngettext(
                    "The offer's %(places)s place is already booked.",
                    "All %(places)s places of the offer are already booked.",
                    offer.places,
                )
                % {"places": offer.places}
            ]
    if errors:
        raise ValidationError(
            {key or "__all__": messages for key, messages in errors.items()}, code="apl_refused"
        )
    booking = AplBooking.objects.create(
        offer=offer,
        enrolment=enrolment,
        starts_on=starts_on,
        ends_on=ends_on,
        booked_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    audit_record(
        acting_user=acting_user,
        region=offer.company.region,
        action="apl_booking.create",
        target=booking,
        data={
            "offer": offer.pk,
            "enrolment": enrolment.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return booking


@transaction.atomic
def apl_cancel(*, acting_user: User | None, booking: AplBooking) -> AplBooking:
    """Cancel a booking, which frees its place; the booking stays as a record."""
    offer = _locked_offer(booking.offer)
    booking = AplBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.cancelled_at is not None:
        raise ValidationError(_("The booking is already cancelled."), code="already_cancelled")
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    audit_record(
        acting_user=acting_user,
        region=offer.company.region,
        action="apl_booking.cancel",
        target=booking,
        data={"offer": offer.pk, "enrolment": booking.enrolment_id},
    )
    return booking


def apl_students_view_log(*, acting_user: User, membership: Membership, target=None) -> None:
    """Who saw the centre's students on the APL pages (the bookings list, a booking form or a
    cancellation): one entry each time such a page is opened."""
    audit_record(
        acting_user=acting_user,
        region=membership.region,
        action="apl_booking.list.view",
        target=target or membership.scope_centre,
        role=membership.role,
    )
