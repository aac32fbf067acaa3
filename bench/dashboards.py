"""Times the industry council's dashboards with 100,000 applications and 10,000 outcomes.

    .venv/bin/python bench/dashboards.py [--applications 100000] [--outcomes 10000] [--repeat 5]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_dashboards; the database is
created if missing (through psycopg, autocommit) and migrated. Every run seeds a region of its
own ("bench-dashboards-<time>") in bulk: 16 municipalities, 6 centres, 20 programmes leading to
10 occupations, one intake period with 120 offerings, the applications (1-5 ranked choices,
about 3 on average, seven recruitment channels, submitted over ten weeks), an eligibility
decision per choice, a published round with offers and answers, enrolments of the accepted
(studying, stopped early half-way, completed), the outcomes, a needs survey of 300 companies,
APL offers and bookings, the grant year with its rates, and an agreement (early stops charged
pro rata) with prices. It then requests every dashboard page as a council member through
Django's test client: with the page's defaults (the period), filtered by a centre, and
over every period; then a table's CSV and XLSX and the PDF report. Goal: every page < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dashboards"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SSYK = ["7212", "7213", "7223", "7233", "8113", "8121", "8141", "8172", "8211", "3113"]
CHANNELS = [
    ("arbetsformedlingen", 40),
    ("kaa", 5),
    ("sfi", 12),
    ("komvux", 20),
    ("folkhogskola", 5),
    ("employer", 8),
    ("other", 10),
]
START = dt.date(2027, 8, 16)
END = dt.date(2028, 6, 9)
HALF_WAY = START + (END - START) / 2  # when students who stop early stop


def ensure_database(url: str) -> None:
    """Create the database if it does not exist (CREATE DATABASE cannot run in a transaction)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def seed(count: int, outcome_count: int, rng: random.Random):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from accounts.models import Membership, Region, RegionHost, Role, User
    from admissions.applications.models import (
        Application,
        ApplicationStatus,
        Choice,
        EligibilityDecision,
    )
    from admissions.enrolment.models import Enrolment, EnrolmentStatus
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
    from yrkescenter.models import (
        Agreement,
        EarlyStopRule,
        GrantCategory,
        GrantRate,
        GrantYear,
        IntakePeriod,
        Municipality,
        Offering,
        Price,
        PriceUnit,
        Programme,
        Sector,
        Yrkescenter,
    )

    slug = f"bench-dashboards-{int(time.time())}"
    region = Region.objects.create(slug=slug, name=slug)
    RegionHost.objects.create(region=region, host=f"{slug}.localhost")
    council = User.objects.create_user(f"council@{slug}.example.test", "bench-password")
    TOTP.activate(council, generate_totp_secret())
    Membership.objects.create(user=council, region=region, role=Role.COUNCIL_MEMBER)
    officer = User.objects.create_user(f"intake@{slug}.example.test", "bench-password")

    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, code=f"{1700 + i}", name=f"Kommun {i}", is_party=i < 15)
        for i in range(16)
    )
    centres = Yrkescenter.objects.bulk_create(
        Yrkescenter(region=region, slug=f"c{i}", name=f"Centre {i}", host_municipality=m)
        for i, m in enumerate(municipalities[:6])
    )
    programmes = Programme.objects.bulk_create(
        Programme(
            region=region,
            code=f"p{i}",
            name=f"Programme {i:02d}",
            vp=rng.choice([400, 800, 1200]),
            ssyk_code=SSYK[i % len(SSYK)],
            occupation=f"Occupation {SSYK[i % len(SSYK)]}",
            sector=Sector.INDUSTRY,
            grant_category=GrantCategory.values[i % len(GrantCategory.values)],
        )
        for i in range(20)
    )
    period = IntakePeriod.objects.create(
        region=region, code="ht2027", name="HT 2027", starts_on=START, ends_on=START
    )
    closes = timezone.make_aware(dt.datetime(2027, 4, 15, 23, 59))
    offerings = Offering.objects.bulk_create(
        Offering(
            region=region,
            programme=programme,
            centre=centre,
            intake_period=period,
            starts_on=START,
            ends_on=END,
            seats=(seats := rng.randint(10, 30)),
            state_funded_seats=seats // 2,
            application_opens=closes - dt.timedelta(days=70),
            application_closes=closes,
        )
        for programme in programmes
        for centre in centres
    )

    weights = [c[1] for c in CHANNELS]
    Application.objects.bulk_create(
        (
            Application(
                region=region,
                intake_period=period,
                reference=f"BD-2027-{n + 1:06d}",
                birth_date=dt.date(1985, 1, 1),
                first_name="Bench",
                last_name=f"Applicant {n}",
                home_municipality=municipalities[n % len(municipalities)],
                recruitment_channel=rng.choices(CHANNELS, weights=weights)[0][0],
                status=ApplicationStatus.SUBMITTED,
                submitted_at=closes - dt.timedelta(minutes=rng.randint(0, 70 * 24 * 60)),
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    ids = list(Application.objects.filter(region=region).values_list("pk", flat=True))
    offering_weights = [1 / (rank + 1) for rank in range(len(offerings))]
    choices = []
    for pk in ids:
        target = rng.randint(1, 5)
        wanted: list = []
        for offering in rng.choices(offerings, weights=offering_weights, k=20):
            if offering not in wanted:
                wanted.append(offering)
            if len(wanted) == target:
                break
        choices.extend(
            Choice(application_id=pk, offering=offering, rank=rank)
            for rank, offering in enumerate(wanted, start=1)
        )
    Choice.objects.bulk_create(choices, batch_size=5000)
    first_choices = list(
        Choice.objects.filter(application__region=region, rank=1).values_list(
            "pk", "application_id", "offering_id"
        )
    )
    EligibilityDecision.objects.bulk_create(
        (
            EligibilityDecision(
                choice_id=pk,
                eligible=eligible,
                ground="" if eligible else "prerequisites",
                decided_by=officer,
            )
            for pk in Choice.objects.filter(application__region=region).values_list("pk", flat=True)
            for eligible in [rng.random() < 0.9]
        ),
        batch_size=5000,
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
    # Offers to first choices until each offering's seats are taken (a rough round).
    seats = {o.pk: o.seats * 6 for o in offerings}  # several intakes' worth of students
    offered = []
    for choice_id, application_id, offering_id in first_choices:
        if seats[offering_id] > 0:
            seats[offering_id] -= 1
            offered.append((choice_id, application_id, offering_id))
    Offer.objects.bulk_create(
        (
            Offer(
                round=round_,
                application_id=application_id,
                choice_id=choice_id,
                answer_deadline=dt.date(2027, 5, 20),
            )
            for choice_id, application_id, _offering in offered
        ),
        batch_size=5000,
    )
    offers = dict(Offer.objects.filter(round=round_).values_list("choice_id", "pk"))
    accepted = [item for item in offered if rng.random() < 0.9]
    OfferAnswer.objects.bulk_create(
        (
            OfferAnswer(offer_id=offers[choice_id], kind=OfferAnswerKind.ACCEPTED)
            for choice_id, _a, _o in accepted
        ),
        batch_size=5000,
    )
    ended_on_of = {EnrolmentStatus.STARTED: None, EnrolmentStatus.INTERRUPTED: HALF_WAY}
    enrolments = []
    for choice_id, application_id, offering_id in accepted:
        status = rng.choices(
            [EnrolmentStatus.COMPLETED, EnrolmentStatus.INTERRUPTED, EnrolmentStatus.STARTED],
            weights=[65, 15, 20],
        )[0]
        enrolments.append(
            Enrolment(
                application_id=application_id,
                choice_id=choice_id,
                offering_id=offering_id,
                started_on=START,
                status=status,
                ended_on=ended_on_of.get(status, END),
                interruption_reason="work" if status == EnrolmentStatus.INTERRUPTED else "",
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    ended = list(
        Enrolment.objects.filter(offering__region=region)
        .exclude(status=EnrolmentStatus.STARTED)
        .values_list("pk", flat=True)[:outcome_count]
    )
    statuses = [
        (OutcomeStatus.EMPLOYED, 60),
        (OutcomeStatus.STUDYING, 10),
        (OutcomeStatus.JOB_SEEKING, 20),
        (OutcomeStatus.UNKNOWN, 10),
    ]
    outcomes = []
    for pk in ended:
        status = rng.choices([s for s, _w in statuses], weights=[w for _s, w in statuses])[0]
        employed = status == OutcomeStatus.EMPLOYED
        outcomes.append(
            StudentOutcome(
                enrolment_id=pk,
                status=status,
                followed_up_on=dt.date(2028, 12, 10),
                ssyk_code=rng.choice(SSYK) if employed else "",
                employer_municipality=rng.choice(municipalities) if employed else None,
            )
        )
    StudentOutcome.objects.bulk_create(outcomes, batch_size=5000)

    survey = NeedsSurvey.objects.create(
        region=region,
        code="behov-2027",
        name="Kompetensbehov 2027",
        opens_on=dt.date(2027, 1, 10),
        closes_on=dt.date(2027, 2, 28),
    )
    companies = Company.objects.bulk_create(
        Company(region=region, name=f"Company {i}", municipality=municipalities[i % 16])
        for i in range(300)
    )
    CompetenceNeed.objects.bulk_create(
        CompetenceNeed(
            survey=survey,
            company=company,
            ssyk_code=code,
            count=rng.randint(1, 12),
            horizon=rng.choice(list(Horizon.values)),
            municipality=company.municipality,
            level=Level.UPPER_SECONDARY,
        )
        for company in companies
        for code in rng.sample(SSYK, 5)
    )
    apl_offers = AplOffer.objects.bulk_create(
        AplOffer(
            company=company, programme=programme, intake_period=period, places=rng.randint(1, 4)
        )
        for company in companies
        for programme in rng.sample(programmes, 2)
    )
    by_programme: dict[int, list] = {}
    for offer in apl_offers:
        by_programme.setdefault(offer.programme_id, []).append(offer)
    studying = (
        Enrolment.objects.filter(offering__region=region)
        .select_related("offering")
        .order_by("pk")[:3000]
    )
    AplBooking.objects.bulk_create(
        AplBooking(
            offer=rng.choice(by_programme[enrolment.offering.programme_id]),
            enrolment=enrolment,
            starts_on=dt.date(2028, 2, 1),
            ends_on=dt.date(2028, 3, 1),
        )
        for enrolment in studying
        if enrolment.offering.programme_id in by_programme
    )
    grant_year = GrantYear.objects.create(
        region=region,
        year=2027,
        sector=Sector.INDUSTRY,
        granted_places=Decimal("900.00"),
        granted_amount=Decimal("90000000.00"),
    )
    # The grant table counts places by the cost settlement's lines: with an agreement charging
    # early stops pro rata, prices and grant rates, those lines are priced as in a real region.
    agreement = Agreement.objects.create(
        region=region,
        name="Samverkansavtal",
        valid_from=dt.date(2027, 1, 1),
        early_stop_rule=EarlyStopRule.PRO_RATA,
    )
    Price.objects.bulk_create(
        Price(agreement=agreement, programme=programme, unit=PriceUnit.PER_VP, amount=60)
        for programme in programmes
    )
    GrantRate.objects.bulk_create(
        GrantRate(grant_year=grant_year, grant_category=category, amount_per_place=80000)
        for category in {programme.grant_category for programme in programmes}
    )
    print(
        f"seeded: {len(ids)} applications, {len(choices)} choices, {len(offerings)} offerings, "
        f"{len(offered)} offers, {len(enrolments)} enrolments, {len(outcomes)} outcomes"
    )
    return region, period, council, centres[0]


def _timed(function, repeat: int) -> tuple[float, float, int]:
    """Median and best in ms over `repeat` calls after a first, untimed one, and its queries."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), len(queries)


def measure(region, period, council, centre, repeat: int) -> None:
    import logging

    from django.test import Client
    from django.urls import reverse

    from industriradet.dashboards import DASHBOARDS

    # WeasyPrint logs every step of the report at INFO.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    client = Client(HTTP_HOST=region.hosts.get().host)
    client.force_login(council)

    def get(url, params=None):
        def call():
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)

        return call

    pages = {}
    for slug in DASHBOARDS:
        url = reverse("industriradet:dashboard", args=[slug])
        pages[f"{slug}"] = get(url)
        pages[f"{slug} (centre)"] = get(url, {"period": period.pk, "centre": centre.pk})
        pages[f"{slug} (every period)"] = get(url, {"period": ""})
    pages["index"] = get(reverse("industriradet:dashboards"))
    files = {
        "CSV demand-occupation": get(
            reverse("industriradet:dashboard_export", args=["demand-occupation", "csv"])
        ),
        "XLSX seats": get(reverse("industriradet:dashboard_export", args=["seats", "xlsx"])),
        "PDF report": get(reverse("industriradet:dashboard_report")),
    }
    print(f"{'page':<28} {'median ms':>10} {'best ms':>8} {'queries':>8}")
    worst = 0.0
    for name, function in pages.items():
        median, best, queries = _timed(function, repeat)
        worst = max(worst, median)
        print(f"{name:<28} {median:>10.1f} {best:>8.1f} {queries:>8}")
    for name, function in files.items():
        median, best, queries = _timed(function, max(1, repeat // 2))
        print(f"{name:<28} {median:>10.1f} {best:>8.1f} {queries:>8}")
    print(f"slowest page (median): {worst:.0f} ms (goal < 1000 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--outcomes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--reuse", action="store_true", help="time the latest seeded region again, no new seed"
    )
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/dashboards.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate:  {time.perf_counter() - started:7.1f} s")
    if args.reuse:
        region, period, council, centre = latest_seeded()
    else:
        started = time.perf_counter()
        with transaction.atomic():
            region, period, council, centre = seed(
                args.applications, args.outcomes, random.Random(args.seed)
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seed:     {time.perf_counter() - started:7.1f} s")
    measure(region, period, council, centre, args.repeat)


def latest_seeded():
    from accounts.models import Region, Role, User
    from yrkescenter.models import IntakePeriod, Yrkescenter

    region = Region.objects.filter(slug__startswith="bench-dashboards-").order_by("-pk").first()
    if region is None:
        sys.exit("no seeded region to reuse: run without --reuse first")
    council = User.objects.get(memberships__region=region, memberships__role=Role.COUNCIL_MEMBER)
    period = IntakePeriod.objects.get(region=region)
    centre = Yrkescenter.objects.filter(region=region).order_by("slug").first()
    print(f"reusing {region.slug}")
    return region, period, council, centre


if __name__ == "__main__":
    main()
