"""Reads of APL places (see industriradet.services.apl for the rules):

- a company contact sees their companies' offers, each with the number of places booked, never
  who holds them;
- a centre coordinator sees the offers for the programmes and terms their centre gives, and
  the bookings of their centre's students;
- the council sees APL only as the balance per programme and term (apl_balance).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from accounts.models import Membership, Region, Role
from accounts.tenancy import get_scoped_or_404
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.enrolment.selectors import accepted_unstarted_offers
from industriradet.models import AplBooking, AplOffer
from yrkescenter.models import IntakePeriod, Municipality, Offering, Programme, Yrkescenter

ACTIVE = Q(bookings__cancelled_at__isnull=True)


def _with_booked(queryset: QuerySet[AplOffer]) -> QuerySet[AplOffer]:
    return queryset.annotate(booked=Count("bookings", filter=ACTIVE)).select_related(
        "company", "programme", "intake_period"
    )


# --- a company contact's offers ------------------------------------------------------------------


def company_offers(membership: Membership | None) -> QuerySet[AplOffer]:
    """A company contact's offers, newest term first, each with `booked`."""
    if membership is None or membership.role != Role.COMPANY_CONTACT:
        return AplOffer.objects.none()
    return _with_booked(AplOffer.objects.visible_to(membership)).order_by(
        "-intake_period__starts_on", "programme__name", "company__name"
    )


def get_company_offer_for(request, pk) -> AplOffer:
    return get_scoped_or_404(company_offers(request.membership), pk=pk)


# --- a centre coordinator's offers and bookings ---------------------------------------------------


def _centre_id(membership: Membership | None) -> int | None:
    if membership is None or membership.role != Role.COORDINATOR:
        return None
    return membership.scope_centre_id


def centre_offers(membership: Membership | None) -> QuerySet[AplOffer]:
    """The offers for a programme and term the coordinator's centre gives, each with
    `booked`."""
    centre_id = _centre_id(membership)
    if centre_id is None:
        return AplOffer.objects.none()
    given_here = Offering.objects.filter(
        centre_id=centre_id,
        programme_id=OuterRef("programme_id"),
        intake_period_id=OuterRef("intake_period_id"),
    )
    return (
        _with_booked(AplOffer.objects.for_region(membership.region).filter(Exists(given_here)))
        .select_related("company__municipality")
        .order_by("-intake_period__starts_on", "programme__name", "company__name")
    )


def get_centre_offer_for(request, pk) -> AplOffer:
    return get_scoped_or_404(centre_offers(request.membership), pk=pk)


def centre_bookings(membership: Membership | None) -> QuerySet[AplBooking]:
    """The bookings (active and cancelled) of the coordinator's centre's students."""
    centre_id = _centre_id(membership)
    if centre_id is None:
        return AplBooking.objects.none()
    return (
        AplBooking.objects.for_region(membership.region)
        .filter(enrolment__offering__centre_id=centre_id)
        .select_related(
            "offer__company", "offer__programme", "offer__intake_period", "enrolment__application"
        )
        .order_by("cancelled_at", "-starts_on", "pk")
    )


def get_centre_booking_for(request, pk) -> AplBooking:
    return get_scoped_or_404(centre_bookings(request.membership), pk=pk)


def bookable_enrolments(membership: Membership | None, offer: AplOffer) -> QuerySet[Enrolment]:
    """The coordinator's students who study the offer's programme in its term now and hold no
    place on it yet."""
    if _centre_id(membership) is None:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.visible_to(membership)
        .filter(
            status=EnrolmentStatus.STARTED,
            offering__programme_id=offer.programme_id,
            offering__intake_period_id=offer.intake_period_id,
        )
        .exclude(
            Exists(
                AplBooking.objects.filter(
                    offer=offer, enrolment_id=OuterRef("pk"), cancelled_at__isnull=True
                )
            )
        )
        .select_related("application", "offering")
        .order_by("application__last_name", "application__first_name", "pk")
    )


# --- the council's balance ------------------------------------------------------------------------


@dataclass(frozen=True)
class AplBalanceRow:
    """One programme in one term: its admitted students against the APL places offered."""

    programme_id: int
    programme_code: str
    programme_name: str
    intake_period_id: int
    intake_period_code: str
    intake_period_name: str
    # Studying now (a started enrolment) or holding an accepted seat not yet started.
    admitted: int
    places: int  # offered by companies
    booked: int  # booked and not cancelled

    @property
    def short(self) -> bool:
        """More admitted students than places: the dashboard's flag."""
        return self.admitted > self.places

    @property
    def shortfall(self) -> int:
        return max(self.admitted - self.places, 0)

    @property
    def free(self) -> int:
        return max(self.places - self.booked, 0)


