"""Times decision letters in one process (one worker's worth), or across real Celery workers.

    .venv/bin/python bench/letters.py [--letters 50]
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/letters.py --workers 2 [--letters 200]

Builds, in a fresh SQLite file under var/bench/ (never the development database) and a private
media folder beside it, a region with its intake office, centres, programmes and a published
round whose applicants have three choices each (admitted with an offer, on a waiting list, not
eligible, ranked below). Then makes each letter as the Celery task does (letter_create: load,
render PDF/A-3b, hash, store, write the row) and prints letters per second, milliseconds per
letter and file size, for each font set-up:

- vendored: the compact fonts of static/fonts/ (the default);
- system: DejaVu Sans as installed (760 kB, subset for every letter);
and each again with WeasyPrint's fontTools subsetter, as on a machine without HarfBuzz's
subsetter (Debian package libharfbuzz-subset0).

With --workers N: the letters of one published round are made by N real worker processes
(`celery -A config worker --concurrency=1` each, on REDIS_URL, against PostgreSQL:
DATABASE_URL if it is a postgres:// URL, else postgres://postgres@127.0.0.1:5432/bench_letters;
a database whose name starts with bench_ is dropped and created afresh), enqueued through the
real service (letters_enqueue_for_round: the outbox, then the broker) on a queue of the bench's
own. It prints the wall time from the enqueueing to the last letter, letters per second in total
and per worker (each worker's count from its log), and checks that every application has exactly
one letter: one row each, one file each in private storage, no file without a row, every file's
SHA-256 the row's. The time includes each worker's first letter (loading WeasyPrint and the
fonts), as a real batch does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))
DEFAULT_WORKERS_DB = "postgres://postgres@127.0.0.1:5432/bench_letters"
WORKERS_MEDIA = BENCH / "letters-workers-media"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=None, help="50, or 200 with --workers")
    parser.add_argument(
        "--workers", type=int, default=0, help="real Celery workers (0: one process, in line)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait (--workers)")
    return parser.parse_args()


ARGS = _arguments()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if ARGS.workers:
    # The settings are read once, at django.setup(): the database and broker are chosen here.
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = DEFAULT_WORKERS_DB
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/letters.py --workers needs REDIS_URL (the workers' broker)")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(WORKERS_MEDIA)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH / 'letters.sqlite3'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(BENCH / "letters-media")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def _fresh_database(url: str) -> None:
    """Drop and create a bench_ database (CREATE DATABASE cannot run in a transaction)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_"):
        sys.exit(f"bench/letters.py --workers recreates its database: {name!r} is not bench_*")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


