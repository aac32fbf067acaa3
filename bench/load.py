"""Deadline day under load: locust against gunicorn on PostgreSQL, step by step.

    .venv/bin/python bench/load.py [--applications 20000] [--users 20,40,80] [--seconds 40]
                                   [--workers 4] [--port 8765] [--pool 2000]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_load (created if missing and
migrated). The demo region is loaded with `seed_demo --applicants N` unless its intake period
HT 2027 already has that many applications. The bench then makes a pool of applicant accounts
and eight intake officers with sessions of their own, starts gunicorn (`--workers`, DEBUG off)
on loopback, plus one Celery worker when REDIS_URL is set, and runs locust headless once per
step of users (bench/locustfile.py: applicants saving the form's steps, uploading a document and
submitting; officers paging, filtering and searching the intake queue and opening
applications; visitors on the catalogue and the public statistics). The applications the pool
made are deleted before every step, so each step starts from the same database.

It prints, per step, the requests per second, p50/p95/p99 and the error count, then the pages of
the highest step that held the goal (p95 < 500 ms and no error) and of the first that did not.
Exit status 1 when a step had errors.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from round import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_load"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BIN = Path(sys.executable).parent
POOL_DOMAIN = "load.example.test"
GOAL_P95_MS = 500


def prepare(applications: int, pool: int, officers: int) -> dict:
    """The database ready for a step, and what locust needs to know of it (the plan)."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership, Region, Role, User
    from admissions.applications import personnummer
    from admissions.applications.models import (
        Application,
        PriorEducation,
        RecruitmentChannel,
        Situation,
    )
    from admissions.demo import INTAKE_PERIOD, REGION_SLUG
    from yrkescenter.models import IntakePeriod, Municipality, Offering

    call_command("migrate", "--no-input", verbosity=0)
    region = Region.objects.filter(slug=REGION_SLUG).first()
    period = (
        region and IntakePeriod.objects.filter(region=region, code=INTAKE_PERIOD["code"]).first()
    )
    have = period.applications.count() if period else 0
    if have < applications:
        started = time.perf_counter()
        # The embedded e-mail backend prints the demo's letters: keep them off the report.
        with open(os.devnull, "w") as quiet, redirect_stdout(quiet), redirect_stderr(quiet):
            call_command("seed_demo", applicants=applications - have, verbosity=0)
        print(f"seeded {applications - have} applications in {time.perf_counter() - started:.0f} s")
        region = Region.objects.get(slug=REGION_SLUG)
        period = IntakePeriod.objects.get(region=region, code=INTAKE_PERIOD["code"])

    def session_of(user: User) -> str:
        # A client of its own per user: one client would flush the previous user's session.
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    applicants = []
    born = dt.date(1975, 1, 1)
    for index in range(pool):
        email = f"load-applicant-{index:05d}@{POOL_DOMAIN}"
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            Membership.objects.create(user=user, region=region, role=Role.APPLICANT)
        number = personnummer.build(born + dt.timedelta(days=index % 9000), 900 + index // 9000)
        applicants.append({"session": session_of(user), "personnummer": number})
    staff = []
    for index in range(officers):
        user, created = User.objects.get_or_create(email=f"load-officer-{index}@{POOL_DOMAIN}")
        if created:
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, region=region, role=Role.INTAKE_OFFICER)
            TOTP.activate(user, generate_totp_secret())
        staff.append({"session": session_of(user)})

    offerings = list(
        Offering.objects.filter(intake_period=period, region=region).values_list("pk", flat=True)
    )
    submitted = list(
        Application.objects.filter(intake_period=period, status="submitted")
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    municipality = Municipality.objects.filter(region=region).order_by("code").first()
    with connection.cursor() as cursor:
        # Fresh planner statistics: after seeding, stale ones made the statistics page's
        # aggregate take 340 ms instead of 40.
        cursor.execute("ANALYZE")
    return {
        "applicants": applicants,
        "officers": staff,
        "offerings": offerings,
        "applications": submitted,
        "municipality": municipality.pk,
        "prior_education": PriorEducation.UPPER_SECONDARY,
        "situation": Situation.UNEMPLOYED,
        "recruitment_channel": RecruitmentChannel.SFI,
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }


def reset_pool() -> None:
    """Delete what the pool's applicants made, so every step starts from the same data."""
    from admissions.applications.models import Application

    Application.objects.filter(applicant__email__endswith=f"@{POOL_DOMAIN}").delete()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer on {url}")


def start_services(args, workdir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEFAULT_REGION_SLUG": "varmland",
        "PRIVATE_MEDIA_ROOT": str(workdir / "media"),
    }
    log = open(workdir / "server.log", "w")  # noqa: SIM115 - lives as long as the processes
    processes = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    if os.environ.get("REDIS_URL"):
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "1",
                    "-l",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    wait_for(f"http://127.0.0.1:{args.port}/healthz")
    return processes


def run_step(args, users: int, plan_path: Path, workdir: Path) -> dict:
    prefix = workdir / f"step-{users}"
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{args.seconds}s",
            "--csv",
            str(prefix),
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "LOAD_PLAN": str(plan_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    failures = []
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists():
        with failures_path.open(newline="") as handle:
            failures = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return {
        "users": users,
        "total": total,
        "pages": [row for row in rows if row["Name"] != "Aggregated"],
        "failures": failures,
    }


def held(step: dict) -> bool:
    total = step["total"]
    return int(total["Failure Count"]) == 0 and float(total["95%"]) < GOAL_P95_MS


def print_pages(title: str, step: dict) -> None:
    print(f"\n{title} ({step['users']} users):")
    print(f"  {'page':34} {'requests':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for row in sorted(step["pages"], key=lambda row: -float(row["95%"])):
        print(
            f"  {row['Name'][:34]:34} {row['Request Count']:>8} {row['50%']:>6} "
            f"{row['95%']:>6} {row['99%']:>6} {row['Failure Count']:>6}"
        )
    for failure in step["failures"][:10]:
        print(f"  error: {failure['Name']}: {failure['Error'][:120]} x{failure['Occurrences']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=20000)
    parser.add_argument("--users", default="20,40,80", help="steps of concurrent users")
    parser.add_argument("--seconds", type=int, default=40, help="length of each step")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pool", type=int, default=2000, help="applicant accounts to use")
    args = parser.parse_args()
    steps = [int(value) for value in args.users.split(",")]

    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/load.py measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    ensure_database(url)
    plan = prepare(args.applications, args.pool, officers=8)
    print(
        f"{len(plan['applications'])}+ submitted applications, {len(plan['offerings'])} offerings; "
        f"gunicorn with {args.workers} workers on 127.0.0.1:{args.port}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    )

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        processes = start_services(args, workdir)
        try:
            for users in steps:
                reset_pool()
                results.append(run_step(args, users, plan_path, workdir))
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        reset_pool()

    print(
        f"\n{'users':>5} {'req/s':>7} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>6}  goal (p95 < {GOAL_P95_MS} ms, 0 errors)"
    )
    for step in results:
        total = step["total"]
        print(
            f"{step['users']:>5} {float(total['Requests/s']):>7.1f} {total['Request Count']:>8} "
            f"{total['50%']:>7} {total['95%']:>7} {total['99%']:>7} "
            f"{total['Failure Count']:>6}  {'held' if held(step) else 'NOT held'}"
        )
    holding = [step for step in results if held(step)]
    if holding:
        best = max(holding, key=lambda step: float(step["total"]["Requests/s"]))
        print(
            f"\nhighest rate that held the goal: {float(best['total']['Requests/s']):.1f} req/s "
            f"({best['users']} users)"
        )
        print_pages("pages at that rate", best)
    failed = next((step for step in results if not held(step)), None)
    if failed:
        print_pages("pages of the first step that did not hold", failed)
    if any(int(step["total"]["Failure Count"]) for step in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
