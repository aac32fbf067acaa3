"""Reads of the cost settlement between municipalities: the terms a membership may settle, and
everything one term's settlement (or whole grant years' lines) is computed from, in a fixed
number of queries whatever the number of students, offerings or grant years
(admissions/funding/settlement.py does the arithmetic).

The grant reads are done here in bulk rather than through yrkescenter.selectors
(`commitments_current`, `rates_of`, one grant year per call) because a term can touch several
grant years (one per start year and sector), and the page must not cost queries per year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext

from accounts.models import Membership, Region, Role
from accounts.tenancy import get_scoped_or_404
from admissions.enrolment.models import Enrolment, EnrolmentStatus, StudyPathCredit
from admissions.funding.models import SettlementApproval
from yrkescenter.models import (
    Agreement,
    GrantYear,
    IntakePeriod,
    Municipality,
    Offering,
    Price,
)
from yrkescenter.selectors import current_commitments, rates_by_grant_year

# Who may open the settlement pages at all; what each of them sees is settlement.scope_for's.
SETTLEMENT_ROLES = (Role.RECTOR, Role.REGION_ADMIN, Role.COUNCIL_MEMBER)
# Who may see students (drill-down, per-municipality pages, exports).
STUDENT_ROLES = (Role.RECTOR, Role.REGION_ADMIN)

SETTLED_STATUSES = (
    EnrolmentStatus.STARTED,
    EnrolmentStatus.INTERRUPTED,
    EnrolmentStatus.COMPLETED,
)


def settlement_periods_for(membership: Membership | None) -> QuerySet[IntakePeriod]:
    """The terms of the membership's region, newest first, with how many students started."""
    if membership is None or membership.role not in SETTLEMENT_ROLES:
        return IntakePeriod.objects.none()
    return (
        IntakePeriod.objects.visible_to(membership)
        .annotate(
            enrolment_count=Count(
                "offerings__enrolments",
                filter=Q(offerings__enrolments__status__in=SETTLED_STATUSES),
            )
        )
        .order_by("-starts_on", "-pk")
    )


def get_period_for(request, pk) -> IntakePeriod:
    return get_scoped_or_404(
        IntakePeriod.objects.visible_to(request.membership).select_related("region"), pk=pk
    )


def get_municipality_by_code(region, code: str) -> Municipality:
    """A municipality of the region by its kommunkod; unknown codes are a 404."""
    return get_scoped_or_404(Municipality.objects.for_region(region), code=code)


class EnrolmentRow(NamedTuple):
    """One started student as the settlement reads them: plain values, no model instances (a
    term has thousands; building a model graph per row cost ten times the query)."""

    id: int
    offering_id: int
    started_on: dt.date
    status: str
    ended_on: dt.date | None
    reference: str
    first_name: str
    last_name: str
    home_id: int | None
    home_code: str | None
    home_name: str | None
    home_is_party: bool | None
    credited_vp: int  # courses of the programme the student need not study (validation)
    # Skyddade personuppgifter: the line is settled like any other, but names no one.
    protected_identity: bool = False

    @property
    def student_name(self) -> str:
        if self.protected_identity:
            return gettext("Protected personal data")
        return f"{self.first_name} {self.last_name}"

    @property
    def listed_reference(self) -> str:
        return "–" if self.protected_identity else self.reference


ENROLMENT_COLUMNS = (
    "id",
    "offering_id",
    "started_on",
    "status",
    "ended_on",
    "application__reference",
    "application__first_name",
    "application__last_name",
    "application__home_municipality_id",
    "application__home_municipality__code",
    "application__home_municipality__name",
    "application__home_municipality__is_party",
    "credited_vp",
    "application__protected_identity",
)


def _credited_vp():
    """The vp of the student's credited courses that belong to the offering's programme: they
    shorten the study path, so they are neither charged nor counted as grant places."""
    credited = (
        StudyPathCredit.objects.filter(
            application_id=OuterRef("application_id"),
            withdrawn_at__isnull=True,
            course__programmes=OuterRef("offering__programme_id"),
        )
        .order_by()
        .values("application_id")
        .annotate(total=Sum("vp"))
        .values("total")
    )
    return Coalesce(Subquery(credited), 0)


@dataclass(frozen=True)
class SettlementInputs:
    """The rows one term's settlement is computed from, or those of whole grant years."""

    # The term settled; None for the inputs of whole grant years (grant_year_inputs), which
    # give lines and grant-year sums but no term's settlement (settle() needs a term).
    period: IntakePeriod | None
    # The term's offerings and every other offering that counts in the same grant years (the
    # grant is used by the whole calendar year, not by one term), with programme and centre.
    offerings: dict[int, Offering]
    # Their students, in order of offering, start date and id.
    enrolments: tuple[EnrolmentRow, ...]
    agreements: tuple[Agreement, ...]  # the region's, newest first
    prices: dict[tuple[int, int], Price]  # (agreement id, programme id) -> price
    grant_years: dict[tuple[int, str], GrantYear]  # (year, sector) -> grant year
    rates: dict[tuple[int, str], Decimal]  # (grant year id, grant category) -> SEK per place
    # grant year id -> municipality id -> co-financed places in force (the latest row counts)
    commitments: dict[int, dict[int, Decimal]]
    # The committing municipalities, so one without students still shows its commitment.
    committing: dict[int, Municipality]

    @property
    def touched(self) -> frozenset[tuple[int, str]]:
        """(year, sector) of the term's offerings: the grant years the term counts in. Without
        a term, those of every offering loaded."""
        return frozenset(
            (offering.starts_on.year, offering.programme.sector)
            for offering in self.offerings.values()
            if self.period is None or offering.intake_period_id == self.period.pk
        )