if ARGS.workers:
    _fresh_database(os.environ["DATABASE_URL"])

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
# WeasyPrint and fontTools report every step (and the forced fontTools fallback); the bench
# prints its own lines.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Region, RegionHost, User  # noqa: E402
from admissions.applications import personnummer as pnr  # noqa: E402
from admissions.applications.models import (  # noqa: E402
    Application,
    ApplicationStatus,
    Choice,
    EligibilityDecision,
    IneligibilityGround,
)
from admissions.rounds import letters  # noqa: E402
from admissions.rounds.models import (  # noqa: E402
    AdmissionRound,
    DecisionLetter,
    Offer,
    Outcome,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from admissions.rounds.services import letters as letter_services  # noqa: E402
from yrkescenter.models import (  # noqa: E402
    IntakeOffice,
    IntakePeriod,
    Municipality,
    Offering,
    Programme,
    Yrkescenter,
)

FIRST = ["Åsa", "Erik", "Fatima", "Johan", "Maria", "Ahmed", "Linnéa", "Björn", "Zoë", "Dragan"]
LAST = ["Öberg", "Andersson", "Nilsson", "Hussein", "Lindqvist", "Østergård", "Karlsson"]
PROGRAMMES = [
    "Svetsare",
    "CNC-operatör",
    "Industritekniker",
    "Underhållstekniker",
    "Lastbilsförare",
    "Elektriker",
]
TOWNS = ["Karlstad", "Arvika", "Kristinehamn", "Sunne", "Hagfors", "Säffle"]
PATTERNS = [
    (Outcome.WAITING, Outcome.ADMITTED, Outcome.BELOW_ASSIGNMENT),
    (Outcome.ADMITTED, Outcome.BELOW_ASSIGNMENT, Outcome.BELOW_ASSIGNMENT),
    (Outcome.NOT_ELIGIBLE, Outcome.WAITING, Outcome.WAITING),
]


def build(count: int, round_count: int = 4) -> tuple[list[AdmissionRound], list[Application]]:
    call_command("migrate", verbosity=0)
    region = Region.objects.create(slug="bench", name="Värmland")
    RegionHost.objects.create(region=region, host="bench.example.test")
    officer = User.objects.create_user("officer@bench.example.test", "x")
    towns = [
        Municipality.objects.create(region=region, code=f"17{80 + i}", name=name)
        for i, name in enumerate(TOWNS)
    ]
    IntakeOffice.objects.create(
        region=region,
        name="Intagningsenheten Värmland",
        host_municipality=towns[0],
        email="intag@bench.example.test",
        phone="054-540 00 00",
    )
    period = IntakePeriod.objects.create(
        region=region,
        code="ht2027",
        name="Hösten 2027",
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2027, 9, 30),
    )
    now = timezone.now()
    offerings = []
    for i, name in enumerate(PROGRAMMES):
        town = towns[i % len(towns)]
        centre = Yrkescenter.objects.create(
            region=region, slug=f"c{i}", name=f"Yrkescenter {town.name}", host_municipality=town
        )
        programme = Programme.objects.create(
            region=region,
            code=f"p{i}",
            name=name,
            vp=800,
            grant_category="2",
            ssyk_code="7212",
            occupation=name,
        )
        offerings.append(
            Offering.objects.create(
                region=region,
                programme=programme,
                centre=centre,
                intake_period=period,
                starts_on=dt.date(2027, 8, 16),
                ends_on=dt.date(2028, 6, 9),
                seats=16,
                application_opens=now - dt.timedelta(days=60),
                application_closes=now - dt.timedelta(days=1),
            )
        )
    # One round per font set-up, so every set-up makes fresh letters for the same applicants.
    rounds = [
        AdmissionRound.objects.create(
            region=region,
            intake_period=period,
            kind=RoundKind.MAIN,
            number=n,
            status=RoundStatus.PUBLISHED,
            answer_deadline=dt.date(2027, 6, 14),
            created_by=officer,
        )
        for n in range(1, round_count + 1)
    ]
    applications = []
    for n in range(count):
        user = User.objects.create_user(f"a{n}@bench.example.test", None)
        application = Application.objects.create(
            region=region,
            intake_period=period,
            applicant=user,
            reference=f"VR-2027-{n + 1:06d}",
            personnummer=pnr.build(dt.date(1985, 3, 12), n % 1000),
            birth_date=dt.date(1985, 3, 12),
            first_name=FIRST[n % len(FIRST)],
            last_name=LAST[n % len(LAST)],
            email=user.email,
            street_address=f"Storgatan {n + 1}",
            postal_code="65224",
            city="Karlstad",
            home_municipality=towns[n % len(towns)],
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now,
        )
        applications.append(application)
        pattern = PATTERNS[n % len(PATTERNS)]
        for rank, outcome in enumerate(pattern, start=1):
            offering = offerings[(n + rank) % len(offerings)]
            choice = Choice.objects.create(application=application, offering=offering, rank=rank)
            if outcome == Outcome.NOT_ELIGIBLE:
                EligibilityDecision.objects.create(
                    choice=choice,
                    eligible=False,
                    ground=IneligibilityGround.PREREQUISITES,
                    explanation="Matematik 1 saknas.",
                    decided_by=officer,
                )
            for admission_round in rounds:
                RoundResult.objects.create(
                    round=admission_round,
                    choice=choice,
                    application=application,
                    offering=offering,
                    outcome=outcome,
                    waiting_position=12 + n if outcome == Outcome.WAITING else None,
                    group=3,
                    lottery=0.5,
                )
                if outcome == Outcome.ADMITTED:
                    Offer.objects.create(
                        round=admission_round,
                        application=application,
                        choice=choice,
                        answer_deadline=admission_round.answer_deadline,
                    )
    return rounds, applications


def run(label: str, admission_round, applications, *, vendored: bool, fonttools: bool) -> None:
    from weasyprint.pdf import fonts

    real_pdf, real_hb = letters.letter_pdf, fonts.harfbuzz_subset
    letter_services.letters.letter_pdf = partial(real_pdf, use_vendored_font=vendored)
    if fonttools:
        fonts.harfbuzz_subset = None
    letters._has_fast_subsetter.cache_clear()
    try:
        # The first letter pays for loading WeasyPrint and the fonts; a worker does that once.
        warm = letters.letter_data(round=admission_round, application=applications[0])
        letters.letter_pdf(warm, use_vendored_font=vendored)
        times = []
        started = time.perf_counter()
        cpu = time.process_time()
        for application in applications:
            t = time.perf_counter()
            letter_services.letter_create(round=admission_round, application=application)
            times.append((time.perf_counter() - t) * 1000)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        letter_services.letters.letter_pdf = real_pdf
        fonts.harfbuzz_subset = real_hb
        letters._has_fast_subsetter.cache_clear()
    sizes = [letter.file.size for letter in DecisionLetter.objects.filter(round=admission_round)]
    print(
        f"{label:<34} {len(times) / wall:6.1f} letters/s  "
        f"(cpu {len(times) / cpu:5.1f}/s)  "
        f"median {statistics.median(times):6.1f} ms  "
        f"p95 {sorted(times)[int(len(times) * 0.95) - 1]:6.1f} ms  "
        f"size {statistics.mean(sizes) / 1024:5.1f} kB"
    )


