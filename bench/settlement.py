"""Times the cost settlement of one term with 5,000 started students.

    .venv/bin/python bench/settlement.py [--students 5000] [--offerings 60] [--repeat 10]

Uses DATABASE_URL if set (e.g. PostgreSQL), else its own SQLite file under var/bench/ (never the
development database). Every run seeds a region of its own ("bench-settlement-<time>") in bulk:
16 municipalities (2 of them not parties), 6 centres, programmes priced per vp or per week, an
agreement charging pro rata, a grant year with rates and commitments, offerings with state-funded
seats, and students who study, stopped early or completed. It then times the computation's
phases (load: the queries; compute: lines and sums in Python) and the pages and exports through
Django's test client as a region admin, with the number of queries of each.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'settlement.sqlite3'}"

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Region, RegionHost, Role, User  # noqa: E402
from admissions.applications.models import Application, ApplicationStatus, Choice  # noqa: E402
from admissions.enrolment.models import Enrolment, EnrolmentStatus  # noqa: E402
from admissions.funding.selectors import settlement_inputs  # noqa: E402
from admissions.funding.settlement import settle  # noqa: E402
from yrkescenter.models import (  # noqa: E402
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
    Yrkescenter,
)

START = dt.date(2027, 8, 16)
END = dt.date(2028, 6, 9)


def seed(students: int, offering_count: int, rng: random.Random) -> tuple[Region, IntakePeriod]:
    slug = f"bench-settlement-{int(time.time())}"
    region = Region.objects.create(slug=slug, name=slug)
    RegionHost.objects.create(region=region, host=f"{slug}.localhost")
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, code=f"{1700 + i}", name=f"Kommun {i}", is_party=i < 14)
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
            name=f"Programme {i}",
            vp=rng.choice([400, 600, 800, 1000]),
            grant_category=rng.choice("1234"),
            sector=Sector.INDUSTRY,
            ssyk_code="7212",
            occupation="x",
        )
        for i in range(offering_count // len(centres) + 1)
    )
    agreement = Agreement.objects.create(
        region=region,
        name="Bench agreement",
        valid_from=dt.date(2020, 1, 1),
        early_stop_rule=EarlyStopRule.PRO_RATA,
    )
    Price.objects.bulk_create(
        Price(
            agreement=agreement,
            programme=programme,
            unit=PriceUnit.PER_VP if i % 2 else PriceUnit.PER_WEEK,
            amount=Decimal(rng.randint(50, 90)) if i % 2 else Decimal(rng.randint(1000, 1800)),
        )
        for i, programme in enumerate(programmes)
    )
    grant_year = GrantYear.objects.create(
        region=region,
        year=START.year,
        sector=Sector.INDUSTRY,
        granted_places=Decimal(400),
        granted_amount=Decimal(32_000_000),
        cofinancing_municipal=3,
        cofinancing_state=7,
    )
    GrantRate.objects.bulk_create(
        GrantRate(grant_year=grant_year, grant_category=c, amount_per_place=70_000 + 5_000 * n)
        for n, c in enumerate("1234")
    )
    CofinancingCommitment.objects.bulk_create(
        CofinancingCommitment(grant_year=grant_year, municipality=m, places=Decimal(10))
        for m in municipalities[:14]
    )
    period = IntakePeriod.objects.create(
        region=region, code="ht2027", name="HT 2027", starts_on=START, ends_on=START
    )
    now = timezone.now()
    pairs = [(p, c) for p in programmes for c in centres][:offering_count]
    offerings = Offering.objects.bulk_create(
        Offering(
            region=region,
            programme=programme,
            centre=centre,
            intake_period=period,
            starts_on=START,
            ends_on=END,
            seats=200,
            state_funded_seats=rng.randint(10, 60),
            application_opens=now - dt.timedelta(days=90),
            application_closes=now - dt.timedelta(days=60),
        )
        for programme, centre in pairs
    )
    Application.objects.bulk_create(
        (
            Application(
                region=region,
                intake_period=period,
                reference=f"BS-2027-{n + 1:06d}",
                birth_date=dt.date(1985, 1, 1),
                first_name="Bench",
                last_name=f"Student {n}",
                home_municipality=municipalities[n % len(municipalities)],
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now,
            )
            for n in range(students)
        ),
        batch_size=2000,
    )
    applications = list(
        Application.objects.filter(region=region).order_by("pk").values_list("pk", flat=True)
    )
    chosen = [rng.choice(offerings) for _ in applications]
    Choice.objects.bulk_create(
        (
            Choice(application_id=pk, offering=offering, rank=1)
            for pk, offering in zip(applications, chosen, strict=True)
        ),
        batch_size=5000,
    )
    choices = dict(
        Choice.objects.filter(application__region=region).values_list("application_id", "pk")
    )
    enrolments = []
    for pk, offering in zip(applications, chosen, strict=True):
        started = START + dt.timedelta(days=rng.randint(0, 10))
        status = rng.choices(
            [EnrolmentStatus.STARTED, EnrolmentStatus.INTERRUPTED, EnrolmentStatus.COMPLETED],
            weights=[70, 15, 15],
        )[0]
        ended = None
        if status == EnrolmentStatus.INTERRUPTED:
            ended = started + dt.timedelta(days=rng.randint(1, 200))
        elif status == EnrolmentStatus.COMPLETED:
            ended = END
        enrolments.append(
            Enrolment(
                application_id=pk,
                choice_id=choices[pk],
                offering=offering,
                started_on=started,
                status=status,
                ended_on=ended,
                interruption_reason="work" if status == EnrolmentStatus.INTERRUPTED else "",
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    return region, period


def _admin(region: Region) -> User:
    user = User.objects.create_user(f"admin@{region.slug}.example.test", "bench-password")
    TOTP.activate(user, generate_totp_secret())
    Membership.objects.create(user=user, region=region, role=Role.REGION_ADMIN)
    return user


def _timed(function, repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms, and the queries of one call."""
    # Counted by a wrapper: a request through the test client clears connection.queries.
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
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--offerings", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    with transaction.atomic():
        region, period = seed(args.students, args.offerings, random.Random(args.seed))
    print(f"seeded {args.students} students in {time.perf_counter() - start:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    inputs = settlement_inputs(period)
    settlement = settle(inputs)
    total = settlement.total
    print(
        f"{connection.vendor}: {len(settlement.lines)} lines, {len(settlement.homes)} x "
        f"{len(settlement.hosts)} matrix, {total.state_students} state-funded, "
        f"{total.payable_amount:,.2f} kr paid by municipalities, "
        f"{total.state_amount:,.2f} kr from the grant, {total.problems} problems"
    )

    host = region.hosts.get().host
    client = Client(HTTP_HOST=host)
    client.force_login(_admin(region))
    first = settlement.homes[0]
    busiest = max(settlement.cells, key=lambda key: settlement.cells[key].students)
    home_code = next(p.code for p in settlement.homes if p.id == busiest[0])
    host_code = next(p.code for p in settlement.hosts if p.id == busiest[1])

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    def post(url):
        def call():
            response = client.post(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    phases = {
        "load (queries)": lambda: settlement_inputs(period),
        "compute (Python)": lambda: settle(inputs),
        "detail page": get(reverse("admissions:settlement_detail", args=[period.pk])),
        "cell page (busiest)": get(
            reverse("admissions:settlement_cell", args=[period.pk, home_code, host_code])
        ),
        "municipality page": get(
            reverse("admissions:settlement_municipality", args=[period.pk, first.code])
        ),
        "export CSV": post(reverse("admissions:settlement_export", args=[period.pk, "csv"])),
        "export XLSX": post(reverse("admissions:settlement_export", args=[period.pk, "xlsx"])),
    }
    print(f"{'phase':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, function in phases.items():
        median, p95, queries = _timed(function, args.repeat)
        print(f"{name:<22} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
