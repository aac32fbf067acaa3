"""Reads of admission rounds and offers: the officer's round pages (scoped through
AdmissionRound.objects.visible_to: the intake office and region admins of the region) and the
applicant's own offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, TaskOutbox
from accounts.tenancy import get_scoped_or_404
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    EligibilityDecision,
    SelectionGroupDecision,
)
from admissions.rounds.models import (
    AdmissionRound,
    Offer,
    OfferAnswerKind,
    Outcome,
    RoundCutoff,
    RoundResult,
    RoundStatus,
)
from yrkescenter.models import IntakePeriod, Offering


def rounds_for(membership: Membership | None) -> QuerySet[AdmissionRound]:
    return (
        AdmissionRound.objects.visible_to(membership)
        .select_related("intake_period")
        .order_by("-intake_period__starts_on", "-number")
    )


def get_round_for(request, pk) -> AdmissionRound:
    return get_scoped_or_404(
        AdmissionRound.objects.visible_to(request.membership).select_related(
            "intake_period", "region", "created_by", "published_by"
        ),
        pk=pk,
    )


def latest_by_choice(model, field_name: str, period: IntakePeriod) -> dict[int, Any]:
    """choice pk -> the field of its current decision (the latest by decided_at, then id), for
    every choice of the period: one ordered scan instead of a subquery per choice."""
    rows = (
        model.objects.filter(choice__application__intake_period=period)
        .order_by("choice_id", "decided_at", "id")
        .values_list("choice_id", field_name)
    )
    # Later rows overwrite earlier ones: what is left is the current decision. Fetched whole,
    # not through a server-side cursor: PostgreSQL plans cursors for the first rows, which
    # turned this scan into a nested loop over every choice.
    return dict(rows)


def held_choices(period: IntakePeriod, *, before_number: int | None = None) -> dict[int, Choice]:
    """application pk -> the choice whose seat the applicant holds, decided by their LATEST offer
    in a published or closed round of the period (only rounds numbered below `before_number`,
    if given): held when it is accepted or still open. A later offer means the round moved them
    up and gave their earlier seat to the next in line, so declining or missing that later offer
    leaves them no seat; the earlier acceptance stays as history."""
    offers = Offer.objects.filter(
        round__intake_period=period,
        round__status__in=(RoundStatus.PUBLISHED, RoundStatus.CLOSED),
    ).select_related("choice", "answer")
    if before_number is not None:
        offers = offers.filter(round__number__lt=before_number)
    latest: dict[int, Offer] = {}
    for offer in offers.order_by("round__number", "pk"):
        latest[offer.application_id] = offer
    return {
        application_pk: offer.choice
        for application_pk, offer in latest.items()
        if _answer_kind(offer) in (None, OfferAnswerKind.ACCEPTED)
    }


def _answer_kind(offer: Offer) -> str | None:
    try:
        return offer.answer.kind
    except Offer.answer.RelatedObjectDoesNotExist:
        return None


# --- preview ----------------------------------------------------------------------------------


@dataclass
class OfferingPreview:
    offering: Offering
    choices: int = 0
    held: int = 0


@dataclass
class RoundPreview:
    applications: int = 0
    withdrawn: int = 0
    choices: int = 0
    eligible: int = 0
    not_eligible: int = 0
    undecided: int = 0
    without_group: int = 0
    held: int = 0
    seats: int = 0
    offerings: list[OfferingPreview] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def round_preview(admission_round: AdmissionRound) -> RoundPreview:
    """What a run of the round would be given, counted, with what looks wrong. Counts the
    period's submitted applications and their choices with their current decisions."""
    period = admission_round.intake_period
    preview = RoundPreview()
    statuses = dict.fromkeys(ApplicationStatus.values, 0)
    for status in Application.objects.filter(intake_period=period).values_list("status", flat=True):
        statuses[status] += 1
    preview.applications = statuses[ApplicationStatus.SUBMITTED]
    preview.withdrawn = statuses[ApplicationStatus.WITHDRAWN]
    eligibility = latest_by_choice(EligibilityDecision, "eligible", period)
    groups = latest_by_choice(SelectionGroupDecision, "group", period)
    offerings = {
        o.pk: OfferingPreview(offering=o)
        for o in Offering.objects.filter(intake_period=period)
        .select_related("programme", "centre")
        .order_by("programme__name", "centre__name", "pk")
    }
    choices = Choice.objects.filter(
        application__intake_period=period, application__status=ApplicationStatus.SUBMITTED
    ).values_list("pk", "offering_id")
    for choice_pk, offering_pk in choices:
        preview.choices += 1
        decision = eligibility.get(choice_pk)
        if decision is None:
            preview.undecided += 1
        elif decision:
            preview.eligible += 1
        else:
            preview.not_eligible += 1
        if choice_pk not in groups:
            preview.without_group += 1
        if offering_pk in offerings:
            offerings[offering_pk].choices += 1
    held = held_choices(period, before_number=admission_round.number)
    for choice in held.values():
        if choice.offering_id in offerings:
            offerings[choice.offering_id].held += 1
    preview.held = len(held)
    preview.offerings = list(offerings.values())
    preview.seats = sum(o.offering.seats for o in preview.offerings)

    warnings = preview.warnings
    if not preview.offerings:
        warnings.append(_("The intake period has no offerings."))
    if not preview.applications:
        warnings.append(_("The intake period has no submitted applications."))
    if preview.undecided:
        warnings.append(
            ngettext(
                "%(count)d choice has no eligibility decision; it will be treated as not eligible.",
                "%(count)d choices have no eligibility decision; they will be treated as not "
                "eligible.",
                preview.undecided,
            )
            % {"count": preview.undecided}
        )
    if preview.without_group:
        warnings.append(
            ngettext(
                "%(count)d choice has no selection group; it will be given group 5.",
                "%(count)d choices have no selection group; they will be given group 5.",
                preview.without_group,
            )
            % {"count": preview.without_group}
        )
    for item in preview.offerings:
        if item.offering.seats == 0:
            warnings.append(_("%(offering)s has no seats.") % {"offering": str(item.offering)})
        elif item.held > item.offering.seats:
            warnings.append(
                _("%(offering)s has more held seats (%(held)d) than seats (%(seats)d).")
                % {"offering": str(item.offering), "held": item.held, "seats": item.offering.seats}
            )
    return preview