def settlement_inputs(period: IntakePeriod) -> SettlementInputs:
    """Seven queries, whatever the size of the term."""
    term_years = (
        Offering.objects.filter(intake_period=period)
        .annotate(year=ExtractYear("starts_on"))
        .values("year")
    )
    in_scope = Q(intake_period=period) | Q(
        region_id=period.region_id, starts_on__year__in=term_years
    )
    return _load_inputs(region_id=period.region_id, in_scope=in_scope, period=period)


def grant_year_inputs(
    region: Region, years: Iterable[int], *, offerings: QuerySet[Offering] | None = None
) -> SettlementInputs:
    """The inputs of whole grant years (calendar years of the start) of the region, with no
    term: what the settlement's lines and grant-year sums of those years are computed from.
    Seven queries, as for a term.

    `offerings` narrows the load to those of them that start in `years` (e.g. the offerings a
    dashboard's filters choose). Each offering's lines depend only on its own students (they
    take its own state-funded seats), so a narrowed load gives those offerings the same lines
    as the whole years'."""
    in_scope = Q(region_id=region.pk, starts_on__year__in=sorted(set(years)))
    if offerings is not None:
        in_scope &= Q(pk__in=offerings.values("pk"))
    return _load_inputs(region_id=region.pk, in_scope=in_scope, period=None)


def _load_inputs(*, region_id: int, in_scope: Q, period: IntakePeriod | None) -> SettlementInputs:
    """The offerings `in_scope` (a condition on Offering) with their students, and the region's
    agreements, prices and grant years of those offerings' years: seven queries."""
    offerings = {
        offering.pk: offering
        for offering in Offering.objects.filter(in_scope).select_related(
            "programme", "centre__host_municipality"
        )
    }
    years = sorted({offering.starts_on.year for offering in offerings.values()})
    enrolments = tuple(
        EnrolmentRow(*row)
        for row in Enrolment.objects.filter(
            offering_id__in=Offering.objects.filter(in_scope).values("pk"),
            status__in=SETTLED_STATUSES,
        )
        .annotate(credited_vp=_credited_vp())
        .order_by("offering_id", "started_on", "id")
        .values_list(*ENROLMENT_COLUMNS)
    )
    agreements = tuple(Agreement.objects.filter(region_id=region_id).order_by("-valid_from", "-pk"))
    prices = {
        (price.agreement_id, price.programme_id): price
        for price in Price.objects.filter(agreement__region_id=region_id)
    }
    grant_years = {
        (grant_year.year, grant_year.sector): grant_year
        for grant_year in GrantYear.objects.filter(region_id=region_id, year__in=years)
    }
    rates = rates_by_grant_year(grant_years.values())
    commitments: dict[int, dict[int, Decimal]] = defaultdict(dict)
    committing: dict[int, Municipality] = {}
    for commitment in current_commitments(grant_years.values()):
        commitments[commitment.grant_year_id][commitment.municipality_id] = commitment.places
        committing[commitment.municipality_id] = commitment.municipality
    return SettlementInputs(
        period=period,
        offerings=offerings,
        enrolments=enrolments,
        agreements=agreements,
        prices=prices,
        grant_years=grant_years,
        rates=rates,
        commitments=dict(commitments),
        committing=committing,
    )


# --- approvals (fastställande) ---------------------------------------------------------------


def latest_approval(period: IntakePeriod) -> SettlementApproval | None:
    """The term's newest approved version: the one the municipalities invoice from."""
    return (
        SettlementApproval.objects.filter(intake_period=period)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def approvals_of(period: IntakePeriod) -> QuerySet[SettlementApproval]:
    """Every approved version of the term, newest first, without their lines."""
    return (
        SettlementApproval.objects.filter(intake_period=period)
        .select_related("approved_by")
        .defer("lines")
        .order_by("-version")
    )


def latest_approvals(periods: Iterable[IntakePeriod]) -> dict[int, SettlementApproval]:
    """period id -> its newest approval, for a list of terms: one query, without the lines."""
    latest: dict[int, SettlementApproval] = {}
    for approval in (
        SettlementApproval.objects.filter(intake_period__in=[period.pk for period in periods])
        .defer("lines")
        .order_by("intake_period_id", "-version")
    ):
        latest.setdefault(approval.intake_period_id, approval)
    return latest
