"""Write services of admissions: each owns its transaction and writes the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from accounts.services import audit_record
from admissions import personnummer as pnr
from admissions.models import Application, ApplicationStatus, Choice
from yrkescenter.models import IntakePeriod, Municipality, Offering


@dataclass(frozen=True)
class ApplicantDetails:
    first_name: str
    last_name: str
    birth_date: dt.date
    home_municipality: Municipality
    email: str = ""
    phone: str = ""
    # Any form people write; stored as twelve digits. Empty for someone without a number.
    personnummer: str = ""


@dataclass(frozen=True)
class DemoApplication:
    applicant: User | None
    details: ApplicantDetails
    offerings: tuple[Offering, ...]
    status: str = ApplicationStatus.SUBMITTED
    submitted_at: dt.datetime | None = None


@transaction.atomic
def application_submit(
    *,
    acting_user: User | None,
    region: Region,
    intake_period: IntakePeriod,
    applicant: User | None,
    details: ApplicantDetails,
    offerings: Sequence[Offering],
    submitted_at: dt.datetime | None = None,
) -> Application:
    """Submit one application with its offerings ranked in the given order."""
    number = _checked(region, intake_period, details, offerings)
    if (
        applicant is not None
        and Application.objects.filter(intake_period=intake_period, applicant=applicant).exists()
    ):
        raise ValidationError("There is already an application for this intake period.")
    # Serialises reference numbers between concurrent submissions (a no-op on SQLite, which
    # serialises writers anyway).
    Region.objects.select_for_update().filter(pk=region.pk).first()
    application = _application(
        region,
        intake_period,
        applicant,
        details,
        number,
        reference=_next_references(region, intake_period, 1)[0],
        status=ApplicationStatus.SUBMITTED,
        submitted_at=submitted_at or timezone.now(),
    )
    application.full_clean()
    application.save()
    Choice.objects.bulk_create(
        Choice(application=application, offering=offering, rank=rank)
        for rank, offering in enumerate(offerings, start=1)
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.submit",
        target=application,
        data={"choices": [offering.pk for offering in offerings]},
    )
    return application


@transaction.atomic
def application_seed_demo(
    *,
    acting_user: User | None,
    region: Region,
    intake_period: IntakePeriod,
    applications: Sequence[DemoApplication],
) -> int:
    """Synthetic applications for a demo, written in bulk under the same rules as a submission.
    One audit entry summarises them. Returns how many were created."""
    if not applications:
        return 0
    checked = [_checked(region, intake_period, a.details, a.offerings) for a in applications]
    applicants = [a.applicant.pk for a in applications if a.applicant is not None]
    if len(set(applicants)) != len(applicants) or (
        Application.objects.filter(intake_period=intake_period, applicant__in=applicants).exists()
    ):
        raise ValidationError("An applicant can have only one application per intake period.")
    Region.objects.select_for_update().filter(pk=region.pk).first()
    references = _next_references(region, intake_period, len(applications))
    rows = []
    for item, number, reference in zip(applications, checked, references, strict=True):
        row = _application(
            region,
            intake_period,
            item.applicant,
            item.details,
            number,
            reference=reference,
            status=item.status,
            submitted_at=item.submitted_at,
        )
        # Field checks only: the rows' relations and uniqueness were checked above, in bulk.
        row.full_clean(
            exclude=["region", "intake_period", "home_municipality", "applicant"],
            validate_unique=False,
            validate_constraints=False,
        )
        rows.append(row)
    Application.objects.bulk_create(rows)
    ids = dict(
        Application.objects.filter(region=region, reference__in=references).values_list(
            "reference", "pk"
        )
    )
    choices = [
        Choice(application_id=ids[reference], offering=offering, rank=rank)
        for item, reference in zip(applications, references, strict=True)
        for rank, offering in enumerate(item.offerings, start=1)
    ]
    Choice.objects.bulk_create(choices)
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.seed_demo",
        target=intake_period,
        data={"applications": len(rows), "choices": len(choices)},
    )
    return len(rows)


def reference_prefix(region: Region, intake_period: IntakePeriod) -> str:
    """VA-2027-: the region's first two letters and the year the period starts."""
    return f"{region.slug[:2].upper()}-{intake_period.starts_on.year}-"


def _next_references(region: Region, intake_period: IntakePeriod, count: int) -> list[str]:
    prefix = reference_prefix(region, intake_period)
    last = (
        Application.objects.filter(region=region, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    start = int(last.removeprefix(prefix)) if last else 0
    return [f"{prefix}{number:06d}" for number in range(start + 1, start + 1 + count)]


def _checked(
    region: Region,
    intake_period: IntakePeriod,
    details: ApplicantDetails,
    offerings: Sequence[Offering],
) -> str:
    """The application's rules that span rows; returns the personnummer in twelve digits."""
    if intake_period.region_id != region.pk or details.home_municipality.region_id != region.pk:
        raise ValidationError("The intake period and home municipality must be the region's.")
    if not 1 <= len(offerings) <= region.max_choices:
        raise ValidationError(f"An application ranks between 1 and {region.max_choices} offerings.")
    if len({offering.pk for offering in offerings}) != len(offerings):
        raise ValidationError("An offering can be chosen only once.")
    if any(offering.intake_period_id != intake_period.pk for offering in offerings):
        raise ValidationError("Every choice must be an offering of the intake period.")
    if not details.personnummer:
        return ""
    try:
        number = pnr.normalize(details.personnummer)
    except pnr.PersonnummerError as error:
        raise ValidationError({"personnummer": str(error)}) from error
    if pnr.birth_date(number) != details.birth_date:
        raise ValidationError({"birth_date": "The date of birth does not match the number."})
    return number


def _application(
    region: Region,
    intake_period: IntakePeriod,
    applicant: User | None,
    details: ApplicantDetails,
    number: str,
    *,
    reference: str,
    status: str,
    submitted_at: dt.datetime | None,
) -> Application:
    return Application(
        region=region,
        intake_period=intake_period,
        applicant=applicant,
        reference=reference,
        personnummer=number,
        birth_date=details.birth_date,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        home_municipality=details.home_municipality,
        status=status,
        submitted_at=submitted_at,
    )
