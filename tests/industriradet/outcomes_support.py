"""Shared set-up of the outcome and open-statistics tests: students whose studies have ended
(enrolment rows written directly: the rules of enrolment are tested in tests/admissions), and
logged-in clients in a role."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from accounts.models import Role
from admissions.applications import personnummer as pnr
from admissions.enrolment.models import Enrolment, EnrolmentStatus, InterruptionReason
from tests.factories import (
    ApplicationFactory,
    ChoiceFactory,
    MembershipFactory,
    OfferingFactory,
    enrol_totp,
)

HOST = "hemland.example.test"
FOREIGN_HOST = "bortland.example.test"


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def past_offering(region, *, ended_days_ago: int = 200, **values):
    """An offering that ran for about ten months and ended `ended_days_ago` days ago."""
    ends = days_ago(ended_days_ago)
    values.setdefault("starts_on", ends - dt.timedelta(days=300))
    values.setdefault("ends_on", ends)
    return OfferingFactory(region=region, **values)


def student(
    region,
    offering,
    *,
    status: str = EnrolmentStatus.COMPLETED,
    ended_on: dt.date | None = None,
    birth_date: dt.date = dt.date(1990, 5, 4),
    serial: int = 123,
    prior_education: str = "",
    application_status: str = "submitted",
) -> Enrolment:
    """A submitted application with its choice of `offering` and an enrolment there, completed
    (or stopped, or studying) on `ended_on` (default: the offering's end)."""
    application = ApplicationFactory(
        region=region,
        intake_period=offering.intake_period,
        birth_date=birth_date,
        personnummer=pnr.build(birth_date, serial),
        prior_education=prior_education,
        status=application_status,
    )
    choice = ChoiceFactory(application=application, offering=offering, rank=1)
    ended = status != EnrolmentStatus.STARTED
    return Enrolment.objects.create(
        application=application,
        choice=choice,
        offering=offering,
        started_on=offering.starts_on,
        status=status,
        ended_on=(ended_on or offering.ends_on) if ended else None,
        interruption_reason=InterruptionReason.WORK
        if status == EnrolmentStatus.INTERRUPTED
        else "",
    )


def member(region, role: Role, **scope):
    membership = MembershipFactory(region=region, role=role, **scope)
    if role not in (Role.APPLICANT, Role.COMPANY_CONTACT):
        enrol_totp(membership.user)
    return membership


def client_of(region, role: Role, host: str = HOST, **scope) -> Client:
    """A logged-in client (English, so the tests read the msgids) of a new member in `role`."""
    membership = member(region, role, **scope)
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    client.user = membership.user
    client.membership = membership
    return client
