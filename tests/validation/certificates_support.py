"""Decided validation cases for the certificate, verification, person, intake-fragment and
follow-up tests, made through the validation services (tests.validation.cases_support), so the
tests exercise the real rules; and private media for the stored PDFs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from admissions.applications import personnummer as pnr
from tests.admissions.letters_support import pdf_text, pdf_xmp_metadata  # noqa: F401
from tests.factories import MembershipFactory, UserFactory
from tests.validation import cases_support as cs
from validation import certificate_services, services
from validation.models import Certificate, Outcome, ValidationCase, ValidationCentre

BORN = dt.date(1984, 3, 9)
FIRST_NAME, LAST_NAME = "Zofia", "Nowak-Öhman"


@pytest.fixture
def certificates_media(settings, tmp_path):
    """Certificates stored in a private media folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    return tmp_path / "media"


@dataclass
class Decided:
    case: ValidationCase
    assessor: object
    second: object | None


def validation_centre(region) -> ValidationCentre:
    existing = ValidationCentre.objects.filter(region=region).first()
    return existing or cs.centre(region)


def application_for(region, *, applicant=None, language="sv", **values):
    """A submitted application of a known person asking for validation; the person is an
    applicant of the region (as applying makes them)."""
    if applicant is None:
        applicant = UserFactory(preferred_language=language)
        MembershipFactory(user=applicant, region=region, role=Role.APPLICANT)
    values.setdefault("first_name", FIRST_NAME)
    values.setdefault("last_name", LAST_NAME)
    values.setdefault("birth_date", BORN)
    values.setdefault("personnummer", pnr.build(BORN, 123))
    return cs.application(region, applicant=applicant, **values)


def decided_case(
    region,
    *,
    four_eyes: bool = True,
    outcomes: dict[str, str] | None = None,
    standard=None,
    application=None,
    language: str = "sv",
    assessor=None,
    second=None,
) -> Decided:
    """A case opened from an application, every area of its standard mapped and assessed
    (signed off by a second assessor under four eyes), and decided. `outcomes` maps area
    codes to outcomes (validated by default); a partly validated area credits its first
    course."""
    validation_centre(region)
    standard = standard or cs.standard(region, four_eyes=four_eyes)
    assessor = assessor or cs.assessor(region)
    second = second or (cs.assessor(region) if standard.four_eyes else None)
    application = application or application_for(region, language=language)
    case = services.case_open_from_application(
        acting_user=assessor, application=application, standard=standard
    )
    case = services.case_map(acting_user=assessor, case=case, areas=standard.areas.all())
    outcomes = outcomes or {}
    for case_area in case.areas.select_related("area"):
        area = case_area.area
        outcome = outcomes.get(area.code, Outcome.VALIDATED)
        courses = list(area.courses.order_by("code")[:1]) if outcome == Outcome.PARTLY else []
        result = services.result_record(
            acting_user=assessor,
            case=case,
            area=area,
            outcome=outcome,
            credited_courses=courses,
            evidence="Provsvetsning godkänd enligt branschens bedömningsmall.",
            method=area.method,
        )
        if standard.four_eyes:
            services.result_sign_off(acting_user=second, result=result, note="")
    case = services.case_decide(acting_user=assessor, case=case)
    return Decided(case=case, assessor=assessor, second=second)


def issued(decided: Decided, *, language: str | None = None) -> Certificate:
    return certificate_services.certificate_issue(
        acting_user=decided.assessor, case=decided.case, language=language
    )


def anonymous(host=cs.HOST) -> Client:
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
