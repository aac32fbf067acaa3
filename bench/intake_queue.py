"""Times the intake office's work queue with 20,000 applications.

    .venv/bin/python bench/intake_queue.py [--applications 20000] [--repeat 20] [--reload]

Uses DATABASE_URL if set (e.g. PostgreSQL), else its own SQLite file under var/bench/ (never the
development database). Loads a region "bench" with applications, choices, decisions and
completion requests in bulk (once: a second run reuses them unless --reload), then renders the
queue through Django's test client as a logged-in intake officer and prints the median and 95th
percentile time and the number of queries of each page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'intake_queue.sqlite3'}"

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Region, RegionHost, Role, User  # noqa: E402
from admissions.applications import personnummer  # noqa: E402
from admissions.applications.models import (  # noqa: E402
    Application,
    ApplicationStatus,
    Choice,
    CompletionRequest,
    EligibilityDecision,
    PriorEducation,
    SelectionGroupDecision,
    Situation,
)
from yrkescenter.models import (  # noqa: E402
    IntakePeriod,
    Municipality,
    Offering,
    Programme,
    Yrkescenter,
)

HOST = "bench.localhost"
OFFICER = "bench-officer@example.test"
FIRST = ["Maja", "Ali", "Sara", "Johan", "Amina", "Erik", "Noor", "Lars", "Fatima", "Per"]
LAST = ["Lind", "Holm", "Berg", "Ahmed", "Nilsson", "Karlsson", "Hassan", "Ek", "Öberg", "Sund"]


def load(count: int) -> Region:
    """The bench region with `count` submitted applications, written in bulk."""
    rng = random.Random(2027)
    region = Region.objects.create(slug="bench", name="Bench")
    RegionHost.objects.create(region=region, host=HOST)
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, code=f"{1700 + i}", name=f"Kommun {i}") for i in range(16)
    )
    centres = Yrkescenter.objects.bulk_create(
        Yrkescenter(region=region, slug=f"c{i}", name=f"Centre {i}", host_municipality=m)
        for i, m in enumerate(municipalities[:6])
    )
    programmes = Programme.objects.bulk_create(
        Programme(region=region, code=f"p{i}", name=f"Programme {i}", vp=800, occupation="x")
        for i in range(10)
    )
    period = IntakePeriod.objects.create(
        region=region,
        code="ht2027",
        name="HT 2027",
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2027, 9, 30),
    )
    now = timezone.now()
    offerings = Offering.objects.bulk_create(
        Offering(
            region=region,
            programme=programme,
            centre=centre,
            intake_period=period,
            starts_on=dt.date(2027, 8, 16),
            ends_on=dt.date(2028, 6, 9),
            seats=16,
            application_opens=now - dt.timedelta(days=30),
            application_closes=now + dt.timedelta(days=30),
        )
        for programme in programmes
        for centre in centres[:3]
    )
    officer = _officer(region)
    born = dt.date(1980, 1, 1)
    applications = [
        Application(
            region=region,
            intake_period=period,
            reference=f"BE-2027-{n + 1:06d}",
            personnummer=personnummer.build(born + dt.timedelta(days=n // 1000), n % 1000),
            birth_date=born + dt.timedelta(days=n // 1000),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"applicant{n}@example.test",
            home_municipality=rng.choice(municipalities),
            prior_education=rng.choice(PriorEducation.values),
            situation=rng.choice(Situation.values),
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now - dt.timedelta(minutes=n),
        )
        for n in range(count)
    ]
    Application.objects.bulk_create(applications, batch_size=2000)
    ids = list(Application.objects.filter(region=region).values_list("pk", flat=True))
    choices = []
    for pk in ids:
        for rank, offering in enumerate(rng.sample(offerings, rng.randint(1, 3)), start=1):
            choices.append(Choice(application_id=pk, offering=offering, rank=rank))
    Choice.objects.bulk_create(choices, batch_size=5000)
    choice_ids = list(
        Choice.objects.filter(application__region=region).values_list("pk", flat=True)
    )
    decided = rng.sample(choice_ids, len(choice_ids) // 2)
    EligibilityDecision.objects.bulk_create(
        (EligibilityDecision(choice_id=pk, eligible=True, decided_by=officer) for pk in decided),
        batch_size=5000,
    )
    SelectionGroupDecision.objects.bulk_create(
        (
            SelectionGroupDecision(
                choice_id=pk, group=rng.randint(2, 5), evidence="bench", decided_by=officer
            )
            for pk in decided
        ),
        batch_size=5000,
    )
    CompletionRequest.objects.bulk_create(
        (
            CompletionRequest(
                application_id=pk,
                missing=["grades"],
                deadline=dt.date(2027, 6, 1),
                requested_by=officer,
            )
            for pk in rng.sample(ids, len(ids) // 20)
        ),
        batch_size=5000,
    )
    return region


def _officer(region: Region) -> User:
    user = User.objects.filter(email=OFFICER).first()
    if user is None:
        user = User.objects.create_user(OFFICER, "bench-password")
        TOTP.activate(user, generate_totp_secret())
    Membership.objects.get_or_create(user=user, region=region, role=Role.INTAKE_OFFICER)
    return user


def timed(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(captured)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reload", action="store_true", help="delete and load the data again")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    region = Region.objects.filter(slug="bench").first()
    if region is not None and (
        args.reload or Application.objects.filter(region=region).count() != args.applications
    ):
        _delete(region)
        region = None
    if region is None:
        start = time.perf_counter()
        with transaction.atomic():
            region = load(args.applications)
        print(f"loaded {args.applications} applications in {time.perf_counter() - start:.1f} s")
        # Fresh statistics, as a database in use has: without them PostgreSQL plans blind.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client(HTTP_HOST=HOST)
    client.force_login(_officer(region))
    queue = reverse("admissions:intake_queue")
    municipality = Municipality.objects.filter(region=region).order_by("code").first()
    period = IntakePeriod.objects.get(region=region)
    some = Application.objects.filter(region=region).order_by("pk")[args.applications // 2]
    pages = {
        "first page (25)": queue,
        "first page (100)": f"{queue}?per_page=100",
        "filtered+sorted": (
            f"{queue}?intake_period={period.pk}&municipality={municipality.pk}"
            "&sort=name&per_page=50&page=2"
        ),
        "selection group 3": f"{queue}?selection_group=3",
        "missing documents": f"{queue}?missing_documents=on&sort=-reference",
        "search by name": client.post(queue, {"q": "maja lind"})["Location"],
        "search by number": client.post(queue, {"q": some.personnummer})["Location"],
    }
    print(f"{connection.vendor}, {args.applications} applications, {args.repeat} repetitions each")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        median, p95, queries = timed(client, url, args.repeat)
        print(f"{name:<20} {median:>10.1f} {p95:>8.1f} {queries:>8}")


def _delete(region: Region) -> None:
    with transaction.atomic():
        applications = Application.objects.filter(region=region)
        CompletionRequest.objects.filter(application__in=applications).delete()
        EligibilityDecision.objects.filter(choice__application__in=applications).delete()
        SelectionGroupDecision.objects.filter(choice__application__in=applications).delete()
        Choice.objects.filter(application__in=applications).delete()
        applications.delete()
        Offering.objects.filter(region=region).delete()
        Yrkescenter.objects.filter(region=region).delete()
        Programme.objects.filter(region=region).delete()
        IntakePeriod.objects.filter(region=region).delete()
        Membership.objects.filter(region=region).delete()
        Municipality.objects.filter(region=region).delete()
        region.audit_entries.all().delete()
        region.delete()


if __name__ == "__main__":
    main()
