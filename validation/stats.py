"""Follow-up of the validation centre per standard, for planning its capacity: cases opened, open
by step, decided and closed; the outcomes of the areas; the days from request to decision; the
vp credited. Every figure is computed by the database (aggregates, annotations and one window
query for the median) in a fixed number of queries, however many cases there are.

Council members see the same page with counts under five suppressed ("<5") and the figures
derived from fewer than five decided cases (days, vp) left out: they never see a person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import translation

from accounts.models import Region
from validation.case_summaries import in_language
from validation.models import (
    AreaResult,
    CaseStatus,
    CompetenceArea,
    CompetenceStandard,
    Outcome,
    ValidationCase,
)

# Counts below this are shown to council members as "<5".
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
# A figure derived from too few cases (mean, median, vp) is not shown to council members.
WITHHELD = "–"
_DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class StatsFilters:
    year: int | None = None
    requested_from: dt.date | None = None
    requested_to: dt.date | None = None
    source: str = ""


@dataclass
class AreaFigures:
    area: CompetenceArea
    validated: int = 0
    partly: int = 0
    not_validated: int = 0


@dataclass
class StandardFigures:
    standard: CompetenceStandard
    opened: int = 0
    mapping: int = 0
    assessment: int = 0
    decided: int = 0
    closed: int = 0
    validated: int = 0
    partly: int = 0
    not_validated: int = 0
    mean_days: float | None = None
    median_days: float | None = None
    credited_vp: int = 0
    areas: list[AreaFigures] = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.mapping + self.assessment


def cases_for_stats(region: Region, filters: StatsFilters) -> QuerySet[ValidationCase]:
    """The region's cases requested in the period, from the source, if given."""
    cases = ValidationCase.objects.for_region(region)
    if filters.year:
        cases = cases.filter(requested_at__year=filters.year)
    if filters.requested_from:
        cases = cases.filter(requested_at__date__gte=filters.requested_from)
    if filters.requested_to:
        cases = cases.filter(requested_at__date__lte=filters.requested_to)
    if filters.source:
        cases = cases.filter(source=filters.source)
    return cases


def request_years(region: Region) -> list[int]:
    """The years in which the region's cases were requested, newest first."""
    return [
        day.year
        for day in ValidationCase.objects.for_region(region).dates(
            "requested_at", "year", order="DESC"
        )
    ]


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / _DAY_SECONDS


def _took():
    return ExpressionWrapper(F("decided_at") - F("requested_at"), output_field=DurationField())


def _medians(decided: QuerySet[ValidationCase]) -> dict[int, float]:
    """Median days from request to decision per standard: the database numbers each standard's
    decided cases by how long they took and returns only the middle one or two (2·row between
    n and n + 2); their mean is the median."""
    middle = (
        decided.annotate(
            took=_took(),
            row=Window(RowNumber(), partition_by=[F("standard_id")], order_by=[F("took").asc()]),
            n=Window(Count("id"), partition_by=[F("standard_id")]),
        )
        .filter(row__gte=F("n") / 2.0, row__lte=F("n") / 2.0 + 1)
        .values_list("standard_id", "took")
    )
    halves: dict[int, list[float]] = defaultdict(list)
    for standard_id, took in middle:
        halves[standard_id].append(_days(took))
    return {standard_id: sum(days) / len(days) for standard_id, days in halves.items()}


