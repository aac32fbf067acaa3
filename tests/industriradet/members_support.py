"""Shared set-up of the council's needs and APL tests (tests/industriradet/test_needs_*.py,
test_apl_*.py): a cluster with companies and their contacts, an open needs survey, and started
enrolments at a centre whose coordinator books APL places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accounts.models import Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from industriradet.models import (
    Company,
    CompanyContact,
    MemberOrganisation,
    NeedsSurvey,
    OrganisationKind,
)
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    enrol_totp,
)

HOST = "hemland.example.test"
FOREIGN_HOST = "bortland.example.test"


@dataclass
class Council:
    region: object
    cluster: MemberOrganisation
    union: MemberOrganisation
    municipality: object  # a party of the region, where the companies are
    other_municipality: object
    survey: NeedsSurvey
    company: Company
    other_company: Company  # of the same cluster, with a contact of its own


def cluster(region, code="verkstad", name="Verkstadsklustret") -> MemberOrganisation:
    return MemberOrganisation.objects.create(
        region=region, code=code, name=name, kind=OrganisationKind.CLUSTER, member_companies=110
    )


def survey(region, *, code="behov-2027", opens_in_days=-30, closes_in_days=60) -> NeedsSurvey:
    today = timezone.localdate()
    return NeedsSurvey.objects.create(
        region=region,
        code=code,
        name=f"Kompetensbehov {code}",
        opens_on=today + dt.timedelta(days=opens_in_days),
        closes_on=today + dt.timedelta(days=closes_in_days),
    )


def council(region) -> Council:
    """A cluster and a union, two party municipalities, an open survey and two companies of
    the cluster."""
    verkstad = cluster(region)
    union = MemberOrganisation.objects.create(
        region=region, code="metall", name="Metallfacket", kind=OrganisationKind.UNION
    )
    karlstad = MunicipalityFactory(region=region, code="8780", name="Karlby")
    arvika = MunicipalityFactory(region=region, code="8784", name="Arvby")
    company = Company.objects.create(
        region=region,
        name="Exempel Verkstads AB",
        organisation=verkstad,
        municipality=karlstad,
        org_number="556000-0001",
    )
    other = Company.objects.create(
        region=region, name="Exempel Gjuteri AB", organisation=verkstad, municipality=arvika
    )
    return Council(
        region=region,
        cluster=verkstad,
        union=union,
        municipality=karlstad,
        other_municipality=arvika,
        survey=survey(region),
        company=company,
        other_company=other,
    )


def contact(region, company, **membership):
    """A user with a company-contact membership who speaks for `company`."""
    user = MembershipFactory(region=region, role=Role.COMPANY_CONTACT, **membership).user
    CompanyContact.objects.create(company=company, user=user, title="HR-chef")
    return user


def staff(region, role: Role, **scope):
    user = MembershipFactory(region=region, role=role, **scope).user
    enrol_totp(user)
    return user


def client_for(user, host: str = HOST) -> Client:
    """A logged-in client (English, so the tests read the msgids)."""
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- APL --------------------------------------------------------------------------------------

# The term in which the APL tests' students study.
TERM_START = dt.date(2026, 8, 17)
TERM_END = dt.date(2027, 6, 4)


@dataclass
class Term:
    period: object
    programme: object
    centre: object
    offering: object  # the programme at the centre in the term


def term(region, *, programme=None, centre=None, period=None) -> Term:
    programme = programme or ProgrammeFactory(region=region, name="Svetsare")
    centre = centre or CentreFactory(region=region)
    period = period or IntakePeriodFactory(
        region=region, code="ht2026", name="HT 2026", starts_on=TERM_START, ends_on=TERM_START
    )
    offering = OfferingFactory(
        region=region,
        programme=programme,
        centre=centre,
        intake_period=period,
        starts_on=TERM_START,
        ends_on=TERM_END,
    )
    return Term(period=period, programme=programme, centre=centre, offering=offering)


def started(offering, *, status=EnrolmentStatus.STARTED, **application) -> Enrolment:
    """An enrolment at `offering` (the booking rules read only its state, not how it came
    about; tests of apl_balance admit their students through a real round instead)."""
    choice = ChoiceFactory(
        application=ApplicationFactory(
            region=offering.region, intake_period=offering.intake_period, **application
        ),
        offering=offering,
    )
    ended = status != EnrolmentStatus.STARTED
    return Enrolment.objects.create(
        application=choice.application,
        choice=choice,
        offering=offering,
        started_on=offering.starts_on,
        status=status,
        ended_on=offering.starts_on + dt.timedelta(days=30) if ended else None,
        interruption_reason="work" if status == EnrolmentStatus.INTERRUPTED else "",
    )
