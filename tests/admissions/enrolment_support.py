"""Shared set-up of the enrolment tests (tests/admissions/test_enrolment_*.py): a term that has
begun (all dates in the past, so starts and stops may be recorded), applications admitted
through a real published round, and their offers answered through the offers service."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from accounts.models import Role
from admissions.applications.models import Application
from admissions.rounds.models import Offer
from admissions.rounds.services import rounds
from tests.admissions.round_support import apply, officer, run_and_publish
from tests.factories import IntakePeriodFactory, MembershipFactory, OfferingFactory, enrol_totp

HOST = "hemland.example.test"
# A term in the past: the offerings ran from START to END.
START = dt.date(2025, 8, 18)
END = dt.date(2026, 6, 5)


def past_term(region, *seats: int, centre=None):
    """An intake period with one offering per entry of `seats`, running START to END, at
    `centre` (or a centre of its own each)."""
    period = IntakePeriodFactory(region=region, starts_on=START, ends_on=START)
    extra = {"centre": centre} if centre is not None else {}
    offerings = [
        OfferingFactory(
            region=region,
            intake_period=period,
            starts_on=START,
            ends_on=END,
            seats=n,
            state_funded_seats=0,
            **extra,
        )
        for n in seats
    ]
    return period, offerings


def admit(region, period, *wishes, answer: str | None = "accepted") -> list[Application]:
    """One application per entry of `wishes` (a list of offerings, in rank order), all eligible,
    run through a published main round; each offer is then answered with `answer` by the
    applicant (None: left open)."""
    user = officer(region)
    applications = [apply(region, period, user, *offerings) for offerings in wishes]
    admission_round = run_and_publish(region, period, user)
    if answer is not None:
        for application in applications:
            offer = Offer.objects.filter(round=admission_round, application=application).first()
            if offer is not None:
                rounds.offer_answer(acting_user=application.applicant, offer=offer, kind=answer)
    return applications


def coordinator(region, centre):
    user = MembershipFactory(region=region, role=Role.COORDINATOR, scope_centre=centre).user
    enrol_totp(user)
    return user


def client_of(region, role: Role, **scope) -> Client:
    """A logged-in client (English, so the tests read the msgids) of a new member in `role`."""
    membership = MembershipFactory(region=region, role=role, **scope)
    if role != Role.APPLICANT:
        enrol_totp(membership.user)
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    client.user = membership.user
    return client


def applicant_client(application) -> Client:
    MembershipFactory(region=application.region, role=Role.APPLICANT, user=application.applicant)
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(application.applicant)
    return client