def standard_figures(region: Region, filters: StatsFilters) -> list[StandardFigures]:
    """The figures of every standard of the region (those without cases too, with zeros)."""
    cases = cases_for_stats(region, filters)
    decided = cases.filter(status=CaseStatus.DECIDED, decided_at__isnull=False)
    standards = list(CompetenceStandard.objects.for_region(region).order_by("name"))
    figures = {standard.pk: StandardFigures(standard=standard) for standard in standards}
    area_figures: dict[int, AreaFigures] = {}
    for area in CompetenceArea.objects.filter(standard__region=region).order_by(
        "standard", "position", "code"
    ):
        area_figures[area.pk] = AreaFigures(area=area)
        figures[area.standard_id].areas.append(area_figures[area.pk])

    counts = (
        cases.values("standard_id")
        .annotate(
            opened=Count("id"),
            mapping=Count("id", filter=Q(status=CaseStatus.MAPPING)),
            assessment=Count("id", filter=Q(status=CaseStatus.ASSESSMENT)),
            decided=Count("id", filter=Q(status=CaseStatus.DECIDED)),
            closed=Count("id", filter=Q(status=CaseStatus.CLOSED)),
        )
        .order_by()
    )
    for row in counts:
        item = figures[row["standard_id"]]
        for name in ("opened", "mapping", "assessment", "decided", "closed"):
            setattr(item, name, row[name])

    means = decided.values("standard_id").annotate(mean=Avg(_took())).order_by()
    for row in means:
        figures[row["standard_id"]].mean_days = _days(row["mean"])
    for standard_id, median in _medians(decided).items():
        figures[standard_id].median_days = median

    # The outcome of a decided case's area is its current result: the one no correction replaced.
    current = AreaResult.objects.filter(case__in=decided, replaced_by__isnull=True)
    outcomes = current.values("area_id", "outcome").annotate(n=Count("id")).order_by()
    names = {
        Outcome.VALIDATED: "validated",
        Outcome.PARTLY: "partly",
        Outcome.NOT_VALIDATED: "not_validated",
    }
    for row in outcomes:
        area = area_figures[row["area_id"]]
        name = names[row["outcome"]]
        setattr(area, name, getattr(area, name) + row["n"])
        standard = figures[area.area.standard_id]
        setattr(standard, name, getattr(standard, name) + row["n"])

    credited = (
        AreaResult.credited_courses.through.objects.filter(arearesult__in=current)
        .values("arearesult__case__standard_id")
        .annotate(vp=Sum("course__points"))
        .order_by()
    )
    for row in credited:
        figures[row["arearesult__case__standard_id"]].credited_vp = row["vp"] or 0
    return [figures[standard.pk] for standard in standards]


# --- what a reader sees ------------------------------------------------------------------------


def shown_count(value: int, *, suppress: bool) -> str:
    """A count as shown: under five (but not zero) is "<5" for those who must not see small
    groups; zero says nothing about anyone."""
    if suppress and 0 < value < SUPPRESS_BELOW:
        return SUPPRESSED
    return str(value)


def _shown_days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class AreaRow:
    name: str
    validated: str
    partly: str
    not_validated: str


@dataclass(frozen=True)
class StandardRow:
    """One standard's figures as text, suppressed where the reader must not see small counts."""

    standard: CompetenceStandard
    name: str
    opened: str
    mapping: str
    assessment: str
    decided: str
    closed: str
    validated: str
    partly: str
    not_validated: str
    mean_days: str
    median_days: str
    credited_vp: str
    areas: tuple[AreaRow, ...]


def rows_for_reader(figures: list[StandardFigures], *, suppress: bool) -> list[StandardRow]:
    def count(value: int) -> str:
        return shown_count(value, suppress=suppress)

    language = translation.get_language()
    rows = []
    for item in figures:
        # Days and vp of fewer than five decided cases describe those few people.
        derived_withheld = suppress and item.decided < SUPPRESS_BELOW and item.decided > 0
        rows.append(
            StandardRow(
                standard=item.standard,
                name=in_language(item.standard, language),
                opened=count(item.opened),
                mapping=count(item.mapping),
                assessment=count(item.assessment),
                decided=count(item.decided),
                closed=count(item.closed),
                validated=count(item.validated),
                partly=count(item.partly),
                not_validated=count(item.not_validated),
                mean_days=WITHHELD if derived_withheld else _shown_days(item.mean_days),
                median_days=WITHHELD if derived_withheld else _shown_days(item.median_days),
                credited_vp=WITHHELD if derived_withheld else str(item.credited_vp),
                areas=tuple(
                    AreaRow(
                        name=in_language(area.area, language),
                        validated=count(area.validated),
                        partly=count(area.partly),
                        not_validated=count(area.not_validated),
                    )
                    for area in item.areas
                ),
            )
        )
    return rows