def start_worker(index: int, queue: str) -> tuple[subprocess.Popen, Path]:
    """`celery -A config worker`, one process (concurrency 1), in a process group of its own."""
    log = BENCH / f"letters-worker-{index}.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"bench-letters-{index}-{queue}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_workers(worker_count: int, count: int, timeout: float) -> None:
    from django.db import transaction

    from config.celery import app

    shutil.rmtree(WORKERS_MEDIA, ignore_errors=True)
    BENCH.mkdir(parents=True, exist_ok=True)
    (admission_round,), applications = build(count, round_count=1)
    # A queue of the bench's own: no other worker on the same Redis takes its letters.
    queue = f"bench-letters-{uuid.uuid4().hex[:12]}"
    app.conf.task_default_queue = queue
    workers = [start_worker(i, queue) for i in range(1, worker_count + 1)]
    try:
        deadline = time.monotonic() + 120
        while not all("ready." in log.read_text() for _, log in workers):
            if any(process.poll() is not None for process, _ in workers):
                sys.exit("a worker stopped while starting: see var/bench/letters-worker-*.log")
            if time.monotonic() > deadline:
                sys.exit("the workers did not start within 120 s")
            time.sleep(0.2)
        print(
            f"{count} letters, {worker_count} Celery worker process(es) (concurrency 1 each), "
            f"Redis broker, PostgreSQL, local file storage"
        )
        started = time.perf_counter()
        with transaction.atomic():
            # Sent to the broker when this commits (the outbox's on_commit).
            enqueued = letter_services.letters_enqueue_for_round(round_id=admission_round.pk)
        letters_of_round = DecisionLetter.objects.filter(round=admission_round)
        while (made := letters_of_round.count()) < enqueued:
            if time.perf_counter() - started > timeout:
                sys.exit(f"only {made} of {enqueued} letters after {timeout:.0f} s")
            if any(process.poll() is not None for process, _ in workers):
                sys.exit("a worker stopped: see var/bench/letters-worker-*.log")
            time.sleep(0.05)
        wall = time.perf_counter() - started
        # The last task's "succeeded" line follows its commit: wait for every log to have it.
        per_worker: list[int] = []
        settle = time.monotonic() + 10
        while True:
            per_worker = [
                len(re.findall(r"letter_generate\[[^\]]+\] succeeded", log.read_text()))
                for _, log in workers
            ]
            if sum(per_worker) >= enqueued or time.monotonic() > settle:
                break
            time.sleep(0.1)
    finally:
        for process, _ in workers:
            stop_worker(process)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)

    print(f"enqueued {enqueued}, made {made} in {wall:.2f} s")
    print(f"total: {made / wall:6.1f} letters/s")
    for index, done in enumerate(per_worker, start=1):
        print(f"  worker {index}: {done:4d} letters, {done / wall:6.1f} letters/s")
    print(f"  mean per worker: {made / wall / worker_count:6.1f} letters/s")
    check_exactly_once(admission_round, applications)


def check_exactly_once(admission_round, applications) -> None:
    rows = list(
        DecisionLetter.objects.filter(round=admission_round).values_list(
            "application_id", "file", "sha256"
        )
    )
    per_application = Counter(application for application, _, _ in rows)
    wanted = {application.pk for application in applications}
    files = sorted(path for path in WORKERS_MEDIA.rglob("*") if path.is_file())
    stored = {str(path.relative_to(WORKERS_MEDIA)) for path in files}
    named = {name for _, name, _ in rows}
    problems = []
    if set(per_application) != wanted:
        problems.append(f"{len(wanted - set(per_application))} applications without a letter")
    if twice := [pk for pk, n in per_application.items() if n != 1]:
        problems.append(f"{len(twice)} applications with more than one letter")
    if len(files) != len(rows) or stored != named:
        problems.append(f"{len(files)} files for {len(rows)} rows")
    wrong = [
        name
        for _, name, sha in rows
        if (WORKERS_MEDIA / name).is_file()
        and hashlib.sha256((WORKERS_MEDIA / name).read_bytes()).hexdigest() != sha
    ]
    if wrong:
        problems.append(f"{len(wrong)} files whose SHA-256 is not the row's")
    if problems:
        sys.exit("NOT exactly once: " + "; ".join(problems))
    print(
        f"exactly once: {len(rows)} letter rows for {len(wanted)} applications, "
        f"{len(files)} files, no duplicates, every hash matches"
    )


def main() -> None:
    args = ARGS
    if args.workers:
        run_workers(args.workers, args.letters or 200, args.timeout)
        return
    args.letters = args.letters or 50
    shutil.rmtree(BENCH / "letters-media", ignore_errors=True)
    (BENCH / "letters.sqlite3").unlink(missing_ok=True)
    BENCH.mkdir(parents=True, exist_ok=True)
    rounds, applications = build(args.letters)
    print(f"{args.letters} letters per set-up, one process, SQLite, local file storage")
    run("vendored font", rounds[0], applications, vendored=True, fonttools=False)
    run("system DejaVu Sans", rounds[1], applications, vendored=False, fonttools=False)
    run("vendored font, fontTools only", rounds[2], applications, vendored=True, fonttools=True)
    run("system DejaVu, fontTools only", rounds[3], applications, vendored=False, fonttools=True)


if __name__ == "__main__":
    main()
