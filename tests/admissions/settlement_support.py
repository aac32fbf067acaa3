"""A small region for the settlement tests (tests/admissions/test_settlement_*.py), with every
figure computed by hand.

Municipalities: Arvika 1784 and Karlstad 1780 host a centre each; Kil 1715 is a party without a
centre; Örebro 1880 is not a party to the agreement (a student from outside the region).

The agreement (valid from 2026-01-01, pro rata for students who stop early) prices
Svetsare (800 vp, grant category 2) at 60 kr per vp and CNC-operatör (400 vp, category 3) at
1 500 kr per full-time week (20 vp). Grant year 2026, industry: 3 places, 270 000 kr,
co-financing 3 municipal places per 7 state places, 80 000 kr per place in category 2 and
90 000 kr in category 3; committed: Karlstad 1.00 then 0.50 (the latest counts), Kil 0.25.

Term HT2026:
  O1 Svetsare at Karlstad, 2026-08-17 - 2026-12-15 (120 days), 1 state-funded seat
    s1 Örebro   started 08-17 (first)  studying      outside: 800 vp x 60 = 48 000.00
    s2 Kil      started 08-17          completed     state: 800/800 = 1 place x 80 000 = 80 000.00
    s3 Karlstad started 08-18          stopped 10-02 municipal: 45/120 days x 800 = 300 vp x 60
                                                     = 18 000.00 (own centre)
    s4 Kil      started 08-19          studying      municipal: 800 x 60 = 48 000.00
  O2 CNC-operatör at Arvika, 2026-08-24 - 2027-01-15 (144 days), 1 state-funded seat
    s5 Arvika   started 08-24          stopped 09-23 state: 30/144 x 400 = 83.33 vp = 0.1041 place
                                                     x 90 000 = 9 375.00
    s6 Kil      started 08-24          stopped 09-03 municipal: 10/144 x 400 = 27.78 vp
                                                     = 1.3889 weeks x 1 500 = 2 083.33
    s7 Karlstad started 08-25          studying      municipal: 400 / 20 = 20 weeks x 1 500
                                                     = 30 000.00
Term VT2026 (same grant year): O4 Svetsare at Arvika from 2026-01-12, 1 state-funded seat
    s9 Karlstad started 01-12          studying      state: 1 place x 80 000 = 80 000.00
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from admissions.applications.models import Application
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from yrkescenter.models import (
    Agreement,
    CofinancingCommitment,
    EarlyStopRule,
    GrantRate,
    GrantYear,
    IntakePeriod,
    Municipality,
    Offering,
    Price,
    PriceUnit,
    Programme,
    Sector,
)

_serial = itertools.count(1)


def enrol(
    offering: Offering,
    home: Municipality | None,
    *,
    started_on: dt.date,
    status: str = EnrolmentStatus.STARTED,
    ended_on: dt.date | None = None,
    reference: str = "",
) -> Enrolment:
    """A started student of `offering`: an application of the offering's term with one choice."""
    options = {"reference": reference} if reference else {}
    application = ApplicationFactory(
        region=offering.region,
        intake_period=offering.intake_period,
        home_municipality=home,
        # A name no page text contains (Faker's "Li" or "Nord" would be found in "Lines", "Nordic"),
        # so a test can look for it in any response.
        last_name=f"Elevsson{next(_serial)}",
        **options,
    )
    choice = ChoiceFactory(application=application, offering=offering)
    return Enrolment.objects.create(
        application=application,
        choice=choice,
        offering=offering,
        started_on=started_on,
        status=status,
        ended_on=ended_on,
        interruption_reason="work" if status == EnrolmentStatus.INTERRUPTED else "",
    )


@dataclass
class SmallRegion:
    arvika: Municipality
    karlstad: Municipality
    kil: Municipality
    orebro: Municipality
    agreement: Agreement
    svetsare: Programme
    cnc: Programme
    grant_year: GrantYear
    period: IntakePeriod
    spring: IntakePeriod
    o1: Offering
    o2: Offering
    o4: Offering
    students: dict[str, Enrolment]

    def application(self, name: str) -> Application:
        return self.students[name].application


