"""A small region whose dashboard figures are worked out by hand in the tests.

Rows are written directly (the rules that make them are tested in tests/admissions); only what
the dashboards count is set. The intake period HT2027 has three offerings:

    O1 "Svets och montering" at Yrkescenter Karlstad, seats 10, state-funded 6, 800 vp (7212)
    O2 "CNC-operatör"        at Yrkescenter Karlstad, seats 5,  state-funded 2, 400 vp (7223)
    O3 "Svets och montering" at Yrkescenter Arvika,   seats 6,  state-funded 0, 800 vp (7212)

and sixteen submitted applications (plus a draft and one of another period, never counted):

    A1-A8 from Karlstad, channel Arbetsförmedlingen, submitted 3 March 2027 (week 9):
          choices O1 (rank 1), O2 (rank 2); all eligible; A1-A7 offered O1 and accepted; A8 no
          offer. Enrolled in O1: A1-A4 completed, A5 and A7 studying, A6 stopped early.
    B1-B6 from Arvika, channel Komvux, submitted 10 March 2027 (week 10):
          choices O3 (rank 1), O1 (rank 2); all eligible; B1-B6 offered O3, B1-B5 accepted.
          Enrolled in O3: B1-B3 completed, B4 and B5 studying.
    C1-C2 from Karlstad, channel SFI, submitted 24 March 2027 (week 12):
          choice O2 (rank 1); not eligible.

Follow-up: A1-A3 employed as 7212 in Karlstad, A4 job-seeking, A6 unknown; B1, B2 employed as
7212 in Arvika, B3 studying further.
Needs survey "Kompetensbehov 2027": Verkstaden AB (Karlstad) 12 x 7212 in Karlstad; Pappersbruket
AB (Arvika) 5 x 7212 and 3 x 7223 in Arvika.
APL places HT2027: Verkstaden AB 8 for Svets och montering, Pappersbruket AB 3 for CNC-operatör;
A1 and A2 booked on Verkstaden's places.
Grant year 2027, industry: 10 places granted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Region, User
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    EligibilityDecision,
    IneligibilityGround,
    RecruitmentChannel,
)
from admissions.enrolment.models import Enrolment, EnrolmentStatus, InterruptionReason
from admissions.rounds.models import (
    AdmissionRound,
    Offer,
    OfferAnswer,
    OfferAnswerKind,
    RoundKind,
    RoundStatus,
)
from industriradet.models import (
    AplBooking,
    AplOffer,
    Company,
    CompetenceNeed,
    Horizon,
    Level,
    NeedsSurvey,
    OutcomeStatus,
    StudentOutcome,
)
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    IntakePeriodFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    UserFactory,
)
from yrkescenter.models import GrantYear, IntakePeriod, Municipality, Offering, Sector

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))  # March: CET, no summer time yet


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=STOCKHOLM)


@dataclass
class SmallRegion:
    region: Region
    period: IntakePeriod
    karlstad: Municipality
    arvika: Municipality
    o1: Offering
    o2: Offering
    o3: Offering
    applications: dict[str, Application]
    officer: User


def build_small_region(region: Region, *, prefix: str = "TE") -> SmallRegion:
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    arvika = MunicipalityFactory(region=region, code="1784", name="Arvika")
    period = IntakePeriodFactory(
        region=region,
        code="ht2027",
        name="HT 2027",
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2027, 9, 30),
    )
    other_period = IntakePeriodFactory(
        region=region,
        code="vt2027",
        name="VT 2027",
        starts_on=dt.date(2027, 1, 11),
        ends_on=dt.date(2027, 2, 1),
    )
    centre_k = CentreFactory(region=region, name="Yrkescenter Karlstad", host_municipality=karlstad)
    centre_a = CentreFactory(region=region, name="Yrkescenter Arvika", host_municipality=arvika)
    svets = ProgrammeFactory(
        region=region,
        name="Svets och montering",
        ssyk_code="7212",
        occupation="Svetsare",
        vp=800,
        sector=Sector.INDUSTRY,
    )
    cnc = ProgrammeFactory(
        region=region,
        name="CNC-operatör",
        ssyk_code="7223",
        occupation="Maskinställare",
        vp=400,
        sector=Sector.INDUSTRY,
    )
    deadline = _at(dt.date(2027, 4, 15))
    common = {
        "region": region,
        "intake_period": period,
        "starts_on": dt.date(2027, 8, 16),
        "application_opens": _at(dt.date(2027, 2, 1)),
        "application_closes": deadline,
    }
    o1 = OfferingFactory(programme=svets, centre=centre_k, seats=10, state_funded_seats=6, **common)
    o2 = OfferingFactory(programme=cnc, centre=centre_k, seats=5, state_funded_seats=2, **common)
    o3 = OfferingFactory(programme=svets, centre=centre_a, seats=6, state_funded_seats=0, **common)
    officer = UserFactory()

    applications: dict[str, Application] = {}
    serial = iter(range(100, 200))

    def apply(name, home, channel, day, offerings, status=ApplicationStatus.SUBMITTED, at=period):
        birth = dt.date(1990, 1, 1)
        application = ApplicationFactory(
            region=region,
            intake_period=at,
            reference=f"{prefix}-2027-{name}",
            home_municipality=home,
            recruitment_channel=channel,
            status=status,
            submitted_at=_at(day) if status != ApplicationStatus.DRAFT else None,
            birth_date=birth,
            personnummer=pnr.build(birth, next(serial)),
            # Names no page text contains, so a test can look for them in every response.
            first_name=f"Förnamn{name}",
            last_name=f"Efternamnsson{name}",
        )
        for rank, offering in enumerate(offerings, start=1):
            Choice.objects.create(application=application, offering=offering, rank=rank)
        applications[name] = application
        return application

    af, komvux, sfi = (
        RecruitmentChannel.ARBETSFORMEDLINGEN,
        RecruitmentChannel.KOMVUX,
        RecruitmentChannel.SFI,
    )
    for n in range(1, 9):
        apply(f"A{n}", karlstad, af, dt.date(2027, 3, 3), [o1, o2])
    for n in range(1, 7):
        apply(f"B{n}", arvika, komvux, dt.date(2027, 3, 10), [o3, o1])
    for n in range(1, 3):
        apply(f"C{n}", karlstad, sfi, dt.date(2027, 3, 24), [o2])
    # Never counted: a draft, and an application of another period.
    apply("D1", karlstad, af, dt.date(2027, 3, 3), [o1], status=ApplicationStatus.DRAFT)
    other = OfferingFactory(
        region=region,
        programme=svets,
        centre=centre_k,
        intake_period=other_period,
        starts_on=dt.date(2027, 1, 11),
        seats=4,
        state_funded_seats=0,
    )
    apply("V1", karlstad, af, dt.date(2026, 11, 2), [other], at=other_period)

    for name, application in applications.items():
        if application.status == ApplicationStatus.DRAFT:
            continue  # the intake office decides on submitted applications only
        for choice in application.choices.all():
            eligible = name[0] != "C"
            EligibilityDecision.objects.create(
                choice=choice,
                eligible=eligible,
                ground="" if eligible else IneligibilityGround.choices[0][0],
                decided_by=officer,
            )

    round_ = AdmissionRound.objects.create(
        region=region,
        intake_period=period,
        kind=RoundKind.MAIN,
        number=1,
        status=RoundStatus.PUBLISHED,
        answer_deadline=dt.date(2027, 5, 20),
        created_by=officer,
    )

    def offer(name, offering, answer=None):
        application = applications[name]
        choice = application.choices.get(offering=offering)
        made = Offer.objects.create(
            round=round_,
            application=application,
            choice=choice,
            answer_deadline=dt.date(2027, 5, 20),
        )
        if answer:
            OfferAnswer.objects.create(offer=made, kind=answer)
        return choice

    def enrol(name, offering, status):
        application = applications[name]
        ended = status != EnrolmentStatus.STARTED
        return Enrolment.objects.create(
            application=application,
            choice=application.choices.get(offering=offering),
            offering=offering,
            started_on=offering.starts_on,
            status=status,
            ended_on=dt.date(2028, 6, 9) if ended else None,
            interruption_reason=InterruptionReason.WORK
            if status == EnrolmentStatus.INTERRUPTED
            else "",
        )

    accepted = OfferAnswerKind.ACCEPTED
    for n in range(1, 8):
        offer(f"A{n}", o1, accepted)
    for n in range(1, 6):
        offer(f"B{n}", o3, accepted)
    offer("B6", o3)

    done, studying, stopped = (
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.STARTED,
        EnrolmentStatus.INTERRUPTED,
    )
    enrolments = {}
    for name, status in [
        ("A1", done),
        ("A2", done),
        ("A3", done),
        ("A4", done),
        ("A5", studying),
        ("A6", stopped),
        ("A7", studying),
    ]:
        enrolments[name] = enrol(name, o1, status)
    for name, status in [
        ("B1", done),
        ("B2", done),
        ("B3", done),
        ("B4", studying),
        ("B5", studying),
    ]:
        enrolments[name] = enrol(name, o3, status)

    def outcome(name, status, ssyk="", employer=None):
        StudentOutcome.objects.create(
            enrolment=enrolments[name],
            status=status,
            followed_up_on=dt.date(2028, 12, 10),
            ssyk_code=ssyk,
            employer_municipality=employer,
        )

    for name in ("A1", "A2", "A3"):
        outcome(name, OutcomeStatus.EMPLOYED, "7212", karlstad)
    outcome("A4", OutcomeStatus.JOB_SEEKING)
    outcome("A6", OutcomeStatus.UNKNOWN)
    for name in ("B1", "B2"):
        outcome(name, OutcomeStatus.EMPLOYED, "7212", arvika)
    outcome("B3", OutcomeStatus.STUDYING)

    survey = NeedsSurvey.objects.create(
        region=region,
        code="behov-2027",
        name="Kompetensbehov 2027",
        opens_on=dt.date(2027, 1, 10),
        closes_on=dt.date(2027, 2, 28),
    )
    verkstaden = Company.objects.create(region=region, name="Verkstaden AB", municipality=karlstad)
    bruket = Company.objects.create(region=region, name="Pappersbruket AB", municipality=arvika)
    for company, code, count, where in [
        (verkstaden, "7212", 12, karlstad),
        (bruket, "7212", 5, arvika),
        (bruket, "7223", 3, arvika),
    ]:
        CompetenceNeed.objects.create(
            survey=survey,
            company=company,
            ssyk_code=code,
            count=count,
            horizon=Horizon.WITHIN_1,
            municipality=where,
            level=Level.UPPER_SECONDARY,
        )
    svets_places = AplOffer.objects.create(
        company=verkstaden, programme=svets, intake_period=period, places=8
    )
    AplOffer.objects.create(company=bruket, programme=cnc, intake_period=period, places=3)
    for name in ("A1", "A2"):
        AplBooking.objects.create(
            offer=svets_places,
            enrolment=enrolments[name],
            starts_on=dt.date(2028, 2, 1),
            ends_on=dt.date(2028, 3, 1),
        )
    GrantYear.objects.create(
        region=region,
        year=2027,
        sector=Sector.INDUSTRY,
        granted_places=Decimal("10.00"),
        granted_amount=Decimal("1000000.00"),
    )
    return SmallRegion(
        region=region,
        period=period,
        karlstad=karlstad,
        arvika=arvika,
        o1=o1,
        o2=o2,
        o3=o3,
        applications=applications,
        officer=officer,
    )
