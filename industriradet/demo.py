"""The industry council's part of the demo (called by admissions' seed_demo after its own data,
see admissions.management.commands.seed_demo.later_demo_parts): the companies' recruitment needs
in the open needs survey, APL places offered for the demo programmes in HT 2026 and HT 2027, the
demo company contact linked to a company, and the follow-up of the HT 2026 students who stopped
early. With them the council's dashboards and the open statistics have something to show.

The member organisations and companies come from the region data file (regions/varmland.json,
loaded with the region); a demo database loaded before the file had them gets them here, from
the same file. Everything is written through the services, the data is fixed (or drawn with
fixed seeds), and seeding again adds nothing. DEMO ONLY.

Two things depend on the day of seeding, because the services check them against today: the
needs are entered in the survey open today (the file's "Kompetensbehov 2027" from September
2026 to March 2027; seeded on another day, a demo survey open today is added), and a follow-up
is dated six months after the student stopped, or today if that has not come yet (the outcome
service refuses future dates and warns of early ones; the demo keeps the warning to itself).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Region, Role, User
from accounts.region_files import region_file_read
from admissions.demo import DEMO_USERS, PAST_PERIOD, SEED
from admissions.demo import INTAKE_PERIOD as DEMO_PERIOD
from admissions.enrolment.models import Enrolment, EnrolmentStatus, InterruptionReason
from industriradet import region_data
from industriradet.models import (
    AplOffer,
    Birthplace,
    Company,
    CompetenceNeed,
    Horizon,
    Level,
    MemberOrganisation,
    NeedsSurvey,
    OutcomeStatus,
    StudentOutcome,
    TimeInSweden,
)
from industriradet.services.apl import apl_offer_create
from industriradet.services.members import (
    CouncilData,
    SurveyData,
    company_contact_add,
    council_load,
)
from industriradet.services.needs import need_create, survey_is_open
from industriradet.services.outcomes import (
    FOLLOW_UP_AFTER,
    OutcomeDetails,
    outcome_defaults,
    outcome_record,
)
from yrkescenter.models import IntakePeriod, Municipality, Programme

# The demo company contact (admissions.demo.DEMO_USERS) speaks for this company and enters its
# needs itself; the clusters enter the other companies' needs on their behalf.
CONTACT_COMPANY = "Exempel Verkstads AB"
CONTACT_TITLE = "Rekryteringsansvarig"


@dataclass(frozen=True)
class DemoNeed:
    ssyk_code: str
    count: int
    horizon: str
    level: str = Level.UPPER_SECONDARY


UPPER = Level.UPPER_SECONDARY
# Per company: its needs in the survey. Welders, CNC operators and industrial electricians are
# wanted more than the region trains; software developers (2512) are needed with no programme
# of the region leading there.
NEEDS = {
    "Exempel Verkstads AB": [
        DemoNeed("7212", 6, Horizon.WITHIN_1),
        DemoNeed("7223", 4, Horizon.WITHIN_1),
        DemoNeed("7233", 3, Horizon.YEARS_1_3),
        DemoNeed("3113", 2, Horizon.YEARS_1_3, Level.HIGHER_VOCATIONAL),
    ],
    "Exempel Svets & Montage AB": [
        DemoNeed("7212", 8, Horizon.WITHIN_1),
        DemoNeed("7212", 5, Horizon.YEARS_1_3),
    ],
    "Exempel Gjuteri AB": [
        DemoNeed("7223", 5, Horizon.WITHIN_1),
        DemoNeed("7233", 4, Horizon.YEARS_1_3),
        DemoNeed("7412", 3, Horizon.WITHIN_1),
    ],
    "Exempel Maskinbearbetning AB": [
        DemoNeed("7223", 7, Horizon.WITHIN_1),
        DemoNeed("7212", 3, Horizon.YEARS_1_3),
    ],
    "Exempel Bruk AB": [
        DemoNeed("8171", 6, Horizon.WITHIN_1),
        DemoNeed("7412", 4, Horizon.WITHIN_1),
        DemoNeed("7233", 3, Horizon.YEARS_3_5),
    ],
    "Exempel Kartong AB": [
        DemoNeed("8171", 4, Horizon.YEARS_1_3),
        DemoNeed("7322", 2, Horizon.WITHIN_1),
    ],
    "Exempel Sågverk AB": [
        DemoNeed("8173", 5, Horizon.WITHIN_1),
        DemoNeed("7233", 2, Horizon.YEARS_1_3),
    ],
    "Exempel Förpackning AB": [
        DemoNeed("7322", 3, Horizon.WITHIN_1),
        DemoNeed("8171", 2, Horizon.YEARS_3_5),
    ],
    "Exempel IT-drift AB": [
        DemoNeed("3512", 5, Horizon.WITHIN_1),
        DemoNeed("3113", 2, Horizon.YEARS_1_3, Level.HIGHER_VOCATIONAL),
    ],
    "Exempel Systemutveckling AB": [
        DemoNeed("3512", 2, Horizon.YEARS_1_3),
        DemoNeed("2512", 3, Horizon.YEARS_1_3, Level.UNIVERSITY),
    ],
    "Exempel Support AB": [DemoNeed("3512", 4, Horizon.WITHIN_1)],
}

# Per term: (company, programme code, places). In HT 2026 the industrial electricians,
# automation technicians and food operators have fewer places than admitted students (food
# none at all): the risk the dashboard names.
APL_OFFERS = {
    PAST_PERIOD["code"]: [
        ("Exempel Verkstads AB", "svetsare", 4),
        ("Exempel Svets & Montage AB", "svetsare", 8),
        ("Exempel Verkstads AB", "cnc-operator", 4),
        ("Exempel Maskinbearbetning AB", "cnc-operator", 5),
        ("Exempel Gjuteri AB", "cnc-operator", 3),
        ("Exempel Verkstads AB", "industrielektriker", 4),
        ("Exempel Bruk AB", "industrielektriker", 3),
        ("Exempel Verkstads AB", "automationstekniker", 3),
        ("Exempel IT-drift AB", "automationstekniker", 3),
        ("Exempel Gjuteri AB", "underhallstekniker", 5),
        ("Exempel Bruk AB", "underhallstekniker", 5),
        ("Exempel Sågverk AB", "sagverksoperator", 10),
        ("Exempel IT-drift AB", "it-supporttekniker", 8),
        ("Exempel Support AB", "it-supporttekniker", 6),
    ],
    DEMO_PERIOD["code"]: [
        ("Exempel Svets & Montage AB", "svetsare", 6),
        ("Exempel Verkstads AB", "svetsare", 4),
        ("Exempel Maskinbearbetning AB", "cnc-operator", 5),
        ("Exempel Gjuteri AB", "cnc-operator", 3),
        ("Exempel Verkstads AB", "industrielektriker", 6),
        ("Exempel Bruk AB", "processoperator-massa-papper", 4),
        ("Exempel Kartong AB", "processoperator-massa-papper", 2),
        ("Exempel Förpackning AB", "forpackning-tryck", 3),
        ("Exempel IT-drift AB", "it-supporttekniker", 8),
    ],
}

# What a student who stopped early did about six months later, by why they stopped.
OUTCOME_BY_REASON = {
    InterruptionReason.WORK: OutcomeStatus.EMPLOYED,
    InterruptionReason.OTHER_STUDIES: OutcomeStatus.STUDYING,
    InterruptionReason.ABSENCE: OutcomeStatus.UNKNOWN,
}
TIME_IN_SWEDEN = {
    TimeInSweden.UNDER_2: 1,
    TimeInSweden.YEARS_2_5: 3,
    TimeInSweden.YEARS_5_10: 3,
    TimeInSweden.OVER_10: 2,
}


@transaction.atomic
def seed_part(*, region: Region) -> str:
    users = _demo_users(region)
    council = users.get(Role.COUNCIL_MEMBER)
    _council_data(region)
    survey = _open_survey(region)
    contact = _contact(region, users.get(Role.COMPANY_CONTACT))
    needs = _needs(region, survey, contact, council)
    offers = _apl_offers(region, users.get(Role.REGION_ADMIN))
    outcomes = _outcomes(region, users.get(Role.COORDINATOR))
    parts = [
        f"Industry council: {Company.objects.for_region(region).count()} companies",
        f"{needs} needs created in {survey.name}",
        f"{offers} APL offers created",
        f"{outcomes} outcomes recorded for {PAST_PERIOD['name']}",
    ]
    if contact is not None:
        parts.append(f"the company contact speaks for {contact.company.name}")
    return "; ".join(parts) + "."


def _demo_users(region: Region) -> dict[str, User]:
    emails = {demo.email: demo.role for demo in DEMO_USERS}
    return {
        emails[user.email]: user
        for user in User.objects.filter(email__in=emails, memberships__region=region).distinct()
    }


def _council_data(region: Region) -> None:
    """The members and companies of the region file, if the region was loaded before the file
    had them (loading is idempotent, so this is only skipped to save the time)."""
    if MemberOrganisation.objects.for_region(region).exists():
        return
    section = region_file_read(region.slug).get(region_data.SECTION)
    if section:
        region_data.load(region=region, section=section, acting_user=None)


def _open_survey(region: Region) -> NeedsSurvey:
    today = timezone.localdate()
    for survey in NeedsSurvey.objects.for_region(region).order_by("-opens_on"):
        if survey_is_open(survey, today):
            return survey
    # Seeded outside the file's survey: a demo survey open today, through the same service.
    code = f"demo-{today:%Y-%m}"
    council_load(
        acting_user=None,
        region=region,
        data=CouncilData(
            surveys=(
                SurveyData(
                    code=code,
                    name=f"Kompetensbehov {today.year + 1} (demo)",
                    opens_on=today - dt.timedelta(days=30),
                    closes_on=today + dt.timedelta(days=150),
                ),
            )
        ),
    )
    return NeedsSurvey.objects.for_region(region).get(code=code)


def _contact(region: Region, user: User | None):
    company = Company.objects.for_region(region).filter(name=CONTACT_COMPANY).first()
    if user is None or company is None:
        return None
    return company_contact_add(acting_user=None, company=company, user=user, title=CONTACT_TITLE)


def _needs(region: Region, survey: NeedsSurvey, contact, council: User | None) -> int:
    companies = {
        c.name: c
        for c in Company.objects.for_region(region).select_related("organisation", "municipality")
    }
    existing = set(
        CompetenceNeed.objects.filter(survey=survey).values_list(
            "company__name", "ssyk_code", "horizon"
        )
    )
    fallback = Municipality.objects.for_region(region).filter(code="1780").first()
    created = 0
    for name, needs in NEEDS.items():
        company = companies.get(name)
        if company is None:
            continue
        own = contact is not None and contact.company_id == company.pk
        for need in needs:
            if (name, need.ssyk_code, need.horizon) in existing:
                continue
            need_create(
                acting_user=contact.user if own else council,
                survey=survey,
                company=company,
                ssyk_code=need.ssyk_code,
                count=need.count,
                horizon=need.horizon,
                municipality=company.municipality or fallback,
                level=need.level,
                entered_by_organisation=None if own else company.organisation,
            )
            created += 1
    return created


def _apl_offers(region: Region, acting_user: User | None) -> int:
    companies = {c.name: c for c in Company.objects.for_region(region)}
    programmes = {p.code: p for p in Programme.objects.for_region(region)}
    periods = {p.code: p for p in IntakePeriod.objects.for_region(region)}
    existing = set(
        AplOffer.objects.filter(company__region=region).values_list(
            "company__name", "programme__code", "intake_period__code"
        )
    )
    created = 0
    for period_code, offers in APL_OFFERS.items():
        period = periods.get(period_code)
        if period is None:
            continue
        for company_name, programme_code, places in offers:
            company, programme = companies.get(company_name), programmes.get(programme_code)
            if company is None or programme is None:
                continue
            if (company_name, programme_code, period_code) in existing:
                continue
            apl_offer_create(
                acting_user=acting_user,
                company=company,
                programme=programme,
                intake_period=period,
                places=places,
            )
            created += 1
    return created


def _outcomes(region: Region, coordinator: User | None) -> int:
    """The follow-up of HT 2026's students who stopped early: what they did, by why they
    stopped (a job: employed in the programme's occupation near the centre)."""
    today = timezone.localdate()
    coordinator_centre = (
        coordinator.memberships.filter(region=region, scope_centre__isnull=False)
        .values_list("scope_centre_id", flat=True)
        .first()
        if coordinator is not None
        else None
    )
    stopped = (
        Enrolment.objects.for_region(region)
        .filter(
            offering__intake_period__code=PAST_PERIOD["code"],
            status=EnrolmentStatus.INTERRUPTED,
        )
        .exclude(pk__in=StudentOutcome.objects.values("enrolment_id"))
        .select_related("application", "offering__programme", "offering__centre")
        .order_by("pk")
    )
    created = 0
    for enrolment in stopped:
        rng = random.Random(f"{SEED}-outcome-{enrolment.application.reference}")
        status = OUTCOME_BY_REASON.get(enrolment.interruption_reason, OutcomeStatus.JOB_SEEKING)
        employed = status == OutcomeStatus.EMPLOYED
        abroad = rng.random() < 0.22
        defaults = outcome_defaults(enrolment)
        details = OutcomeDetails(
            status=status,
            followed_up_on=min(enrolment.ended_on + FOLLOW_UP_AFTER, today),
            ssyk_code=enrolment.offering.programme.ssyk_code if employed else "",
            employer_municipality=enrolment.offering.centre.host_municipality if employed else None,
            sex=defaults["sex"],
            age_band=defaults["age_band"],
            prior_education=defaults["prior_education"],
            birthplace=Birthplace.ABROAD if abroad else Birthplace.SWEDEN,
            time_in_sweden=rng.choices(list(TIME_IN_SWEDEN), weights=list(TIME_IN_SWEDEN.values()))[
                0
            ]
            if abroad
            else TimeInSweden.NOT_APPLICABLE,
        )
        recorder = coordinator if enrolment.offering.centre_id == coordinator_centre else None
        outcome_record(acting_user=recorder, enrolment=enrolment, details=details, source="demo")
        created += 1
    return created