def small_region(region) -> SmallRegion:
    arvika = MunicipalityFactory(region=region, code="1784", name="Arvika")
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    kil = MunicipalityFactory(region=region, code="1715", name="Kil")
    orebro = MunicipalityFactory(region=region, code="1880", name="Örebro", is_party=False)
    arvika_centre = CentreFactory(
        region=region, name="Arvika yrkescenter", host_municipality=arvika
    )
    karlstad_centre = CentreFactory(
        region=region, name="Karlstad yrkescenter", host_municipality=karlstad
    )
    agreement = Agreement.objects.create(
        region=region,
        name="Samverkansavtal 2026",
        valid_from=dt.date(2026, 1, 1),
        early_stop_rule=EarlyStopRule.PRO_RATA,
    )
    agreement.parties.add(arvika, karlstad, kil)
    svetsare = ProgrammeFactory(
        region=region, name="Svetsare", vp=800, grant_category="2", sector=Sector.INDUSTRY
    )
    cnc = ProgrammeFactory(
        region=region, name="CNC-operatör", vp=400, grant_category="3", sector=Sector.INDUSTRY
    )
    Price.objects.create(
        agreement=agreement, programme=svetsare, unit=PriceUnit.PER_VP, amount=Decimal("60.00")
    )
    Price.objects.create(
        agreement=agreement, programme=cnc, unit=PriceUnit.PER_WEEK, amount=Decimal("1500.00")
    )
    grant_year = GrantYear.objects.create(
        region=region,
        year=2026,
        sector=Sector.INDUSTRY,
        granted_places=Decimal("3.00"),
        granted_amount=Decimal("270000.00"),
        cofinancing_municipal=3,
        cofinancing_state=7,
    )
    GrantRate.objects.create(
        grant_year=grant_year, grant_category="2", amount_per_place=Decimal("80000.00")
    )
    GrantRate.objects.create(
        grant_year=grant_year, grant_category="3", amount_per_place=Decimal("90000.00")
    )
    CofinancingCommitment.objects.create(
        grant_year=grant_year, municipality=karlstad, places=Decimal("1.00")
    )
    CofinancingCommitment.objects.create(
        grant_year=grant_year, municipality=kil, places=Decimal("0.25")
    )
    CofinancingCommitment.objects.create(
        grant_year=grant_year, municipality=karlstad, places=Decimal("0.50"), reason="Budget"
    )

    period = IntakePeriodFactory(
        region=region,
        code="ht2026",
        name="HT 2026",
        starts_on=dt.date(2026, 8, 17),
        ends_on=dt.date(2026, 9, 30),
    )
    spring = IntakePeriodFactory(
        region=region,
        code="vt2026",
        name="VT 2026",
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 2, 28),
    )
    o1 = OfferingFactory(
        region=region,
        programme=svetsare,
        centre=karlstad_centre,
        intake_period=period,
        starts_on=dt.date(2026, 8, 17),
        ends_on=dt.date(2026, 12, 15),
        seats=10,
        state_funded_seats=1,
    )
    o2 = OfferingFactory(
        region=region,
        programme=cnc,
        centre=arvika_centre,
        intake_period=period,
        starts_on=dt.date(2026, 8, 24),
        ends_on=dt.date(2027, 1, 15),
        seats=10,
        state_funded_seats=1,
    )
    o4 = OfferingFactory(
        region=region,
        programme=svetsare,
        centre=arvika_centre,
        intake_period=spring,
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 6, 5),
        seats=10,
        state_funded_seats=1,
    )
    d = dt.date
    students = {
        # Created in this order: s1 has a lower id than s2 on the same start date.
        "s1": enrol(o1, orebro, started_on=d(2026, 8, 17), reference="HEM-S1"),
        "s2": enrol(
            o1,
            kil,
            started_on=d(2026, 8, 17),
            status=EnrolmentStatus.COMPLETED,
            ended_on=d(2026, 12, 15),
            reference="HEM-S2",
        ),
        "s3": enrol(
            o1,
            karlstad,
            started_on=d(2026, 8, 18),
            status=EnrolmentStatus.INTERRUPTED,
            ended_on=d(2026, 10, 2),
            reference="HEM-S3",
        ),
        "s4": enrol(o1, kil, started_on=d(2026, 8, 19), reference="HEM-S4"),
        "s5": enrol(
            o2,
            arvika,
            started_on=d(2026, 8, 24),
            status=EnrolmentStatus.INTERRUPTED,
            ended_on=d(2026, 9, 23),
            reference="HEM-S5",
        ),
        "s6": enrol(
            o2,
            kil,
            started_on=d(2026, 8, 24),
            status=EnrolmentStatus.INTERRUPTED,
            ended_on=d(2026, 9, 3),
            reference="HEM-S6",
        ),
        "s7": enrol(o2, karlstad, started_on=d(2026, 8, 25), reference="HEM-S7"),
        "s9": enrol(o4, karlstad, started_on=d(2026, 1, 12), reference="HEM-S9"),
    }
    return SmallRegion(
        arvika=arvika,
        karlstad=karlstad,
        kil=kil,
        orebro=orebro,
        agreement=agreement,
        svetsare=svetsare,
        cnc=cnc,
        grant_year=grant_year,
        period=period,
        spring=spring,
        o1=o1,
        o2=o2,
        o4=o4,
        students=students,
    )
