"""python manage.py seed_demo [--applicants 300] [--past-applicants 60]

Demo data for trying Yrkesporten out: loads Värmland if it is missing, opens the HT 2027 intake
period with offerings at every centre, adds synthetic applicants and one account per role, plays
the past term HT 2026 through (admitted, answered, started, some stopped early), and prints how
to log in. Running it again adds nothing.
"""

import importlib
import importlib.util
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import STAFF_ROLES
from accounts.region_files import RegionDataError, validation_message
from admissions.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PAST_APPLICANTS, demo_seed
from admissions.enrolment.models import Enrolment


def later_demo_parts():
    """The demo contributions of the apps that build on admissions (validation, industriradet):
    each may have `<app>/demo.py` with `seed_part(*, region) -> str`, so admissions seeds them
    without importing them."""
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.demo"
        if app_config.name == "admissions" or importlib.util.find_spec(module_name) is None:
            continue
        seed_part = getattr(importlib.import_module(module_name), "seed_part", None)
        if seed_part is not None:
            yield seed_part


def totp_code(secret: str) -> str:
    """The code an authenticator app shows for this secret right now."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class Command(BaseCommand):
    help = "Create demo data (region, offerings, applicants, one user per role). Demo only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--applicants",
            type=int,
            default=300,
            help="How many synthetic applicants to create the first time (default 300)",
        )
        parser.add_argument(
            "--past-applicants",
            type=int,
            default=PAST_APPLICANTS,
            help=(
                "How many synthetic applicants the past term HT 2026 gets the first time "
                f"(default {PAST_APPLICANTS})"
            ),
        )

    def handle(self, *args, applicants: int, past_applicants: int, **options):
        if applicants < 0 or past_applicants < 0:
            raise CommandError("--applicants and --past-applicants cannot be negative")
        try:
            result = demo_seed(applicants=applicants, past_applicants=past_applicants)
            part_reports = [seed_part(region=result.region) for seed_part in later_demo_parts()]
        except RegionDataError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        period = result.intake_period
        if result.region_loaded:
            self.stdout.write(f"Loaded {result.region.name} from regions/{result.region.slug}.json")
        self.stdout.write(
            f"{period.name}: {result.offerings_created} offerings and "
            f"{result.applications_created} applications created "
            f"({period.offerings.count()} offerings, {period.applications.count()} applications "
            "in all)."
        )
        past = result.past_period
        if past is not None:
            self.stdout.write(
                f"{past.name}: {result.past_offerings_created} offerings, "
                f"{result.past_applications_created} applications and "
                f"{result.enrolments_created} enrolments created "
                f"({past.applications.count()} applications, "
                f"{Enrolment.objects.filter(offering__intake_period=past).count()} enrolments "
                "in all)."
            )
        for report in part_reports:
            if report:
                self.stdout.write(report)
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING("DEMO ACCOUNTS - for demonstration only, never in production")
        )
        rows = [("Role", "E-mail", "Password", "TOTP secret")]
        for demo, user in result.users:
            secret = DEMO_TOTP_SECRET if demo.role in STAFF_ROLES else "-"
            rows.append((demo.role.label, user.email, DEMO_PASSWORD, secret))
        widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            line = "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            f"Staff log in with a TOTP code: add the secret to an authenticator app. "
            f"The current code is {totp_code(DEMO_TOTP_SECRET)} "
            f"(it changes every {mfa_settings.TOTP_PERIOD} seconds)."
        )
