"""Times one admission round end to end on PostgreSQL: load the inputs, match, write results.

    .venv/bin/python bench/round.py [--applications 5000] [--offerings 60] [--seed 2027]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_round; the database is created
if missing (through psycopg, autocommit) and migrated. Every run seeds a region of its own
("bench-round-<time>") in bulk: offerings with 10-30 seats, applications with 1-5 ranked
choices, eligibility (90 % eligible) and selection-group decisions. It then starts the round
(round_start, as the page does) and times the task's service, round_run, end to end, with its
phases: load (build the snapshot), hash (its SHA-256), match (the engine), write (the results and
cutoffs in bulk, the round marked preliminary), other (storing the snapshot, locks, progress);
then it publishes the round (round_publish: one offer per admitted application) and times that
too. Goals (issue 14.3): 100,000 applications end to end (run and publish) under 60 s, with
memory bounded: the peak RSS of the round alone is printed (Linux: the high-water mark is reset
through /proc/self/clear_refs after seeding, so the seed's own peak does not count).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_round"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--offerings", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/round.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate:              {time.perf_counter() - started:7.2f} s")

    started = time.perf_counter()
    region, period, officer = seed(args.applications, args.offerings, args.seed)
    print(f"seed (bulk):          {time.perf_counter() - started:7.2f} s")
    measure(region, period, officer)


def seed(count: int, offering_count: int, seed_value: int):
    from django.utils import timezone

    from accounts.models import Membership, Region, Role, User
    from admissions.applications.models import (
        Application,
        ApplicationStatus,
        Choice,
        EligibilityDecision,
        SelectionGroupDecision,
    )
    from yrkescenter.models import IntakePeriod, Municipality, Offering, Programme, Yrkescenter

    rng = random.Random(seed_value)
    slug = f"bench-round-{int(time.time())}"
    region = Region.objects.create(slug=slug, name=slug)
    officer = User.objects.create_user(f"{slug}@example.test", "bench-password")
    Membership.objects.create(user=officer, region=region, role=Role.INTAKE_OFFICER)
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, code=f"{1700 + i}", name=f"Kommun {i}") for i in range(16)
    )
    centres = Yrkescenter.objects.bulk_create(
        Yrkescenter(region=region, slug=f"c{i}", name=f"Centre {i}", host_municipality=m)
        for i, m in enumerate(municipalities[:6])
    )
    programmes = Programme.objects.bulk_create(
        Programme(region=region, code=f"p{i}", name=f"Programme {i}", vp=800, occupation="x")
        for i in range(offering_count // len(centres) + 1)
    )
    period = IntakePeriod.objects.create(
        region=region,
        code="ht2027",
        name="HT 2027",
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2027, 9, 30),
    )
    now = timezone.now()
    pairs = [(p, c) for p in programmes for c in centres][:offering_count]
    offerings = Offering.objects.bulk_create(
        Offering(
            region=region,
            programme=programme,
            centre=centre,
            intake_period=period,
            starts_on=dt.date(2027, 8, 16),
            ends_on=dt.date(2028, 6, 9),
            seats=rng.randint(10, 30),
            application_opens=now - dt.timedelta(days=60),
            application_closes=now - dt.timedelta(days=1),
        )
        for programme, centre in pairs
    )
    # Popular offerings draw more choices (weight 1/rank), as in a real region.
    weights = [1 / (rank + 1) for rank in range(len(offerings))]
    Application.objects.bulk_create(
        (
            Application(
                region=region,
                intake_period=period,
                reference=f"BR-2027-{n + 1:06d}",
                birth_date=dt.date(1985, 1, 1),
                first_name="Bench",
                last_name=f"Applicant {n}",
                home_municipality=municipalities[n % len(municipalities)],
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - dt.timedelta(minutes=n),
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    ids = list(Application.objects.filter(region=region).values_list("pk", flat=True))
    choices = []
    for pk in ids:
        target = rng.randint(1, 5)
        wanted: list = []
        for offering in rng.choices(offerings, weights=weights, k=20):
            if offering not in wanted:
                wanted.append(offering)
            if len(wanted) == target:
                break
        choices.extend(
            Choice(application_id=pk, offering=offering, rank=rank)
            for rank, offering in enumerate(wanted, start=1)
        )
    Choice.objects.bulk_create(choices, batch_size=5000)
    choice_ids = list(
        Choice.objects.filter(application__region=region).values_list("pk", flat=True)
    )
    EligibilityDecision.objects.bulk_create(
        (
            EligibilityDecision(
                choice_id=pk,
                eligible=eligible,
                ground="" if eligible else "prerequisites",
                decided_by=officer,
            )
            for pk in choice_ids
            for eligible in [rng.random() < 0.9]
        ),
        batch_size=5000,
    )
    SelectionGroupDecision.objects.bulk_create(
        (
            SelectionGroupDecision(
                choice_id=pk,
                group=rng.choices([1, 2, 3, 4, 5], weights=[5, 25, 40, 15, 15])[0],
                evidence="bench",
                decided_by=officer,
            )
            for pk in choice_ids
        ),
        batch_size=5000,
    )
    print(
        f"seeded: {len(ids)} applications, {len(choice_ids)} choices, {len(offerings)} offerings, "
        f"{sum(o.seats for o in offerings)} seats"
    )
    return region, period, officer


def _rss_mb(field: str) -> float | None:
    """VmRSS / VmHWM of this process in MB (Linux), None elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def measure(region, period, officer) -> None:
    import gc

    from django.utils import timezone

    from admissions import matching
    from admissions.rounds.models import RoundCutoff, RoundResult
    from admissions.rounds.services import rounds
    from admissions.tasks import round_run

    phases: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    # The phases, timed where round_run calls them (module attributes, looked up at call time).
    rounds.snapshot_build = timed("load (snapshot)", rounds.snapshot_build)
    rounds.snapshot_hash = timed("hash (sha-256)", rounds.snapshot_hash)
    matching.solve = timed("match (engine)", matching.solve)
    rounds._write = timed("write (bulk)", rounds._write)
    # Started as the page does (through the outbox), but the task is not sent: it is run here by
    # hand so the timing is the run's alone. In the embedded default a sent task would run at
    # once, in process, and the run below would find the round done.
    round_run.apply_async = lambda *args, **kwargs: None

    admission_round = rounds.round_create(
        acting_user=officer,
        region=region,
        intake_period=period,
        kind="main",
        answer_deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    rounds.round_start(acting_user=officer, admission_round=admission_round)
    # The seed's objects go first, so the peak below is the round's own.
    gc.collect()
    reset = _reset_peak()
    rss_before = _rss_mb("VmRSS")
    start = time.perf_counter()
    wrote = rounds.round_run(round_id=admission_round.pk)
    total = time.perf_counter() - start
    assert wrote, "the round did not run"

    admission_round.refresh_from_db()
    results = RoundResult.objects.filter(round=admission_round)
    admitted = results.filter(outcome="admitted").count()
    print(
        f"round {admission_round.pk}: {admission_round.status}, snapshot "
        f"{admission_round.snapshot_sha256[:16]}…"
    )
    print(
        f"results: {results.count()} rows, {admitted} admitted, "
        f"{RoundCutoff.objects.filter(round=admission_round).count()} cutoffs"
    )
    for name, seconds in phases.items():
        print(f"  {name:<20}{seconds:7.2f} s")
    other = total - sum(phases.values())
    print(f"  {'other (locks, progress)':<20}{other:7.2f} s")
    print(f"round_run end to end: {total:7.2f} s")

    from admissions.rounds.models import Offer

    # The letters the publication would enqueue are not part of this measure.
    hooks = list(rounds.round_published_hooks)
    rounds.round_published_hooks.clear()
    start = time.perf_counter()
    rounds.round_publish(acting_user=officer, admission_round=admission_round)
    published = time.perf_counter() - start
    rounds.round_published_hooks.extend(hooks)
    offers = Offer.objects.filter(round=admission_round).count()
    print(f"round_publish ({offers} offers): {published:7.2f} s")
    print(f"run + publish:        {total + published:7.2f} s (goal < 60 s for 100,000)")
    peak = _rss_mb("VmHWM") if reset else None
    if peak is not None and rss_before is not None:
        print(
            f"peak RSS during the round: {peak:.0f} MB "
            f"(RSS {rss_before:.0f} MB before it, +{peak - rss_before:.0f} MB)"
        )
    else:
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS of the process (seed included): {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