# --- results ----------------------------------------------------------------------------------


def cutoffs_of(admission_round: AdmissionRound) -> QuerySet[RoundCutoff]:
    return (
        RoundCutoff.objects.filter(round=admission_round)
        .select_related("offering__programme", "offering__centre")
        .order_by("offering__programme__name", "offering__centre__name", "offering_id")
    )


@dataclass
class OfferingResults:
    cutoff: RoundCutoff
    admitted: list[RoundResult]
    waiting: list[RoundResult]
    # People with protected personal data whom this membership may not see (their rows are
    # left out, so the lists say how many are missing and why).
    withheld: int = 0


def offering_results(
    admission_round: AdmissionRound, offering_pk, membership
) -> OfferingResults | None:
    """One offering's admitted list (by priority) and waiting list (by place)."""
    cutoff = cutoffs_of(admission_round).filter(offering_id=offering_pk).first()
    if cutoff is None:
        return None
    listed = RoundResult.objects.filter(
        round=admission_round,
        offering_id=offering_pk,
        outcome__in=(Outcome.ADMITTED, Outcome.WAITING),
    )
    rows = (
        listed.visible_to(membership)
        .select_related("application", "choice")
        .order_by("group", "lottery", "application_id")
    )
    admitted, waiting = [], []
    for row in rows:
        (admitted if row.outcome == Outcome.ADMITTED else waiting).append(row)
    waiting.sort(key=lambda row: row.waiting_position or 0)
    withheld = listed.count() - len(admitted) - len(waiting)
    return OfferingResults(cutoff=cutoff, admitted=admitted, waiting=waiting, withheld=withheld)


def application_results(
    admission_round: AdmissionRound, reference: str, membership
) -> list[RoundResult]:
    """Why: every choice of the application with this reference, in the applicant's order."""
    reference = reference.strip()
    if not reference:
        return []
    return list(
        RoundResult.objects.visible_to(membership)
        .filter(round=admission_round, application__reference__iexact=reference)
        .select_related("application", "choice", "offering__programme", "offering__centre")
        .order_by("choice__rank")
    )


# --- the applicant's offers -------------------------------------------------------------------


def own_offers(request) -> QuerySet[Offer]:
    """The acting applicant's offers (never anyone else's, whatever the membership's role)."""
    if not request.user.is_authenticated:
        return Offer.objects.none()
    return Offer.objects.filter(
        Q(application__applicant=request.user),
        application__in=Application.objects.visible_to(request.membership),
    ).select_related(
        "round__intake_period",
        "application",
        "choice__offering__programme",
        "choice__offering__centre",
    )


def get_own_offer_for(request, pk) -> Offer:
    return get_scoped_or_404(own_offers(request), pk=pk)


def offers_of(application: Application) -> list[Offer]:
    """The application's offers of published or closed rounds, newest first, with answers."""
    return list(
        Offer.objects.filter(application=application)
        .select_related(
            "round",
            "answer",
            "choice__offering__programme",
            "choice__offering__centre",
        )
        .order_by("-round__number")
    )


def round_run_unsent(round_pk: int) -> bool:
    """Whether the round's run waits in the task outbox because the queue could not be reached."""
    return TaskOutbox.objects.filter(
        task="admissions.tasks.round_run", args=[round_pk], sent_at__isnull=True
    ).exists()
