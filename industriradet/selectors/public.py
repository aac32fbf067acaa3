"""The open statistics of a region, for applicants and the press: per programme and centre in
one intake period, the offerings and seats, how many applied, and what became of the students.

Every count of people goes through industriradet.suppression: 1 to 4 is shown as "<5", and the
totals row is protected by complementary suppression, so no hidden count can be worked out from
the totals; a ratio is hidden when a count it comes from is. Seats and offerings are not about
persons (they are in the public catalogue) and are shown as they are.

Definitions (the page says them too):

- applicants: submitted applications (not withdrawn, not drafts) with a choice of an offering of
  the programme at the centre in the period, each counted once per programme and centre. An
  applicant who chose several programmes or centres is counted in each row, so the total is
  the sum of the rows, as in national admission statistics.
- completed: the period's students at the programme and centre who completed it.
- followed up: its students who completed or stopped early and whose situation about six months
  after the end is recorded; in work: those of them who were employed.

The figures are aggregated in the database: a fixed number of queries whatever the numbers of
applications and students.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from accounts.models import Region
from admissions.applications.models import ApplicationStatus, Choice
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from industriradet.models import OutcomeStatus, StudentOutcome
from industriradet.services.outcomes import ENDED
from industriradet.suppression import Cell, Ratio, suppress_ratio, suppress_table
from yrkescenter.models import IntakePeriod, Offering

# The counts of people in each row, in this order (the columns given to suppression).
COUNTED = ("applicants", "completed", "followed_up", "employed")


@dataclass(frozen=True)
class PublicRow:
    programme_name: str
    programme_name_en: str
    occupation: str
    centre_name: str
    offerings: int
    seats: int
    applicants: Cell
    applicants_per_seat: Ratio
    completed: Cell
    followed_up: Cell
    employed: Cell
    share_employed: Ratio


@dataclass(frozen=True)
class PublicStatistics:
    period: IntakePeriod
    rows: list[PublicRow]
    # The totals row: offerings and seats as they are; the counts suppressed with the rows.
    total: PublicRow
    any_hidden: bool

    @property
    def has_outcomes(self) -> bool:
        """Whether any student of the period has completed or been followed up (zeros are shown
        as they are; hidden counts are more than zero)."""
        cells = (self.total.completed, self.total.followed_up)
        return any(cell.hidden or cell.value for cell in cells)


def public_periods(region: Region | None) -> list[IntakePeriod]:
    """The region's intake periods with offerings, newest first, each with `opens`: when its
    first application window opens."""
    if region is None:
        return []
    return list(
        IntakePeriod.objects.for_region(region)
        .annotate(opens=Min("offerings__application_opens"))
        .filter(opens__isnull=False)
        .order_by("-starts_on", "-pk")
    )


def default_period(periods: list[IntakePeriod], *, now=None) -> IntakePeriod | None:
    """The newest period whose applications have opened; else the newest one."""
    now = now or timezone.now()
    opened = [period for period in periods if period.opens <= now]
    if opened:
        return opened[0]
    return periods[0] if periods else None


def _keyed(rows, *names: str) -> dict[tuple[int, int], dict]:
    return {(row["programme"], row["centre"]): {name: row[name] for name in names} for row in rows}


def public_statistics(region: Region, period: IntakePeriod) -> PublicStatistics:
    """The period's figures per programme and centre, suppressed for the public."""
    offerings = Offering.objects.for_region(region).filter(intake_period=period)
    groups = list(
        offerings.values(
            "programme_id",
            "programme__name",
            "programme__name_en",
            "programme__occupation",
            "centre_id",
            "centre__name",
        )
        .annotate(offering_count=Count("pk"), seat_count=Sum("seats"))
        .order_by("programme__name", "programme_id", "centre__name", "centre_id")
    )
    by_offering = {"programme": F("offering__programme_id"), "centre": F("offering__centre_id")}
    applicants = _keyed(
        Choice.objects.filter(
            offering__in=offerings.values("pk"),
            application__region=region,
            application__status=ApplicationStatus.SUBMITTED,
        )
        .values(**by_offering)
        .annotate(n=Count("application_id", distinct=True))
        .order_by(),
        "n",
    )
    completed = _keyed(
        Enrolment.objects.filter(
            offering__in=offerings.values("pk"), status=EnrolmentStatus.COMPLETED
        )
        .values(**by_offering)
        .annotate(n=Count("pk"))
        .order_by(),
        "n",
    )
    outcomes = _keyed(
        StudentOutcome.objects.filter(
            enrolment__offering__in=offerings.values("pk"), enrolment__status__in=ENDED
        )
        .values(
            programme=F("enrolment__offering__programme_id"),
            centre=F("enrolment__offering__centre_id"),
        )
        .annotate(
            followed=Count("pk"),
            employed=Count("pk", filter=Q(status=OutcomeStatus.EMPLOYED)),
        )
        .order_by(),
        "followed",
        "employed",
    )
    counts = []
    for group in groups:
        key = (group["programme_id"], group["centre_id"])
        outcome = outcomes.get(key, {})
        counts.append(
            [
                applicants.get(key, {}).get("n", 0),
                completed.get(key, {}).get("n", 0),
                outcome.get("followed", 0),
                outcome.get("employed", 0),
            ]
        )
    # The columns are not parts of one whole, so there is no row total; each column has its
    # total in the totals row.
    table = suppress_table(counts, row_totals=False, column_totals=True)
    rows = [
        _row(
            programme_name=group["programme__name"],
            programme_name_en=group["programme__name_en"],
            occupation=group["programme__occupation"],
            centre_name=group["centre__name"],
            offerings=group["offering_count"],
            seats=group["seat_count"] or 0,
            cells=cells,
        )
        for group, cells in zip(groups, table.cells, strict=True)
    ]
    totals = table.column_totals or [Cell(0) for _ in COUNTED]
    total = _row(
        programme_name="",
        programme_name_en="",
        occupation="",
        centre_name="",
        offerings=sum(group["offering_count"] for group in groups),
        seats=sum(group["seat_count"] or 0 for group in groups),
        cells=totals,
    )
    return PublicStatistics(period=period, rows=rows, total=total, any_hidden=table.any_hidden)


def _row(*, cells: list[Cell], seats: int, **names) -> PublicRow:
    applicants, completed, followed_up, employed = cells
    return PublicRow(
        **names,
        seats=seats,
        applicants=applicants,
        applicants_per_seat=suppress_ratio(applicants, seats),
        completed=completed,
        followed_up=followed_up,
        employed=employed,
        share_employed=suppress_ratio(employed, followed_up, scale=100, digits=0),
    )