def apl_balance(
    region: Region,
    *,
    intake_period: IntakePeriod | None = None,
    programme: Programme | None = None,
    centre: Yrkescenter | None = None,
    municipality: Municipality | None = None,
) -> list[AplBalanceRow]:
    """Per programme and term (intake period): admitted students, APL places offered and places
    booked, counted in the database (four grouped queries and two small look-ups, whatever the
    number of students). Ordered by term, then programme name.

    admitted: students with a started enrolment on an offering of the programme and term, plus
    applicants holding an accepted seat there that has not started: their application's latest
    offer in a published or closed round is for that offering and accepted, the application is
    not withdrawn, and no enrolment of that choice is recorded
    (admissions.enrolment.selectors.accepted_unstarted_offers). Interrupted and completed
    students are not counted: they need no APL place.

    Filters: `centre` counts the centre's admitted students and their bookings, against the
    places offered for the programmes and terms the centre gives (an offer is not tied to a
    centre: the same places count for every centre giving the programme that term);
    `municipality` counts admitted students at centres hosted there, and places (and their
    bookings) of companies located there.
    """
    enrolments = Enrolment.objects.filter(offering__region=region, status=EnrolmentStatus.STARTED)
    waiting = accepted_unstarted_offers(region)
    offers = AplOffer.objects.filter(company__region=region)
    bookings = AplBooking.objects.filter(offer__company__region=region, cancelled_at__isnull=True)
    if intake_period is not None:
        enrolments = enrolments.filter(offering__intake_period=intake_period)
        waiting = waiting.filter(choice__offering__intake_period=intake_period)
        offers = offers.filter(intake_period=intake_period)
        bookings = bookings.filter(offer__intake_period=intake_period)
    if programme is not None:
        enrolments = enrolments.filter(offering__programme=programme)
        waiting = waiting.filter(choice__offering__programme=programme)
        offers = offers.filter(programme=programme)
        bookings = bookings.filter(offer__programme=programme)
    if centre is not None:
        given_there = Offering.objects.filter(
            centre=centre,
            programme_id=OuterRef("programme_id"),
            intake_period_id=OuterRef("intake_period_id"),
        )
        enrolments = enrolments.filter(offering__centre=centre)
        waiting = waiting.filter(choice__offering__centre=centre)
        offers = offers.filter(Exists(given_there))
        bookings = bookings.filter(enrolment__offering__centre=centre)
    if municipality is not None:
        enrolments = enrolments.filter(offering__centre__host_municipality=municipality)
        waiting = waiting.filter(choice__offering__centre__host_municipality=municipality)
        offers = offers.filter(company__municipality=municipality)
        bookings = bookings.filter(offer__company__municipality=municipality)

    admitted: dict[tuple[int, int], int] = {}
    # order_by(): no model ordering may widen the GROUP BY.
    for programme_id, period_id, count in (
        enrolments.order_by()
        .values_list("offering__programme_id", "offering__intake_period_id")
        .annotate(count=Count("pk"))
    ):
        admitted[(programme_id, period_id)] = admitted.get((programme_id, period_id), 0) + count
    for programme_id, period_id, count in (
        waiting.order_by()
        .values_list("choice__offering__programme_id", "choice__offering__intake_period_id")
        .annotate(count=Count("application_id", distinct=True))
    ):
        admitted[(programme_id, period_id)] = admitted.get((programme_id, period_id), 0) + count
    places = {
        (programme_id, period_id): total
        for programme_id, period_id, total in offers.order_by()
        .values_list("programme_id", "intake_period_id")
        .annotate(total=Sum("places"))
    }
    booked = {
        (programme_id, period_id): count
        for programme_id, period_id, count in bookings.order_by()
        .values_list("offer__programme_id", "offer__intake_period_id")
        .annotate(count=Count("pk"))
    }
    keys = set(admitted) | set(places) | set(booked)
    programmes = {
        p.pk: p for p in Programme.objects.filter(pk__in={programme_id for programme_id, _ in keys})
    }
    periods = {
        p.pk: p for p in IntakePeriod.objects.filter(pk__in={period_id for _, period_id in keys})
    }
    rows = [
        AplBalanceRow(
            programme_id=programme_id,
            programme_code=programmes[programme_id].code,
            programme_name=programmes[programme_id].name,
            intake_period_id=period_id,
            intake_period_code=periods[period_id].code,
            intake_period_name=periods[period_id].name,
            admitted=admitted.get((programme_id, period_id), 0),
            places=places.get((programme_id, period_id), 0) or 0,
            booked=booked.get((programme_id, period_id), 0),
        )
        for programme_id, period_id in keys
    ]
    rows.sort(
        key=lambda row: (
            periods[row.intake_period_id].starts_on,
            row.intake_period_code,
            row.programme_name,
            row.programme_id,
        )
    )
    return rows
