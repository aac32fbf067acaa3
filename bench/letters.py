"""Times decision letters in one process (one worker's worth).

    .venv/bin/python bench/letters.py [--letters 50]

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
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{BENCH / 'letters.sqlite3'}"
os.environ["PRIVATE_MEDIA_ROOT"] = str(BENCH / "letters-media")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

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
from admissions import letters  # noqa: E402
from admissions import personnummer as pnr  # noqa: E402
from admissions.models import (  # noqa: E402
    AdmissionRound,
    Application,
    ApplicationStatus,
    Choice,
    DecisionLetter,
    EligibilityDecision,
    IneligibilityGround,
    Offer,
    Outcome,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from admissions.services import letters as letter_services  # noqa: E402
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


def build(count: int) -> tuple[list[AdmissionRound], list[Application]]:
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
        for n in range(1, 5)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=50)
    args = parser.parse_args()
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
