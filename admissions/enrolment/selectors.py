"""Reads of enrolment: who holds an accepted seat, the centre's offerings with their counts, an
offering's admitted students, and an applicant's own enrolments.

Who sees what (the pages check roles; these only scope rows):

- centre coordinators see their centre's offerings and students (Offering.objects.visible_to and
  Enrolment.objects.visible_to filter on the membership's centre) and record the enrolment;
- intake officers and region admins see every centre of the region, read only: the intake
  office follows up its admissions, the region admin answers questions about them;
- an applicant sees their own enrolment on their status page.

"Admitted" means holding an accepted seat: the application's latest offer in a published or
closed round of the period is for the choice and was accepted (the same rule as
round_selectors.held_choices, without the offers still open), and the application is not
withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership
from accounts.tenancy import get_scoped_or_404
from admissions.applications.models import Application, ApplicationStatus, Choice
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.rounds.models import Offer, OfferAnswerKind, RoundStatus
from yrkescenter.models import Offering

# The index lists offerings still running or ended at most this long ago (and every later one).
RECENT = dt.timedelta(days=365)
ANSWERED_ROUNDS = (RoundStatus.PUBLISHED, RoundStatus.CLOSED)


@dataclass(frozen=True)
class AcceptedSeat:
    application_id: int
    choice_id: int
    offering_id: int


def accepted_seats(
    *,
    offerings: Iterable[int] | QuerySet | None = None,
    applications: Iterable[int] | None = None,
) -> dict[int, AcceptedSeat]:
    """application pk -> the seat it holds by an accepted offer, for the applications with an
    offer at one of `offerings` (or among `applications`). One query: the offers of those
    applications, in round order; the latest per application decides."""
    offers = Offer.objects.filter(
        round__status__in=ANSWERED_ROUNDS, application__status=ApplicationStatus.SUBMITTED
    )
    if offerings is not None:
        # Every offer of an application that was ever offered a seat here: a later offer
        # elsewhere means the seat here is no longer theirs.
        offers = offers.filter(
            application__in=Offer.objects.filter(
                choice__offering__in=offerings, round__status__in=ANSWERED_ROUNDS
            ).values("application_id")
        )
    if applications is not None:
        offers = offers.filter(application_id__in=list(applications))
    rows = offers.order_by("application_id", "round__number", "pk").values_list(
        "application_id", "choice_id", "choice__offering_id", "answer__kind"
    )
    latest: dict[int, tuple[int, int, str | None]] = {}
    for application_id, choice_id, offering_id, kind in rows:
        latest[application_id] = (choice_id, offering_id, kind)
    return {
        application_id: AcceptedSeat(application_id, choice_id, offering_id)
        for application_id, (choice_id, offering_id, kind) in latest.items()
        if kind == OfferAnswerKind.ACCEPTED
    }


def accepted_unstarted_offers(region) -> QuerySet[Offer]:
    """The offers of the region that hold an accepted seat nobody has started yet, as a
    queryset to count in the database: the rule of accepted_seats (the application's latest
    offer in an answered round, accepted, the application not withdrawn), without an enrolment
    of its choice."""
    later_offer = Offer.objects.filter(
        application_id=OuterRef("application_id"),
        round__status__in=ANSWERED_ROUNDS,
        round__number__gt=OuterRef("round__number"),
    )
    return Offer.objects.filter(
        round__region=region,
        round__status__in=ANSWERED_ROUNDS,
        application__status=ApplicationStatus.SUBMITTED,
        answer__kind=OfferAnswerKind.ACCEPTED,
    ).exclude(
        Exists(later_offer) | Exists(Enrolment.objects.filter(choice_id=OuterRef("choice_id")))
    )


def holds_accepted_seat(choice: Choice) -> bool:
    seat = accepted_seats(applications=[choice.application_id]).get(choice.application_id)
    return seat is not None and seat.choice_id == choice.pk


# --- the centre's offerings -------------------------------------------------------------------


@dataclass
class OfferingCounts:
    offering: Offering
    admitted: int = 0
    studying: int = 0
    stopped: int = 0
    completed: int = 0


@dataclass
class PeriodOfferings:
    period_name: str
    offerings: list[OfferingCounts] = field(default_factory=list)


def enrolment_offerings(
    membership: Membership | None, today: dt.date | None = None
) -> list[PeriodOfferings]:
    """The offerings the membership sees that run now, ended within a year or start later,
    grouped by intake period (newest first), each with its counts. Two queries."""
    today = today or timezone.localdate()
    offerings = list(
        Offering.objects.visible_to(membership)
        .filter(ends_on__gte=today - RECENT)
        .select_related("programme", "centre", "intake_period")
        .annotate(
            studying=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.STARTED)),
            stopped=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.INTERRUPTED)),
            completed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED)),
        )
        .order_by(
            "-intake_period__starts_on",
            "intake_period_id",
            "centre__name",
            "programme__name",
            "starts_on",
            "pk",
        )
    )
    admitted = Counter(
        seat.offering_id for seat in accepted_seats(offerings=[o.pk for o in offerings]).values()
    )
    periods: dict[int, PeriodOfferings] = {}
    for offering in offerings:
        group = periods.setdefault(
            offering.intake_period_id, PeriodOfferings(period_name=offering.intake_period.name)
        )
        group.offerings.append(
            OfferingCounts(
                offering=offering,
                admitted=admitted.get(offering.pk, 0),
                studying=offering.studying,
                stopped=offering.stopped,
                completed=offering.completed,
            )
        )
    return list(periods.values())


def get_enrolment_offering_for(request, pk) -> Offering:
    return get_scoped_or_404(
        Offering.objects.visible_to(request.membership).select_related(
            "programme", "centre__host_municipality", "intake_period", "region"
        ),
        pk=pk,
    )


# --- one offering's students ------------------------------------------------------------------


@dataclass
class StudentRow:
    choice: Choice
    enrolment: Enrolment | None
    # Whether the application holds its accepted seat here now (a student who started may have
    # been moved to another seat since; their enrolment stays on the list).
    holds_seat: bool
    forms: dict = field(default_factory=dict)

    @property
    def application(self) -> Application:
        return self.choice.application


def offering_students(offering: Offering, membership: Membership | None) -> list[StudentRow]:
    """The offering's admitted students (holding an accepted seat here) and everyone with an
    enrolment here, by name. Two queries, whatever the number of students."""
    seats = accepted_seats(offerings=[offering.pk])
    held = {seat.choice_id for seat in seats.values() if seat.offering_id == offering.pk}
    choices = (
        Choice.objects.visible_to(membership)
        .filter(offering=offering)
        .filter(Q(pk__in=held) | Q(enrolment__isnull=False))
        .select_related("application__home_municipality", "enrolment")
        .order_by("application__last_name", "application__first_name", "application_id")
    )
    rows = []
    for choice in choices:
        try:
            enrolment = choice.enrolment
        except Enrolment.DoesNotExist:
            enrolment = None
        rows.append(StudentRow(choice=choice, enrolment=enrolment, holds_seat=choice.pk in held))
    return rows


def get_startable_choice_for(request, pk) -> Choice:
    """A choice at an offering the membership sees (a coordinator: at their centre)."""
    return get_scoped_or_404(
        Choice.objects.visible_to(request.membership)
        .filter(offering__in=Offering.objects.visible_to(request.membership))
        .select_related("application__region", "offering"),
        pk=pk,
    )


def get_enrolment_for(request, pk) -> Enrolment:
    return get_scoped_or_404(
        Enrolment.objects.visible_to(request.membership).select_related(
            "offering__programme",
            "offering__centre",
            "offering__intake_period",
            "application__home_municipality",
            "application__region",
        ),
        pk=pk,
    )


# --- the applicant's own ----------------------------------------------------------------------


def enrolments_of(application: Application) -> list[Enrolment]:
    """The application's enrolments for its status page (the caller has scoped the
    application to its owner)."""
    return list(
        Enrolment.objects.filter(application=application)
        .select_related("offering__programme", "offering__centre")
        .order_by("started_on", "pk")
    )
