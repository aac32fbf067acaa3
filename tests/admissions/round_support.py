"""Shared set-up of the round and offer tests (tests/admissions/test_rounds_*.py,
test_offers_*.py): a small intake period with offerings, applications with decided choices."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from admissions.applications.models import EligibilityDecision, SelectionGroupDecision
from admissions.rounds.models import AdmissionRound, Offer, RoundResult
from admissions.rounds.services import rounds
from tests.factories import (
    ApplicationFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MembershipFactory,
    OfferingFactory,
)


def officer(region):
    return MembershipFactory(region=region, role=Role.INTAKE_OFFICER).user


def period_with_offerings(region, *seats: int):
    period = IntakePeriodFactory(region=region)
    offerings = [
        OfferingFactory(region=region, intake_period=period, seats=n, state_funded_seats=0)
        for n in seats
    ]
    return period, offerings


def apply(region, period, user, *choices, group=3, eligible=True, decide=True):
    """A submitted application ranking `choices` (offerings) in order, each judged eligible (or
    not) with the selection group, unless `decide` is False."""
    application = ApplicationFactory(region=region, intake_period=period)
    for rank, offering in enumerate(choices, start=1):
        choice = ChoiceFactory(application=application, offering=offering, rank=rank)
        if decide:
            EligibilityDecision.objects.create(
                choice=choice,
                eligible=eligible,
                ground="" if eligible else "prerequisites",
                decided_by=user,
            )
            SelectionGroupDecision.objects.create(
                choice=choice, group=group, evidence="Intyg", decided_by=user
            )
    return application


def new_round(region, period, user, kind="main") -> AdmissionRound:
    return rounds.round_create(
        acting_user=user,
        region=region,
        intake_period=period,
        kind=kind,
        answer_deadline=timezone.localdate() + dt.timedelta(days=14),
    )


def run(admission_round: AdmissionRound, user) -> AdmissionRound:
    """Start and run a round in this transaction (the task's service, called directly: the
    enqueued task only runs after a commit)."""
    rounds.round_start(acting_user=user, admission_round=admission_round)
    rounds.round_run(round_id=admission_round.pk)
    admission_round.refresh_from_db()
    return admission_round


def run_and_publish(region, period, user) -> AdmissionRound:
    admission_round = run(new_round(region, period, user), user)
    rounds.round_publish(acting_user=user, admission_round=admission_round)
    admission_round.refresh_from_db()
    return admission_round


def result_rows(admission_round) -> list[tuple]:
    return sorted(
        RoundResult.objects.filter(round=admission_round).values_list(
            "choice_id",
            "application_id",
            "offering_id",
            "outcome",
            "waiting_position",
            "group",
            "lottery",
        )
    )


def outcome_of(admission_round, application, offering) -> tuple[str, int | None]:
    row = RoundResult.objects.get(round=admission_round, application=application, offering=offering)
    return row.outcome, row.waiting_position


def offer_for(admission_round, application) -> Offer:
    return Offer.objects.get(round=admission_round, application=application)
