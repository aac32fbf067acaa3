"""Demo data for the embedded default: the Värmland region, an open intake period with offerings
at every centre, synthetic applicants, and one demo account per role; and a past term (HT 2026)
whose students have been admitted and started, so that enrolment and the cost settlement have
something to show.

Everything here is written through the apps' services; the data is reproducible (fixed seeds)
and seeding twice adds nothing. DEMO ONLY: the password and the TOTP secret below are public.

The past term is played through as it would have happened: offerings at every centre with some
state-funded seats, applications (residents of the region and a few from outside the
agreement), eligibility decided by the demo intake officer, a main round created, run and
published, most offers accepted by the applicants, and the centres' enrolment records: most
students started on the first day, a few later, a few stopped early in October and November.
Two things are of the seeding day rather than of 2026, because the services check them against
today: the round's answer deadline (two weeks from the day of seeding) and the time the offers
were answered. Enrolment dates after the day of seeding are not recorded.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from faker import Faker

from accounts.models import STAFF_ROLES, Region, Role, User
from accounts.region_files import region_file_read
from accounts.services import (
    applicant_users_create,
    membership_grant,
    region_load,
    totp_enrol,
    user_ensure,
)
from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus, Choice
from admissions.applications.services.applications import (
    ApplicantDetails,
    DemoApplication,
    application_seed_demo,
    application_submit,
)
from admissions.applications.services.review import bulk_mark_eligible
from admissions.enrolment.models import Enrolment, InterruptionReason
from admissions.enrolment.selectors import accepted_seats
from admissions.enrolment.services import enrolment_interrupt, enrolment_start
from admissions.rounds.models import AdmissionRound, Offer, OfferAnswerKind, RoundKind
from admissions.rounds.services.rounds import (
    offer_answer,
    round_create,
    round_publish,
    round_run,
    round_start,
)
from yrkescenter.models import IntakePeriod, Municipality, Offering, Pace, Programme, Yrkescenter
from yrkescenter.services import intake_period_upsert, offering_create

REGION_SLUG = "varmland"
DEMO_PASSWORD = "demo-yrkesporten"
# Shared by every demo staff account so that anyone can add it to an authenticator app (or
# compute the code, see totp_code). Public on purpose: demo data only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_DOMAIN = "demo.yrkesporten.se"
SEED = 2027

INTAKE_PERIOD = {
    "code": "ht2027",
    "name": "HT 2027",
    "starts_on": dt.date(2027, 8, 16),
    "ends_on": dt.date(2027, 9, 13),
}

# The past term: started in August 2026, its students are studying now.
PAST_PERIOD = {
    "code": "ht2026",
    "name": "HT 2026",
    "starts_on": dt.date(2026, 8, 17),
    "ends_on": dt.date(2026, 8, 17),
}
PAST_APPLICATION_WINDOW = (dt.datetime(2026, 3, 2, 8, 0), dt.datetime(2026, 4, 15, 23, 59))
# Per centre: (programme code, seats, state-funded seats). Every offering starts on the
# period's first day.
PAST_OFFERINGS = {
    "arvika": [("svetsare", 12, 3)],
    "hagfors": [("underhallstekniker", 10, 2)],
    "karlstad": [
        ("industrielektriker", 16, 4),
        ("it-supporttekniker", 14, 3),
        ("automationstekniker", 12, 3),
    ],
    "kristinehamn": [("cnc-operator", 12, 3), ("livsmedelsoperator", 10, 2)],
    "sunne": [("sagverksoperator", 10, 2)],
}
PAST_APPLICANTS = 60
# Neighbours outside the agreement (Karlskoga, Åmål, Örebro): one applicant from each. Their
# home municipality pays from its own commitment.
PAST_OUTSIDE = ("1883", "1492", "1880")
# Stopping early happens in October and November (before the day of seeding, see above).
PAST_STOPS_FROM = dt.date(2026, 10, 1)
PAST_STOPS_DAYS = 56
STOP_REASONS = {
    InterruptionReason.WORK: 4,
    InterruptionReason.OTHER_STUDIES: 1,
    InterruptionReason.HEALTH: 1,
    InterruptionReason.MOVED: 1,
    InterruptionReason.PERSONAL: 2,
    InterruptionReason.ABSENCE: 1,
}


@dataclass(frozen=True)
class DemoUser:
    role: Role
    local_part: str
    full_name: str
    municipality_code: str = ""
    centre_slug: str = ""

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_DOMAIN}"


DEMO_USERS = (
    DemoUser(Role.APPLICANT, "sokande", "Sara Sökande"),
    DemoUser(Role.INTAKE_OFFICER, "intag", "Ingrid Intag"),
    DemoUser(Role.COUNSELLOR, "syv", "Sven Vägledare", municipality_code="1780"),
    DemoUser(Role.RECTOR, "rektor", "Rut Rektor", municipality_code="1780"),
    DemoUser(Role.COORDINATOR, "samordnare", "Sam Samordnare", centre_slug="karlstad"),
    DemoUser(Role.ASSESSOR, "validering", "Vera Validerare"),
    DemoUser(Role.COUNCIL_MEMBER, "branschrad", "Bengt Branschråd"),
    DemoUser(Role.REGION_ADMIN, "admin", "Anna Administratör"),
    # industriradet's demo links this account to a member company.
    DemoUser(Role.COMPANY_CONTACT, "foretag", "Fia Företag"),
)

# Programmes offered per centre in the demo period: (programme code, seats, pace).
DEMO_OFFERINGS = {
    "arvika": [("svetsare", 16, Pace.FULL), ("fordonsmekaniker-tunga-fordon", 14, Pace.FULL)],
    "hagfors": [
        ("svetsare", 12, Pace.FULL),
        ("cnc-operator", 14, Pace.FULL),
        ("underhallstekniker", 12, Pace.HALF),
    ],
    "karlstad": [
        ("it-supporttekniker", 24, Pace.FULL),
        ("industrielektriker", 18, Pace.FULL),
        ("automationstekniker", 16, Pace.FULL),
        ("processoperator-massa-papper", 20, Pace.FULL),
    ],
    "kristinehamn": [
        ("cnc-operator", 16, Pace.FULL),
        ("underhallstekniker", 14, Pace.FULL),
        ("livsmedelsoperator", 18, Pace.FULL),
    ],
    "sunne": [("sagverksoperator", 12, Pace.FULL), ("forpackning-tryck", 14, Pace.FULL)],
}

# The weight of each municipality outside the region: over ~274 of them, about 4 % of
# synthetic applicants live outside Värmland.
OUTSIDE_WEIGHT = 40

# Approximate populations (SCB, 2023), used only to weight where synthetic applicants live.
POPULATION = {
    "1715": 12_000,
    "1730": 8_400,
    "1737": 11_500,
    "1760": 4_000,
    "1761": 16_800,
    "1762": 3_600,
    "1763": 11_500,
    "1764": 9_000,
    "1765": 10_000,
    "1766": 13_200,
    "1780": 95_000,
    "1781": 24_000,
    "1782": 10_500,
    "1783": 11_400,
    "1784": 25_900,
    "1785": 15_000,
}


@dataclass
class DemoSeedResult:
    region: Region
    intake_period: IntakePeriod
    region_loaded: bool = False
    offerings_created: int = 0
    applications_created: int = 0
    users: list[tuple[DemoUser, User]] = field(default_factory=list)
    past_period: IntakePeriod | None = None
    past_offerings_created: int = 0
    past_applications_created: int = 0
    enrolments_created: int = 0


@transaction.atomic
def demo_seed(
    *,
    acting_user: User | None = None,
    applicants: int = 300,
    past_applicants: int = PAST_APPLICANTS,
) -> DemoSeedResult:
    region = Region.objects.filter(slug=REGION_SLUG).first()
    loaded = region is None
    if loaded:
        region = region_load(acting_user=acting_user, data=region_file_read(REGION_SLUG)).region
    period, _ = intake_period_upsert(acting_user=acting_user, region=region, **INTAKE_PERIOD)
    result = DemoSeedResult(region=region, intake_period=period, region_loaded=loaded)
    result.offerings_created = _offerings(acting_user, region, period)
    result.users = _demo_users(acting_user, region)
    demo_applicant = next(user for demo, user in result.users if demo.role == Role.APPLICANT)
    result.applications_created = _demo_application(acting_user, region, period, demo_applicant)
    already_seeded = (
        Application.objects.filter(intake_period=period).exclude(applicant=demo_applicant).exists()
    )
    if applicants and not already_seeded:
        result.applications_created += _synthetic_applications(
            acting_user, region, period, applicants
        )
    _past_term(acting_user, result, past_applicants)
    return result


def _offerings(acting_user: User | None, region: Region, period: IntakePeriod) -> int:
    centres = {c.slug: c for c in Yrkescenter.objects.for_region(region)}
    programmes = {p.code: p for p in Programme.objects.for_region(region)}
    existing = set(
        Offering.objects.filter(intake_period=period).values_list(
            "centre__slug", "programme__code", "starts_on"
        )
    )
    opens = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    opens -= dt.timedelta(days=7)
    closes = opens + dt.timedelta(weeks=7, hours=23, minutes=59)
    created = 0
    for slug, offered in DEMO_OFFERINGS.items():
        for index, (code, seats, pace) in enumerate(offered):
            centre, programme = centres.get(slug), programmes.get(code)
            if centre is None or programme is None:
                continue
            starts_on = period.starts_on + dt.timedelta(weeks=index % 2)
            if (slug, code, starts_on) in existing:
                continue
            rng = random.Random(f"{SEED}-{slug}-{code}")
            offering_create(
                acting_user=acting_user,
                region=region,
                programme=programme,
                centre=centre,
                intake_period=period,
                starts_on=starts_on,
                ends_on=_ends_on(programme, starts_on, pace),
                pace=pace,
                seats=seats,
                state_funded_seats=rng.choice([0, seats // 4, seats // 2]),
                application_opens=opens,
                application_closes=closes,
            )
            created += 1
    return created


def _ends_on(programme: Programme, starts_on: dt.date, pace: int) -> dt.date:
    """The Friday of the last week: vp / 20 full-time weeks at the pace, plus two weeks'
    Christmas break for anything that runs into the new year."""
    weeks = math.ceil(programme.vp / 20 * 100 / pace)
    weeks += 2 if weeks > 18 else 0
    return starts_on + dt.timedelta(weeks=weeks, days=-3)


def _demo_users(acting_user: User | None, region: Region) -> list[tuple[DemoUser, User]]:
    municipalities = {m.code: m for m in Municipality.objects.for_region(region)}
    centres = {c.slug: c for c in Yrkescenter.objects.for_region(region)}
    users = []
    for demo in DEMO_USERS:
        user, _ = user_ensure(
            acting_user=acting_user,
            email=demo.email,
            full_name=demo.full_name,
            password=DEMO_PASSWORD,
            email_verified=True,
            region=region,
        )
        membership_grant(
            acting_user=acting_user,
            user=user,
            region=region,
            role=demo.role,
            scope_municipality=municipalities.get(demo.municipality_code),
            scope_centre=centres.get(demo.centre_slug),
        )
        if demo.role in STAFF_ROLES:
            totp_enrol(acting_user=acting_user, user=user, secret=DEMO_TOTP_SECRET, region=region)
        users.append((demo, user))
    return users


def _demo_application(
    acting_user: User | None, region: Region, period: IntakePeriod, applicant: User
) -> int:
    if Application.objects.filter(intake_period=period, applicant=applicant).exists():
        return 0
    offerings = list(
        Offering.objects.filter(intake_period=period, centre__slug="karlstad").order_by("pk")[:3]
    )
    home = Municipality.objects.for_region(region).filter(code="1780").first()
    if not offerings or home is None:
        return 0
    born = dt.date(1991, 4, 17)
    application_submit(
        acting_user=acting_user,
        region=region,
        intake_period=period,
        applicant=applicant,
        details=ApplicantDetails(
            first_name="Sara",
            last_name="Sökande",
            birth_date=born,
            home_municipality=home,
            email=applicant.email,
            phone="070-174 06 05",
            personnummer=pnr.build(born, 238),
        ),
        offerings=offerings,
    )
    return 1


def _synthetic_applications(
    acting_user: User | None, region: Region, period: IntakePeriod, count: int
) -> int:
    rng = random.Random(SEED)
    fake = Faker("sv_SE")
    fake.seed_instance(SEED)
    municipalities = list(Municipality.objects.for_region(region).order_by("code"))
    # Most applicants live in the region; a few come from elsewhere in Sweden (their home
    # municipality must commit to the cost), as under the real agreement.
    weights = [
        POPULATION.get(m.code, 5_000) if m.is_party else OUTSIDE_WEIGHT for m in municipalities
    ]
    offerings = list(
        Offering.objects.filter(intake_period=period).select_related("centre").order_by("pk")
    )
    if not offerings or not municipalities:
        return 0
    opens = min(o.application_opens for o in offerings)
    now = timezone.now()
    people = []
    for index in range(1, count + 1):
        female = rng.random() < 0.42
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        home = rng.choices(municipalities, weights=weights)[0]
        born = period.starts_on - dt.timedelta(days=rng.randint(19 * 365, 62 * 365))
        people.append((index, first, last, female, home, born))
    emails = {
        index: f"{_ascii(first)}.{_ascii(last)}.{index:04d}@example.org"
        for index, first, last, *_ in people
    }
    users = applicant_users_create(
        acting_user=acting_user,
        region=region,
        people=[(emails[p[0]], f"{p[1]} {p[2]}") for p in people],
    )
    drafts = []
    for index, first, last, female, home, born in people:
        local = [o for o in offerings if o.centre.host_municipality_id == home.pk]
        choices = _ranked_choices(rng, offerings, local, region.max_choices)
        status = rng.choices(
            [ApplicationStatus.SUBMITTED, ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN],
            weights=[90, 7, 3],
        )[0]
        submitted_at = None
        if status != ApplicationStatus.DRAFT:
            submitted_at = opens + (now - opens) * rng.random() if now > opens else opens
        drafts.append(
            DemoApplication(
                applicant=users[emails[index]],
                details=ApplicantDetails(
                    first_name=first,
                    last_name=last,
                    birth_date=born,
                    home_municipality=home,
                    email=emails[index],
                    # The Swedish regulator's range reserved for fiction.
                    phone=f"070-174 06 {rng.randint(5, 99):02d}",
                    personnummer=_number(rng, born, female),
                ),
                offerings=tuple(choices),
                status=status,
                submitted_at=submitted_at,
            )
        )
    return application_seed_demo(
        acting_user=acting_user, region=region, intake_period=period, applications=drafts
    )


def _ranked_choices(rng, offerings, local, max_choices: int) -> list[Offering]:
    """1-5 distinct offerings, most often starting with one close to home."""
    wanted = min(rng.choices([1, 2, 3, 4, 5], weights=[20, 25, 25, 15, 15])[0], max_choices)
    wanted = min(wanted, len(offerings))
    pool = list(offerings)
    weights = [4 if offering in local else 1 for offering in pool]
    chosen = []
    while len(chosen) < wanted:
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(pool.pop(pick))
        weights.pop(pick)
    return chosen


def _number(rng: random.Random, born: dt.date, female: bool) -> str:
    """Mostly a personnummer, sometimes a samordningsnummer, sometimes neither."""
    kind = rng.choices(["personnummer", "samordningsnummer", "none"], weights=[85, 8, 7])[0]
    if kind == "none":
        return ""
    # The third digit of the serial is even for women and odd for men.
    serial = rng.randint(0, 99) * 10 + rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    return pnr.build(born, serial, samordning=kind == "samordningsnummer")


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c == "-"))


# --- the past term: admitted, answered and started ----------------------------------------------


def _past_term(acting_user: User | None, result: DemoSeedResult, count: int) -> None:
    """HT 2026, played through (see the module's docstring). Each step does only what is not
    there yet, so seeding again adds nothing."""
    region = result.region
    period, _ = intake_period_upsert(acting_user=acting_user, region=region, **PAST_PERIOD)
    result.past_period = period
    users = {demo.role: user for demo, user in result.users}
    officer = users[Role.INTAKE_OFFICER]
    result.past_offerings_created = _past_offerings(acting_user, region, period)
    if count and not Application.objects.filter(intake_period=period).exists():
        result.past_applications_created = _past_applications(
            acting_user, region, period, users[Role.APPLICANT], count
        )
        bulk_mark_eligible(
            acting_user=officer,
            applications=list(
                Application.objects.filter(intake_period=period)
                .select_related("region")
                .prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.prefetch_related("eligibility"))
                )
                .order_by("reference")
            ),
        )
    if not Application.objects.filter(intake_period=period).exists():
        return
    if not AdmissionRound.objects.filter(intake_period=period).exists():
        admission_round = round_create(
            acting_user=officer,
            region=region,
            intake_period=period,
            kind=RoundKind.MAIN,
            answer_deadline=timezone.localdate() + dt.timedelta(days=14),
        )
        round_start(acting_user=officer, admission_round=admission_round)
        round_run(round_id=admission_round.pk)
        round_publish(acting_user=officer, admission_round=admission_round)
    _past_answers(period, users[Role.APPLICANT])
    coordinator = users[Role.COORDINATOR]
    result.enrolments_created = _past_enrolments(
        acting_user, period, coordinator, users[Role.APPLICANT]
    )


def _past_offerings(acting_user: User | None, region: Region, period: IntakePeriod) -> int:
    centres = {c.slug: c for c in Yrkescenter.objects.for_region(region)}
    programmes = {p.code: p for p in Programme.objects.for_region(region)}
    existing = set(
        Offering.objects.filter(intake_period=period).values_list("centre__slug", "programme__code")
    )
    opens, closes = (timezone.make_aware(moment) for moment in PAST_APPLICATION_WINDOW)
    created = 0
    for slug, offered in PAST_OFFERINGS.items():
        for code, seats, state_funded in offered:
            centre, programme = centres.get(slug), programmes.get(code)
            if centre is None or programme is None or (slug, code) in existing:
                continue
            offering_create(
                acting_user=acting_user,
                region=region,
                programme=programme,
                centre=centre,
                intake_period=period,
                starts_on=period.starts_on,
                ends_on=_ends_on(programme, period.starts_on, Pace.FULL),
                pace=Pace.FULL,
                seats=seats,
                state_funded_seats=state_funded,
                application_opens=opens,
                application_closes=closes,
            )
            created += 1
    return created


def _past_applications(
    acting_user: User | None,
    region: Region,
    period: IntakePeriod,
    demo_applicant: User,
    count: int,
) -> int:
    """The demo applicant's application and `count` synthetic ones. Each first choice goes to
    an offering with a seat left for it, and everyone is judged eligible, so every applicant is
    admitted to their first choice whatever the lottery draws: the demo is the same each time."""
    rng = random.Random(f"{SEED}-{period.code}")
    fake = Faker("sv_SE")
    fake.seed_instance(f"{SEED}-{period.code}")
    municipalities = list(Municipality.objects.for_region(region).order_by("code"))
    party = [m for m in municipalities if m.is_party]
    outside = [m for m in municipalities if m.code in PAST_OUTSIDE]
    offerings = list(
        Offering.objects.filter(intake_period=period).select_related("centre").order_by("pk")
    )
    if not offerings or not party:
        return 0
    # One seat of each offering stays free of first choices (see the docstring).
    free = {offering.pk: offering.seats - 1 for offering in offerings}
    opens, closes = (timezone.make_aware(moment) for moment in PAST_APPLICATION_WINDOW)
    people = []
    sara_home = next((m for m in party if m.code == "1780"), None)
    sara_first = next(
        (o for o in offerings if o.centre.slug == "karlstad" and free[o.pk] > 0), None
    )
    if sara_home is not None and sara_first is not None:
        free[sara_first.pk] -= 1
        born = dt.date(1991, 4, 17)
        people.append(
            DemoApplication(
                applicant=demo_applicant,
                details=ApplicantDetails(
                    first_name="Sara",
                    last_name="Sökande",
                    birth_date=born,
                    home_municipality=sara_home,
                    email=demo_applicant.email,
                    phone="070-174 06 05",
                    personnummer=pnr.build(born, 238),
                ),
                offerings=(sara_first,),
                submitted_at=opens + dt.timedelta(days=9, hours=3),
            )
        )
    homes = list(outside[:count]) + rng.choices(
        party,
        weights=[POPULATION.get(m.code, 5_000) for m in party],
        k=max(count - len(outside), 0),
    )
    rng.shuffle(homes)
    synthetic = []
    for index, home in enumerate(homes, start=1):
        open_offerings = [o for o in offerings if free[o.pk] > 0]
        if not open_offerings:
            break
        weights = [4 if o.centre.host_municipality_id == home.pk else 1 for o in open_offerings]
        first = rng.choices(open_offerings, weights=weights)[0]
        free[first.pk] -= 1
        choices = [first]
        if rng.random() < 0.4:
            choices.append(rng.choice([o for o in offerings if o.pk != first.pk]))
        female = rng.random() < 0.35
        synthetic.append(
            (
                index,
                fake.first_name_female() if female else fake.first_name_male(),
                fake.last_name(),
                female,
                home,
                period.starts_on - dt.timedelta(days=rng.randint(19 * 365, 60 * 365)),
                tuple(choices),
                opens + (closes - opens) * rng.random(),
            )
        )
    emails = {
        item[0]: f"{_ascii(item[1])}.{_ascii(item[2])}.{period.code}-{item[0]:03d}@example.org"
        for item in synthetic
    }
    users = applicant_users_create(
        acting_user=acting_user,
        region=region,
        people=[(emails[item[0]], f"{item[1]} {item[2]}") for item in synthetic],
    )
    for index, first, last, female, home, born, choices, submitted_at in synthetic:
        people.append(
            DemoApplication(
                applicant=users[emails[index]],
                details=ApplicantDetails(
                    first_name=first,
                    last_name=last,
                    birth_date=born,
                    home_municipality=home,
                    email=emails[index],
                    phone=f"070-174 06 {rng.randint(5, 99):02d}",
                    personnummer=_number(rng, born, female),
                ),
                offerings=choices,
                submitted_at=submitted_at,
            )
        )
    return application_seed_demo(
        acting_user=acting_user, region=region, intake_period=period, applications=people
    )


def _past_answers(period: IntakePeriod, demo_applicant: User) -> None:
    """Most accept; a few decline (they wait for nothing higher: they just did not come) and a
    few have not answered. Decided per application, so seeding again decides the same."""
    offers = (
        Offer.objects.filter(round__intake_period=period, answer__isnull=True)
        .select_related("application__applicant", "round")
        .order_by("pk")
    )
    for offer in offers:
        application = offer.application
        draw = random.Random(f"{SEED}-answer-{application.reference}").random()
        if application.applicant_id == demo_applicant.pk or draw >= 0.1:
            kind = OfferAnswerKind.ACCEPTED
        elif draw < 0.06:
            kind = OfferAnswerKind.DECLINED
        else:
            continue
        offer_answer(acting_user=application.applicant, offer=offer, kind=kind)


def _past_enrolments(
    acting_user: User | None, period: IntakePeriod, coordinator: User, demo_applicant: User
) -> int:
    """The centres' records: most started on the first day, some a week later, a few not
    recorded yet; about one in eight stopped early. The demo coordinator records their
    centre's students; the others are recorded by whoever runs the seed."""
    today = timezone.localdate()
    offerings = Offering.objects.filter(intake_period=period)
    seats = accepted_seats(offerings=offerings)
    recorded = set(
        Enrolment.objects.filter(offering__intake_period=period).values_list("choice_id", flat=True)
    )
    choices = {
        choice.pk: choice
        for choice in Choice.objects.filter(
            pk__in=[seat.choice_id for seat in seats.values()]
        ).select_related("application", "offering__centre")
    }
    coordinator_centre = (
        coordinator.memberships.filter(scope_centre__isnull=False)
        .values_list("scope_centre_id", flat=True)
        .first()
    )
    created = 0
    for seat in sorted(seats.values(), key=lambda seat: seat.choice_id):
        choice = choices[seat.choice_id]
        if choice.pk in recorded:
            continue
        application, offering = choice.application, choice.offering
        rng = random.Random(f"{SEED}-enrolment-{application.reference}")
        demo = application.applicant_id == demo_applicant.pk
        draw = rng.random()
        if draw < 0.04 and not demo:
            continue
        started_on = offering.starts_on + dt.timedelta(weeks=1 if draw < 0.1 and not demo else 0)
        if started_on > today:
            continue
        recorder = coordinator if offering.centre_id == coordinator_centre else acting_user
        enrolment = enrolment_start(acting_user=recorder, choice=choice, started_on=started_on)
        created += 1
        ended_on = PAST_STOPS_FROM + dt.timedelta(days=rng.randrange(PAST_STOPS_DAYS))
        if rng.random() < 0.125 and not demo and ended_on <= today:
            enrolment_interrupt(
                acting_user=recorder,
                enrolment=enrolment,
                ended_on=ended_on,
                reason=rng.choices(list(STOP_REASONS), weights=list(STOP_REASONS.values()))[0],
            )
    return created
