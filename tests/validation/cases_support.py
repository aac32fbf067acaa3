"""Shared set-up of the validation centre's tests: standards, assessors and cases made through
the services, so the tests exercise the real rules."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from accounts.models import Role
from tests.factories import (
    ApplicationFactory,
    CourseFactory,
    MembershipFactory,
    MunicipalityFactory,
    UserFactory,
    enrol_totp,
)
from validation import services
from validation.models import (
    CaseSource,
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
    ValidationCentre,
)

HOST = "hemland.example.test"
FOREIGN_HOST = "bortland.example.test"


def centre(region, municipality=None):
    return ValidationCentre.objects.create(
        region=region,
        name=f"Valideringscentrum {region.name}",
        host_municipality=municipality or MunicipalityFactory(region=region),
    )


def standard(region, *, four_eyes=False, code="svets", areas=(("grund", 1), ("mig", 2))):
    """A standard whose areas each replace the given number of new courses (100 vp each)."""
    item = CompetenceStandard.objects.create(
        region=region,
        code=code,
        name=f"Standard {code}",
        name_en=f"Standard {code} (en)",
        branch="Industri",
        owner="Branschen",
        four_eyes=four_eyes,
    )
    for position, (area_code, course_count) in enumerate(areas, start=1):
        area = CompetenceArea.objects.create(
            standard=item,
            code=area_code,
            name=f"Område {area_code}",
            name_en=f"Area {area_code}",
            method=Method.PRACTICAL_CENTRE,
            position=position,
        )
        area.courses.set(
            CourseFactory(region=region, code=f"{code}-{area_code}-{n}".upper()[:20])
            for n in range(course_count)
        )
    return item


def assessor(region):
    """A user who is a validation assessor in the region."""
    return MembershipFactory(region=region, role=Role.ASSESSOR).user


def member(region, role, **scope):
    return MembershipFactory(region=region, role=role, **scope).user


def application(region, **values):
    values.setdefault("validation_requested", True)
    values.setdefault("validation_description", "Tio år som svetsare i Polen.")
    return ApplicationFactory(region=region, **values)


def direct_case(region, the_standard, *, by=None, **values):
    values.setdefault("source", CaseSource.ARBETSFORMEDLINGEN)
    values.setdefault("first_name", "Amira")
    values.setdefault("last_name", "Haddad")
    values.setdefault("referrer", "Arbetsförmedlingen Karlstad")
    return services.case_open(
        acting_user=by or UserFactory(), region=region, standard=the_standard, **values
    )


def mapped_case(region, the_standard, *, by=None, **values):
    """A direct case with every area of its standard mapped (so in assessment)."""
    by = by or assessor(region)
    case = direct_case(region, the_standard, by=by, **values)
    return services.case_map(acting_user=by, case=case, areas=the_standard.areas.all())


def application_case(region, the_standard, *, by=None, **values):
    by = by or assessor(region)
    return services.case_open_from_application(
        acting_user=by, application=application(region, **values), standard=the_standard
    )


def record_all(case, by, outcome=Outcome.VALIDATED, sign_off_by=None):
    """A result for every mapped area (and a sign-off by another assessor, if given)."""
    results = []
    for case_area in case.areas.select_related("area"):
        result = services.result_record(
            acting_user=by,
            case=case,
            area=case_area.area,
            outcome=outcome,
            credited_courses=[],
            evidence="Provsvetsning godkänd enligt branschens bedömningsmall.",
            method=Method.PRACTICAL_CENTRE,
        )
        if sign_off_by is not None:
            services.result_sign_off(acting_user=sign_off_by, result=result, note="")
        results.append(result)
    return results


def at(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A time `days` from today at the given local hour."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def client_for(user, host=HOST) -> Client:
    """A logged-in client (with MFA set up) speaking English."""
    enrol_totp(user)
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.user = user
    return client
