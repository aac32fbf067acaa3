"""Reads of the validation centre, scoped through the models' visible_to.

Which result counts: the latest result per (case, area) — the one no correction replaced — and
only once it is final: at once where the standard has no four eyes, else when an assessor other
than the result's own has signed it off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Role, User
from admissions.applications.models import Application, ApplicationStatus
from validation.models import (
    Appointment,
    AreaResult,
    CaseArea,
    CaseStatus,
    CompetenceArea,
    CompetenceStandard,
    SignOff,
    ValidationCase,
)

PAGE_SIZE = 25
# The queue's "assessor" filter value for the logged-in assessor's own cases.
MINE = "mine"


# --- which results count ---------------------------------------------------------------------


def result_is_final(result: AreaResult, standard: CompetenceStandard) -> bool:
    """A result counts when the standard needs no second assessor, or when one other than the
    result's own assessor signed it off."""
    if not standard.four_eyes:
        return True
    sign_off = result_sign_off_of(result)
    return sign_off is not None and sign_off.assessor_id != result.assessor_id


def result_sign_off_of(result: AreaResult) -> SignOff | None:
    try:
        return result.sign_off
    except SignOff.DoesNotExist:
        return None


def latest_results(case: ValidationCase) -> dict[int, AreaResult]:
    """The current result of each assessed area (area id -> result), with what deciding and
    showing it needs."""
    results = (
        AreaResult.objects.filter(case=case, replaced_by__isnull=True)
        .select_related("area", "assessor", "sign_off__assessor")
        .prefetch_related("credited_courses")
        .order_by("area_id", "-decided_at", "-id")
    )
    latest: dict[int, AreaResult] = {}
    for result in results:
        latest.setdefault(result.area_id, result)
    return latest


@dataclass(frozen=True)
class AreaStanding:
    """Where one mapped area stands: its current result, if any, and whether it counts."""

    case_area: CaseArea
    result: AreaResult | None
    final: bool

    @property
    def area(self) -> CompetenceArea:
        return self.case_area.area

    @property
    def awaiting_sign_off(self) -> bool:
        return self.result is not None and not self.final


def area_standings(case: ValidationCase) -> list[AreaStanding]:
    """Every mapped area of the case, in the standard's order, with its current result."""
    latest = latest_results(case)
    standard = case.standard
    standings = []
    for case_area in (
        CaseArea.objects.filter(case=case)
        .select_related("area")
        .order_by("area__position", "area__code")
    ):
        result = latest.get(case_area.area_id)
        standings.append(
            AreaStanding(
                case_area=case_area,
                result=result,
                final=result is not None and result_is_final(result, standard),
            )
        )
    return standings


def final_credited_courses(case: ValidationCase) -> list:
    """The courses credited by the case's final results (what the study path loses)."""
    courses = {}
    for standing in area_standings(case):
        if standing.final:
            for course in standing.result.credited_courses.all():
                courses[course.pk] = course
    return sorted(courses.values(), key=lambda course: course.code)


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    standard: int | None = None
    source: str = ""
    # An assessor's user id, MINE for the logged-in user's cases, or "" for any.
    assessor: str = ""
    search: str = ""


def cases_visible(membership: Membership | None) -> QuerySet[ValidationCase]:
    return ValidationCase.objects.visible_to(membership)


def case_queue(membership: Membership | None, filters: QueueFilters) -> QuerySet[ValidationCase]:
    """The cases of the queue, filtered, with what a row shows. The text search looks at the
    reference and the names only: an identity number is never a search term here."""
    queryset = cases_visible(membership).select_related("standard", "assessor")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        # Without a status filter the queue is the work still to do.
        queryset = queryset.filter(status__in=[CaseStatus.MAPPING, CaseStatus.ASSESSMENT])
    if filters.standard:
        queryset = queryset.filter(standard_id=filters.standard)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.assessor == MINE and membership is not None:
        queryset = queryset.filter(assessor_id=membership.user_id)
    elif filters.assessor.isdigit():
        queryset = queryset.filter(assessor_id=int(filters.assessor))
    term = filters.search.strip()
    if term:
        words = Q()
        for word in term.split():
            words &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        queryset = queryset.filter(words | Q(reference__icontains=term))
    upcoming = Appointment.objects.filter(
        case=OuterRef("pk"), cancelled_at__isnull=True, starts_at__gte=_now()
    )
    return queryset.annotate(
        area_count=Count("areas", distinct=True), has_upcoming=Exists(upcoming)
    ).order_by("requested_at", "id")


def applications_for_validation(membership: Membership | None) -> QuerySet[Application]:
    """Submitted applications of the region that ask for validation: what the centre's staff
    (assessors and region admins) may open a case from. Others get none."""
    if membership is None or membership.role not in (Role.ASSESSOR, Role.REGION_ADMIN):
        return Application.objects.none()
    return Application.objects.for_region(membership.region).filter(
        validation_requested=True, status=ApplicationStatus.SUBMITTED
    )


def applications_awaiting_case(membership: Membership | None) -> QuerySet[Application]:
    """The applications asking for validation that have no case yet, oldest first."""
    return (
        applications_for_validation(membership)
        .exclude(validation_cases__isnull=False)
        .order_by("submitted_at", "id")
    )


def region_assessors(region) -> QuerySet[User]:
    """The users who are validation assessors in the region."""
    return (
        User.objects.filter(
            memberships__region=region, memberships__role=Role.ASSESSOR, is_active=True
        )
        .distinct()
        .order_by("full_name", "email")
    )


def standards_of(region) -> QuerySet[CompetenceStandard]:
    return CompetenceStandard.objects.for_region(region).order_by("name")


# --- one case --------------------------------------------------------------------------------


def case_for_detail(membership: Membership | None) -> QuerySet[ValidationCase]:
    return cases_visible(membership).select_related(
        "standard", "assessor", "home_municipality", "application", "person", "opened_by"
    )


def case_appointments(case: ValidationCase) -> QuerySet[Appointment]:
    return case.appointments.select_related("assessor", "area").order_by("starts_at", "id")


def case_result_history(case: ValidationCase) -> QuerySet[AreaResult]:
    """Every result of the case, replaced ones included, oldest first per area."""
    return (
        AreaResult.objects.filter(case=case)
        .select_related("area", "assessor", "replaces", "sign_off__assessor")
        .prefetch_related("credited_courses")
        .order_by("area__position", "area__code", "decided_at", "id")
    )


# --- the calendar ----------------------------------------------------------------------------


def week_appointments(
    membership: Membership | None, assessor: User, monday: dt.date
) -> QuerySet[Appointment]:
    """The assessor's appointments (cancelled ones too, marked) in the week starting `monday`,
    among cases the membership may see."""
    start = _local_midnight(monday)
    end = _local_midnight(monday + dt.timedelta(days=7))
    return (
        Appointment.objects.visible_to(membership)
        .filter(assessor=assessor, starts_at__gte=start, starts_at__lt=end)
        .select_related("case", "area")
        .order_by("starts_at", "id")
    )


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _now() -> dt.datetime:
    return timezone.now()
