"""A case's results at a glance, for the pages that show several cases: the person's own page
and the intake office's fragment on an application. Loaded in a fixed number of queries for any
number of cases; which result counts is validation.selectors' rule (result_is_final)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from validation.models import (
    Appointment,
    AreaResult,
    CaseArea,
    CaseStatus,
    Certificate,
    CompetenceArea,
    CompetenceStandard,
    Outcome,
    ValidationCase,
)
from validation.selectors import AreaStanding, result_is_final

# The outcome in a sentence the intake office cites ("Welding basics validated").
CITED_OUTCOMES = {
    Outcome.VALIDATED: gettext_lazy("validated"),
    Outcome.PARTLY: gettext_lazy("partly validated"),
    Outcome.NOT_VALIDATED: gettext_lazy("not validated"),
}


def in_language(item: CompetenceStandard | CompetenceArea, language: str | None) -> str:
    """A standard's or area's name in the language (English where it has one)."""
    if (language or "").startswith("en") and item.name_en:
        return item.name_en
    return item.name


@dataclass(frozen=True)
class AreaRow:
    """One mapped area on a page: where it stands and what its current result credits."""

    standing: AreaStanding
    name: str
    courses: tuple
    vp: int


@dataclass(frozen=True)
class CaseSummary:
    case: ValidationCase
    standings: tuple[AreaStanding, ...]
    # Newest first.
    certificates: tuple[Certificate, ...]
    # Upcoming and not cancelled, soonest first.
    appointments: tuple[Appointment, ...]

    @property
    def decided(self) -> bool:
        return self.case.status == CaseStatus.DECIDED

    @property
    def all_final(self) -> bool:
        return bool(self.standings) and all(standing.final for standing in self.standings)

    @property
    def area_rows(self) -> list[AreaRow]:
        language = translation.get_language()
        rows = []
        for standing in self.standings:
            courses = ()
            if standing.result is not None:
                courses = tuple(
                    sorted(standing.result.credited_courses.all(), key=lambda course: course.code)
                )
            rows.append(
                AreaRow(
                    standing=standing,
                    name=in_language(standing.area, language),
                    courses=courses,
                    vp=sum(course.points for course in courses),
                )
            )
        return rows

    @property
    def credited_courses(self) -> list:
        """The courses the final results credit."""
        courses = {
            course.pk: course
            for standing in self.standings
            if standing.final
            for course in standing.result.credited_courses.all()
        }
        return sorted(courses.values(), key=lambda course: course.code)

    @property
    def credited_vp(self) -> int:
        return sum(course.points for course in self.credited_courses)

    @property
    def current_certificate(self) -> Certificate | None:
        return next((c for c in self.certificates if c.revoked_at is None), None)

    @property
    def standard_name(self) -> str:
        return in_language(self.case.standard, translation.get_language())

    @property
    def citation(self) -> str:
        """The sentence the intake office cites as evidence for eligibility or a selection
        group, once every result of a decided case is final; else empty."""
        if not (self.decided and self.all_final):
            return ""
        language = translation.get_language()
        results = ", ".join(
            _("%(area)s %(outcome)s")
            % {
                "area": in_language(standing.area, language),
                "outcome": CITED_OUTCOMES[standing.result.outcome],
            }
            for standing in self.standings
        )
        values = {
            "reference": self.case.reference,
            "standard": self.standard_name,
            "results": results,
        }
        certificate = self.current_certificate
        if certificate is None:
            return _("Validation %(reference)s, %(standard)s: %(results)s") % values
        return _("Validation %(reference)s, %(standard)s: %(results)s (certificate %(code)s)") % {
            **values,
            "code": certificate.verification_code,
        }


def case_summaries(
    cases: Iterable[ValidationCase], *, with_appointments: bool = False
) -> list[CaseSummary]:
    """Summaries of already scoped cases (their standard selected), in the order given."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    if not ids:
        return []
    latest: dict[tuple[int, int], AreaResult] = {}
    for result in (
        AreaResult.objects.filter(case_id__in=ids, replaced_by__isnull=True)
        .select_related("area", "assessor", "sign_off__assessor")
        .prefetch_related("credited_courses")
        .order_by("case_id", "area_id", "-decided_at", "-id")
    ):
        latest.setdefault((result.case_id, result.area_id), result)
    by_case = {case.pk: case for case in cases}
    standings: dict[int, list[AreaStanding]] = {pk: [] for pk in ids}
    for case_area in (
        CaseArea.objects.filter(case_id__in=ids)
        .select_related("area")
        .order_by("case_id", "area__position", "area__code")
    ):
        result = latest.get((case_area.case_id, case_area.area_id))
        standard = by_case[case_area.case_id].standard
        standings[case_area.case_id].append(
            AreaStanding(
                case_area=case_area,
                result=result,
                final=result is not None and result_is_final(result, standard),
            )
        )
    certificates: dict[int, list[Certificate]] = {pk: [] for pk in ids}
    for certificate in Certificate.objects.filter(case_id__in=ids).order_by("case_id", "-version"):
        certificates[certificate.case_id].append(certificate)
    appointments: dict[int, list[Appointment]] = {pk: [] for pk in ids}
    if with_appointments:
        for appointment in (
            Appointment.objects.filter(
                case_id__in=ids, cancelled_at__isnull=True, ends_at__gte=timezone.now()
            )
            .select_related("area")
            .order_by("starts_at", "id")
        ):
            appointments[appointment.case_id].append(appointment)
    return [
        CaseSummary(
            case=case,
            standings=tuple(standings[case.pk]),
            certificates=tuple(certificates[case.pk]),
            appointments=tuple(appointments[case.pk]),
        )
        for case in cases
    ]
