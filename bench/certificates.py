"""Times competence certificates and the validation follow-up in one process.

    .venv/bin/python bench/certificates.py [--certificates 30] [--cases 5000]

Builds, in a fresh SQLite file under var/bench/ (never the development database) and a private
media folder beside it, a region with its validation centre and a four-eyes welding standard of
four areas. Then:

- certificates: decides `--certificates` cases through the services (mapping, results, a second
  assessor's sign-off, the decision) and times certificate_issue for each (lock, read, render
  PDF/A-3b, hash, store, audit): certificates per second, milliseconds each, file size;
- follow-up: adds `--cases` decided cases in bulk (rows only) and times standard_figures, whose
  queries are a fixed number whatever the number of cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{BENCH / 'certificates.sqlite3'}"
os.environ["PRIVATE_MEDIA_ROOT"] = str(BENCH / "certificates-media")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Region, RegionHost, Role, User  # noqa: E402
from admissions.applications.models import Application, ApplicationStatus  # noqa: E402
from validation import certificate_services, services  # noqa: E402
from validation.models import (  # noqa: E402
    AreaResult,
    CaseArea,
    CaseSource,
    CaseStatus,
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
    ValidationCase,
    ValidationCentre,
)
from validation.stats import StatsFilters, standard_figures  # noqa: E402
from yrkescenter.models import Course, IntakePeriod, Municipality  # noqa: E402

FIRST = ["Åsa", "Erik", "Fatima", "Johan", "Maria", "Ahmed", "Linnéa", "Björn", "Zoë", "Dragan"]
LAST = ["Öberg", "Andersson", "Nilsson", "Hussein", "Lindqvist", "Østergård", "Karlsson"]
AREAS = [("mma", "Svets MMA"), ("mig", "Svets MIG"), ("tig", "Svets TIG"), ("ritning", "Ritning")]


def fresh_database() -> None:
    shutil.rmtree(BENCH / "certificates-media", ignore_errors=True)
    (BENCH / "certificates.sqlite3").unlink(missing_ok=True)
    BENCH.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)


def world():
    region = Region.objects.create(slug="bench", name="Benchland")
    RegionHost.objects.create(region=region, host="bench.example.test")
    municipality = Municipality.objects.create(region=region, code="1780", name="Karlstad")
    ValidationCentre.objects.create(
        region=region, name="Valideringscentrum Benchland", host_municipality=municipality
    )
    standard = CompetenceStandard.objects.create(
        region=region,
        code="svets",
        name="Svetsare",
        branch="Svetsning",
        owner="Svetskommissionen",
        four_eyes=True,
    )
    for position, (code, name) in enumerate(AREAS, start=1):
        area = CompetenceArea.objects.create(
            standard=standard,
            code=code,
            name=name,
            method=Method.PRACTICAL_CENTRE,
            position=position,
        )
        area.courses.set(
            [
                Course.objects.create(
                    region=region, code=f"SVE{code.upper()}{n}", name=f"{name} {n}", points=100
                )
                for n in (1, 2)
            ]
        )
    period = IntakePeriod.objects.create(
        region=region,
        code="ht2027",
        name="HT2027",
        starts_on=dt.date(2027, 8, 16),
        ends_on=dt.date(2027, 9, 30),
    )
    assessors = []
    for n in (1, 2):
        user = User.objects.create_user(f"bedomare{n}@bench.test", full_name=f"Bedömare {n}")
        Membership.objects.create(user=user, region=region, role=Role.ASSESSOR)
        assessors.append(user)
    return region, municipality, standard, period, assessors


def decided_cases(count, region, municipality, standard, period, first, second):
    cases = []
    for n in range(count):
        application = Application.objects.create(
            region=region,
            intake_period=period,
            reference=f"BE-2027-{n + 1:06d}",
            first_name=FIRST[n % len(FIRST)],
            last_name=LAST[n % len(LAST)],
            birth_date=dt.date(1980 + n % 20, 1 + n % 12, 1 + n % 28),
            home_municipality=municipality,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            validation_requested=True,
            validation_description="Svetsat i tio år.",
        )
        case = services.case_open_from_application(
            acting_user=first, application=application, standard=standard
        )
        case = services.case_map(acting_user=first, case=case, areas=standard.areas.all())
        for area in standard.areas.all():
            result = services.result_record(
                acting_user=first,
                case=case,
                area=area,
                outcome=Outcome.VALIDATED,
                evidence="Provsvetsning godkänd.",
                method=Method.PRACTICAL_CENTRE,
            )
            services.result_sign_off(acting_user=second, result=result)
        cases.append(services.case_decide(acting_user=first, case=case))
    return cases


def bulk_cases(count, region, standard, assessor) -> None:
    """Decided cases as rows only: the follow-up reads rows, not how they were made."""
    now = timezone.now()
    areas = list(standard.areas.all())
    cases = ValidationCase.objects.bulk_create(
        ValidationCase(
            region=region,
            reference=f"VAL-1999-{n:05d}",
            standard=standard,
            source=CaseSource.ARBETSFORMEDLINGEN,
            referrer="Arbetsförmedlingen",
            first_name=FIRST[n % len(FIRST)],
            last_name=LAST[n % len(LAST)],
            status=CaseStatus.DECIDED,
            requested_at=now - dt.timedelta(days=30 + n % 60),
            decided_at=now - dt.timedelta(days=n % 30),
        )
        for n in range(count)
    )
    CaseArea.objects.bulk_create(CaseArea(case=case, area=area) for case in cases for area in areas)
    outcomes = list(Outcome)
    AreaResult.objects.bulk_create(
        AreaResult(
            case=case,
            area=area,
            outcome=outcomes[(i + j) % len(outcomes)],
            evidence="Bedömning.",
            method=Method.PRACTICAL_CENTRE,
            assessor=assessor,
        )
        for i, case in enumerate(cases)
        for j, area in enumerate(areas)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=30)
    parser.add_argument("--cases", type=int, default=5000)
    options = parser.parse_args()

    fresh_database()
    region, municipality, standard, period, (first, second) = world()
    cases = decided_cases(
        options.certificates, region, municipality, standard, period, first, second
    )
    # The first render builds the font configuration and stylesheet once per process.
    certificate_services.certificate_issue(acting_user=first, case=cases[0])
    times, sizes = [], []
    for case in cases[1:]:
        started = time.perf_counter()
        certificate = certificate_services.certificate_issue(acting_user=first, case=case)
        times.append(time.perf_counter() - started)
        sizes.append(certificate.file.size)
    total = sum(times)
    print(
        f"certificates: {len(times)} in {total:.2f} s = {len(times) / total:.1f}/s; "
        f"median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms; median size {statistics.median(sizes) / 1024:.0f} kB"
    )

    bulk_cases(options.cases, region, standard, first)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        [svets] = standard_figures(region, StatsFilters())
        took = time.perf_counter() - started
    print(
        f"follow-up: {svets.opened} cases, {svets.decided} decided, "
        f"{svets.validated + svets.partly + svets.not_validated} area results, "
        f"median {svets.median_days:.1f} days: {took * 1000:.0f} ms in "
        f"{len(queries.captured_queries)} queries"
    )


if __name__ == "__main__":
    main()
