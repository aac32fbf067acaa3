"""Demo data for the embedded default: the Värmland region, an open intake period with offerings
at every centre, synthetic applicants, and one demo account per role.

Everything here is written through the apps' services; the data is reproducible (fixed seeds)
and seeding twice adds nothing. DEMO ONLY: the password and the TOTP secret below are public.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
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
from admissions import personnummer as pnr
from admissions.models import Application, ApplicationStatus
from admissions.services.applications import (
    ApplicantDetails,
    DemoApplication,
    application_seed_demo,
    application_submit,
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


@transaction.atomic
def demo_seed(*, acting_user: User | None = None, applicants: int = 300) -> DemoSeedResult:
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
            weeks = math.ceil(programme.vp / 20 * 100 / pace)
            # Two weeks' Christmas break for anything that runs into the new year.
            weeks += 2 if weeks > 18 else 0
            offering_create(
                acting_user=acting_user,
                region=region,
                programme=programme,
                centre=centre,
                intake_period=period,
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(weeks=weeks, days=-3),
                pace=pace,
                seats=seats,
                state_funded_seats=rng.choice([0, seats // 4, seats // 2]),
                application_opens=opens,
                application_closes=closes,
            )
            created += 1
    return created


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
