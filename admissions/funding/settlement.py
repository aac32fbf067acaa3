"""The cost settlement between municipalities for one term (an intake period).

One immutable line per started student, then sums of those lines: the matrix of home
municipality (payer) x host municipality (the centre's), each municipality's figures and the
grant years the term counts in. Every sum is a sum of lines, and every line shows the figures
that make its amount, so each figure traces back to its students and prices.

The rules (the agreement and the state grant):

- Funding. The students of one offering, in order of start date (then id), take the offering's
  state-funded seats first, then municipal seats. A student whose home municipality is not a
  party to the agreement (`Municipality.is_party` false) never takes a state seat: their home
  municipality pays from its own commitment ("outside the agreement").
- vp charged. A student who completed or is still studying is charged the programme's vp. A
  student who stopped early is charged by the agreement's rule: the whole course, or pro rata
  `vp x days studied / days of the offering` (days studied = end - start date of the student;
  days of the offering = its end - start date; at most the whole course).
- Amount. A municipal seat or one outside the agreement costs the agreement's price for the
  programme: per vp `price x vp charged`, per full-time week `price x vp charged / 20`. A state
  seat is paid by the grant: `vp charged / 800` årsstudieplatser x the grant year's rate for the
  programme's grant category. Each line is rounded to öre (half up); sums are of rounded lines.
- The agreement in force for an offering is the region's agreement valid on its start date
  (the newest, should two overlap). An offering counts in the grant year of its start date's
  calendar year and of its programme's sector.

A line that cannot be priced (no agreement, no price for the programme, no grant rate, no home
municipality) carries a problem instead of an amount: it is shown on the page and in the exports,
and left out of the sums of money.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Role, User
from accounts.services import audit_record
from admissions.enrolment.models import EnrolmentStatus
from admissions.funding.models import SettlementApproval
from admissions.funding.selectors import EnrolmentRow, SettlementInputs, settlement_inputs
from yrkescenter.grants import PLACE_VP, GrantForecast, GrantLine, grant_forecast, kronor
from yrkescenter.models import (
    Agreement,
    EarlyStopRule,
    GrantYear,
    IntakePeriod,
    Municipality,
    Offering,
    PriceUnit,
    Sector,
)

WEEK_VP = 20
ZERO = Decimal(0)


class Funding(models.TextChoices):
    STATE = "state", gettext_lazy("State-funded seat")
    MUNICIPAL = "municipal", gettext_lazy("Municipal seat")
    OUTSIDE = "outside", gettext_lazy("Outside the agreement")


# Read once: TextChoices.values builds a new list on every access.
FUNDINGS = tuple(Funding.values)


# The unit of a state seat's amount: the grant is paid per årsstudieplats.
PLACE_UNIT = "per_place"
UNIT_LABELS = {
    PriceUnit.PER_VP.value: PriceUnit.PER_VP.label,
    PriceUnit.PER_WEEK.value: PriceUnit.PER_WEEK.label,
    PLACE_UNIT: gettext_lazy("per årsstudieplats (800 vp)"),
}


def _sort_key(name: str) -> str:
    # Swedish alphabetical order: å, ä, ö come after z, in that order.
    return name.lower().replace("å", "z\x01").replace("ä", "z\x02").replace("ö", "z\x03")


@dataclass(frozen=True)
class Place:
    """A municipality as the settlement names it."""

    id: int
    code: str
    name: str
    is_party: bool

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @cached_property
    def sort_key(self) -> tuple[str, str]:
        return (_sort_key(self.name), self.code)

    @classmethod
    def of(cls, municipality: Municipality) -> Place:
        return cls(
            id=municipality.pk,
            code=municipality.code,
            name=municipality.name,
            is_party=municipality.is_party,
        )


@dataclass(frozen=True)
class SettlementLine:
    """One student's line: who pays whom how much, and the figures that make the amount."""

    enrolment_id: int
    period_id: int
    reference: str
    student_name: str  # for the drill-down and exports of roles that may see students
    home: Place | None
    host: Place
    offering_id: int
    offering: str
    programme: str
    centre: str
    programme_vp: int
    status: str
    funding: str
    vp_charged: Decimal  # unrounded: the amount is rounded once, at the end
    days_studied: int | None  # set when charged pro rata
    days_total: int | None
    unit: str  # a PriceUnit value, PLACE_UNIT for a state seat, "" when unpriced
    unit_price: Decimal | None
    amount: Decimal | None  # kronor, rounded to öre; None when the line has a problem
    grant_year_key: tuple[int, str]  # (year, sector) the line counts in
    problem: str = ""
    credited_vp: int = 0  # credited by validation: not studied, not charged

    @property
    def study_vp(self) -> int:
        """The vp the student studies: the programme's, less what was credited."""
        return max(0, self.programme_vp - self.credited_vp)

    @cached_property
    def places(self) -> Decimal:
        """Årsstudieplatser used: vp charged / 800."""
        return self.vp_charged / PLACE_VP

    @property
    def quantity(self) -> Decimal | None:
        """How many units the unit price is multiplied by: vp, weeks or places."""
        if self.unit == PriceUnit.PER_VP:
            return self.vp_charged
        if self.unit == PriceUnit.PER_WEEK:
            return self.vp_charged / WEEK_VP
        if self.unit == PLACE_UNIT:
            return self.places
        return None

    @property
    def payable(self) -> bool:
        """Money the home municipality pays (to the host), as opposed to the grant."""
        return self.funding != Funding.STATE and self.amount is not None

    @property
    def funding_label(self) -> str:
        return str(Funding(self.funding).label)

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, ""))

    @property
    def status_label(self) -> str:
        return str(EnrolmentStatus(self.status).label)

    @property
    def rule(self) -> str:
        """Why this many vp are charged, in a few words."""
        rule = self._charging_rule()
        if self.credited_vp:
            rule += _("; %(credited)s of %(vp)s vp credited by validation") % {
                "credited": self.credited_vp,
                "vp": self.programme_vp,
            }
        return rule

    def _charging_rule(self) -> str:
        vp = self.study_vp
        if self.days_studied is not None:
            if self.days_studied > (self.days_total or 0):
                return _(
                    "pro rata %(days)s/%(total)s days, at most the whole course (%(vp)s vp)"
                ) % {"days": self.days_studied, "total": self.days_total, "vp": vp}
            return _("pro rata %(days)s/%(total)s days of %(vp)s vp") % {
                "days": self.days_studied,
                "total": self.days_total,
                "vp": vp,
            }
        if self.status == EnrolmentStatus.INTERRUPTED:
            return _("stopped early: the whole course, %(vp)s vp") % {"vp": vp}
        if self.status == EnrolmentStatus.COMPLETED:
            return _("completed: the whole course, %(vp)s vp") % {"vp": vp}
        return _("studying: the whole course, %(vp)s vp") % {"vp": vp}


def agreement_in_force(agreements: Iterable[Agreement], on) -> Agreement | None:
    """The newest of `agreements` valid on the date `on` (they come newest first)."""
    for agreement in agreements:
        if agreement.valid_from <= on and (
            agreement.valid_until is None or on <= agreement.valid_until
        ):
            return agreement
    return None


def _vp_charged(
    enrolment: EnrolmentRow, offering: Offering, rule: str | None
) -> tuple[Decimal, int | None, int | None]:
    vp = Decimal(max(0, offering.programme.vp - enrolment.credited_vp))
    if enrolment.status != EnrolmentStatus.INTERRUPTED or rule != EarlyStopRule.PRO_RATA:
        return vp, None, None
    days_total = max(1, (offering.ends_on - offering.starts_on).days)
    days = (enrolment.ended_on - enrolment.started_on).days
    share = min(Decimal(1), Decimal(days) / Decimal(days_total))
    return vp * share, days, days_total


def settlement_lines(inputs: SettlementInputs) -> list[SettlementLine]:
    """Every student's line, of the term and of the other offerings of its grant years, in the
    order the enrolments were loaded (offering, start date, id)."""
    lines = []
    homes: dict[int, Place] = {}
    hosts: dict[int, Place] = {}
    for offering_id, group in itertools.groupby(inputs.enrolments, key=lambda e: e.offering_id):
        offering = inputs.offerings[offering_id]
        programme = offering.programme
        host_municipality = offering.centre.host_municipality
        host = hosts.get(host_municipality.pk) or hosts.setdefault(
            host_municipality.pk, Place.of(host_municipality)
        )
        agreement = agreement_in_force(inputs.agreements, offering.starts_on)
        grant_year_key = (offering.starts_on.year, programme.sector)
        grant_year = inputs.grant_years.get(grant_year_key)
        rate = (
            inputs.rates.get((grant_year.pk, programme.grant_category))
            if grant_year is not None
            else None
        )
        price = inputs.prices.get((agreement.pk, programme.pk)) if agreement is not None else None
        offering_label = str(offering)
        state_seats_left = offering.state_funded_seats
        for enrolment in group:
            home = None
            if enrolment.home_id is not None:
                home = homes.get(enrolment.home_id) or homes.setdefault(
                    enrolment.home_id,
                    Place(
                        id=enrolment.home_id,
                        code=enrolment.home_code,
                        name=enrolment.home_name,
                        is_party=enrolment.home_is_party,
                    ),
                )
            if home is not None and home.is_party and state_seats_left > 0:
                funding = Funding.STATE
                state_seats_left -= 1
            elif home is not None and home.is_party:
                funding = Funding.MUNICIPAL
            else:
                funding = Funding.OUTSIDE
            vp_charged, days, days_total = _vp_charged(
                enrolment, offering, agreement.early_stop_rule if agreement is not None else None
            )
            unit, unit_price, amount, problem = "", None, None, ""
            if home is None:
                problem = _("The student has no home municipality: nobody to charge.")
            elif agreement is None:
                problem = _("No agreement is in force on %(date)s.") % {
                    "date": offering.starts_on.isoformat()
                }
            elif funding == Funding.STATE:
                if rate is None:
                    problem = _(
                        "No grant rate for category %(category)s in the grant year %(year)s "
                        "(%(sector)s)."
                    ) % {
                        "category": programme.grant_category,
                        "year": grant_year_key[0],
                        "sector": Sector(programme.sector).label,
                    }
                else:
                    unit, unit_price = PLACE_UNIT, rate
                    amount = kronor(rate * vp_charged / PLACE_VP)
            elif price is None:
                problem = _("The agreement “%(agreement)s” has no price for %(programme)s.") % {
                    "agreement": agreement.name,
                    "programme": programme.name,
                }
            else:
                unit, unit_price = price.unit, price.amount
                weeks_or_vp = (
                    vp_charged / WEEK_VP if price.unit == PriceUnit.PER_WEEK else vp_charged
                )
                amount = kronor(price.amount * weeks_or_vp)
            lines.append(
                SettlementLine(
                    enrolment_id=enrolment.id,
                    period_id=offering.intake_period_id,
                    reference=enrolment.listed_reference,
                    student_name=enrolment.student_name,
                    home=home,
                    host=host,
                    offering_id=offering.pk,
                    offering=offering_label,
                    programme=programme.name,
                    centre=offering.centre.name,
                    programme_vp=programme.vp,
                    status=enrolment.status,
                    funding=funding,
                    vp_charged=vp_charged,
                    days_studied=days,
                    days_total=days_total,
                    unit=unit,
                    unit_price=unit_price,
                    amount=amount,
                    grant_year_key=grant_year_key,
                    problem=problem,
                    credited_vp=enrolment.credited_vp,
                )
            )
    return lines


# --- sums of lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Sums of some lines, by funding. Amounts leave out lines with a problem; counts and
    places do not."""

    students: int = 0
    problems: int = 0
    state_students: int = 0
    municipal_students: int = 0
    outside_students: int = 0
    state_places: Decimal = ZERO
    municipal_places: Decimal = ZERO
    outside_places: Decimal = ZERO
    state_amount: Decimal = ZERO
    municipal_amount: Decimal = ZERO
    outside_amount: Decimal = ZERO

    @property
    def payable_students(self) -> int:
        return self.municipal_students + self.outside_students

    @property
    def payable_amount(self) -> Decimal:
        """What home municipalities pay: municipal seats and seats outside the agreement."""
        return self.municipal_amount + self.outside_amount

    @property
    def places(self) -> Decimal:
        return self.state_places + self.municipal_places + self.outside_places


def cell_of(lines: Iterable[SettlementLine]) -> Cell:
    students = dict.fromkeys(FUNDINGS, 0)
    places = dict.fromkeys(FUNDINGS, ZERO)
    amounts = dict.fromkeys(FUNDINGS, ZERO)
    problems = 0
    for line in lines:
        students[line.funding] += 1
        places[line.funding] += line.places
        if line.amount is None:
            problems += 1
        else:
            amounts[line.funding] += line.amount
    return Cell(
        students=sum(students.values()),
        problems=problems,
        state_students=students[Funding.STATE],
        municipal_students=students[Funding.MUNICIPAL],
        outside_students=students[Funding.OUTSIDE],
        state_places=places[Funding.STATE],
        municipal_places=places[Funding.MUNICIPAL],
        outside_places=places[Funding.OUTSIDE],
        state_amount=amounts[Funding.STATE],
        municipal_amount=amounts[Funding.MUNICIPAL],
        outside_amount=amounts[Funding.OUTSIDE],
    )


@dataclass(frozen=True)
class MunicipalityFigures:
    """One municipality's part of the term."""

    municipality: Place
    as_payer: Cell  # its residents, wherever they study (its own centres included)
    at_own_centres: Cell  # its residents at its own centres: its own cost, no money moves
    as_host: Cell  # other municipalities' residents at its centres
    # Co-financed places in force in the grant years the term counts in (the whole year's).
    committed_places: Decimal

    @property
    def paid_to_others(self) -> Decimal:
        return self.as_payer.payable_amount - self.at_own_centres.payable_amount

    @property
    def income(self) -> Decimal:
        return self.as_host.payable_amount

    @property
    def net(self) -> Decimal:
        """Income as host less payments to other hosts."""
        return self.income - self.paid_to_others

    @property
    def cofinanced_places_used(self) -> Decimal:
        """Its residents' municipal places: what counts towards its co-financing."""
        return self.as_payer.municipal_places


@dataclass(frozen=True)
class GrantYearFigures:
    """Granted against used places of one grant year the term counts in."""

    year: int
    sector: str
    grant_year: GrantYear | None  # None: no grant year is recorded for it
    term: Cell  # the term's state seats
    year_to_date: Cell  # the state seats of every recorded student of the grant year
    committed_places: Decimal
    forecast: GrantForecast | None

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label) if self.sector in Sector.values else self.sector


@dataclass(frozen=True)
class Settlement:
    period: IntakePeriod
    lines: tuple[SettlementLine, ...]  # the term's lines, by home, host, programme, reference
    homes: tuple[Place, ...]
    hosts: tuple[Place, ...]
    cells: dict[tuple[int, int], Cell]
    row_totals: dict[int, Cell]
    column_totals: dict[int, Cell]
    total: Cell
    municipalities: tuple[MunicipalityFigures, ...]
    grant_years: tuple[GrantYearFigures, ...]

    @property
    def problems(self) -> list[SettlementLine]:
        return [line for line in self.lines if line.problem]

    def lines_between(self, home_id: int, host_id: int) -> list[SettlementLine]:
        return [
            line
            for line in self.lines
            if line.home is not None and line.home.id == home_id and line.host.id == host_id
        ]

    def lines_of(self, municipality_id: int) -> list[SettlementLine]:
        """Lines where the municipality is payer or host."""
        return [
            line
            for line in self.lines
            if line.host.id == municipality_id
            or (line.home is not None and line.home.id == municipality_id)
        ]

    def figures_of(self, municipality_id: int) -> MunicipalityFigures | None:
        for figures in self.municipalities:
            if figures.municipality.id == municipality_id:
                return figures
        return None


def _line_order(line: SettlementLine):
    home = line.home.sort_key if line.home is not None else ("", "")
    return (home, line.host.sort_key, line.programme, line.reference, line.enrolment_id)


def settle(inputs: SettlementInputs) -> Settlement:
    """The term's settlement from its loaded rows: no queries."""
    all_lines = settlement_lines(inputs)
    period = inputs.period
    lines = tuple(sorted((ln for ln in all_lines if ln.period_id == period.pk), key=_line_order))
    matrix_lines = [line for line in lines if line.home is not None]

    places: dict[int, Place] = {}
    by_cell: dict[tuple[int, int], list[SettlementLine]] = defaultdict(list)
    by_home: dict[int, list[SettlementLine]] = defaultdict(list)
    by_host: dict[int, list[SettlementLine]] = defaultdict(list)
    for line in matrix_lines:
        places[line.home.id] = line.home
        places[line.host.id] = line.host
        by_cell[(line.home.id, line.host.id)].append(line)
        by_home[line.home.id].append(line)
        by_host[line.host.id].append(line)
    homes = tuple(sorted((places[i] for i in by_home), key=lambda p: p.sort_key))
    hosts = tuple(sorted((places[i] for i in by_host), key=lambda p: p.sort_key))

    touched_grant_years = [
        inputs.grant_years[key] for key in sorted(inputs.touched) if key in inputs.grant_years
    ]
    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for grant_year in touched_grant_years:
        for municipality_id, committed_places in inputs.commitments.get(grant_year.pk, {}).items():
            committed[municipality_id] += committed_places
    for municipality_id, municipality in inputs.committing.items():
        if municipality_id in committed and municipality_id not in places:
            places[municipality_id] = Place.of(municipality)

    municipalities = tuple(
        MunicipalityFigures(
            municipality=place,
            as_payer=cell_of(by_home.get(place.id, [])),
            at_own_centres=cell_of(by_cell.get((place.id, place.id), [])),
            as_host=cell_of(ln for ln in by_host.get(place.id, []) if ln.home.id != place.id),
            committed_places=committed.get(place.id, ZERO),
        )
        for place in sorted(places.values(), key=lambda p: p.sort_key)
    )

    return Settlement(
        period=period,
        lines=lines,
        homes=homes,
        hosts=hosts,
        cells={key: cell_of(group) for key, group in by_cell.items()},
        row_totals={key: cell_of(group) for key, group in by_home.items()},
        column_totals={key: cell_of(group) for key, group in by_host.items()},
        total=cell_of(lines),
        municipalities=municipalities,
        grant_years=_grant_year_figures(inputs, all_lines, lines),
    )


def _grant_year_figures(
    inputs: SettlementInputs, all_lines: list[SettlementLine], term_lines: tuple
) -> tuple[GrantYearFigures, ...]:
    figures = []
    for key in sorted(inputs.touched):
        year, sector = key
        grant_year = inputs.grant_years.get(key)
        year_lines = [
            ln for ln in all_lines if ln.funding == Funding.STATE and ln.grant_year_key == key
        ]
        term_state = [
            ln for ln in term_lines if ln.funding == Funding.STATE and ln.grant_year_key == key
        ]
        committed = (
            sum(inputs.commitments.get(grant_year.pk, {}).values(), ZERO)
            if grant_year is not None
            else ZERO
        )
        forecast = None
        if grant_year is not None:
            forecast = grant_forecast(
                granted_places=grant_year.granted_places,
                granted_amount=grant_year.granted_amount,
                cofinancing_municipal=grant_year.cofinancing_municipal,
                cofinancing_state=grant_year.cofinancing_state,
                committed_places=committed,
                lines=[
                    GrantLine(places=ln.places, rate=ln.unit_price)
                    for ln in year_lines
                    if ln.amount is not None
                ],
            )
        figures.append(
            GrantYearFigures(
                year=year,
                sector=sector,
                grant_year=grant_year,
                term=cell_of(term_state),
                year_to_date=cell_of(year_lines),
                committed_places=committed,
                forecast=forecast,
            )
        )
    return tuple(figures)


@dataclass(frozen=True)
class Usage:
    """State-funded seats of one grant year: students holding one and places they use."""

    students: int
    places: Decimal  # årsstudieplatser, unrounded


def grant_year_usage(inputs: SettlementInputs) -> dict[tuple[int, str], Usage]:
    """(year, sector) -> the state-funded seats used by the students of the loaded offerings,
    counted by the settlement's own lines: seats taken in start order by residents of party
    municipalities only, pro rata for an early stop where the agreement in force says so,
    credited courses subtracted. Load whole grant years (or some of their offerings) with
    settlement_selectors.grant_year_inputs.

    Every state-funded line counts, also one with a problem (no grant rate, no agreement): its
    places are used whether or not they can be priced. That is how the settlement sums a grant
    year's `year_to_date` (cell_of counts the places of every line), so with the whole years
    loaded these figures equal its `year_to_date.state_students` and `.state_places`. Grant
    years without a state-funded student are absent."""
    by_year: dict[tuple[int, str], list[SettlementLine]] = defaultdict(list)
    for line in settlement_lines(inputs):
        if line.funding == Funding.STATE:
            by_year[line.grant_year_key].append(line)
    usage = {}
    for key, lines in by_year.items():
        cell = cell_of(lines)
        usage[key] = Usage(students=cell.state_students, places=cell.state_places)
    return usage


def settlement_of(period: IntakePeriod) -> Settlement:
    """Load and compute a term's settlement: a fixed number of queries."""
    return settle(settlement_inputs(period))


# --- who sees what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a membership sees of a settlement. Region admins: everything. Rectors: their
    municipality's row and column of the matrix in full, its students, and the region's totals.
    Council members: the region's totals and the grant years only, never a student."""

    everything: bool = False
    municipality_id: int | None = None

    @property
    def totals_only(self) -> bool:
        return not self.everything and self.municipality_id is None

    @property
    def sees_students(self) -> bool:
        return not self.totals_only

    def sees_cell(self, home_id: int, host_id: int) -> bool:
        return self.everything or (
            self.municipality_id is not None and self.municipality_id in (home_id, host_id)
        )

    def sees_municipality(self, municipality_id: int) -> bool:
        return self.everything or municipality_id == self.municipality_id

    def sees_line(self, line: SettlementLine) -> bool:
        if self.everything:
            return True
        if self.municipality_id is None:
            return False
        return line.host.id == self.municipality_id or (
            line.home is not None and line.home.id == self.municipality_id
        )


# Council members see aggregates with counts under five suppressed (DESIGN.md, rule 6).
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"


def shown_count(value: int, *, scope: Scope) -> str:
    if scope.totals_only and 0 < value < SUPPRESS_BELOW:
        return SUPPRESSED
    return str(value)


def scope_for(membership: Membership | None) -> Scope:
    if membership is not None and membership.role == Role.REGION_ADMIN:
        return Scope(everything=True)
    if membership is not None and membership.role == Role.RECTOR:
        return Scope(municipality_id=membership.scope_municipality_id)
    return Scope()


@dataclass(frozen=True)
class MatrixRow:
    home: Place
    # (host, its cell), or (host, None) for a cell this scope does not show.
    cells: tuple[tuple[Place, Cell | None], ...]
    total: Cell | None


@dataclass(frozen=True)
class Matrix:
    hosts: tuple[Place, ...]
    rows: tuple[MatrixRow, ...]
    column_totals: tuple[Cell | None, ...]
    total: Cell
    # The cells this scope does not show, together (None when it shows them all).
    hidden: Cell | None = None


def matrix_for(settlement: Settlement, scope: Scope) -> Matrix | None:
    """The matrix as `scope` may see it: None for totals only. For a rector, the rows and
    columns that hold a cell of their municipality; the other cells (and those rows' and
    columns' totals) are summed into one hidden figure."""
    if scope.totals_only:
        return None
    homes = [
        home
        for home in settlement.homes
        if any(scope.sees_cell(home.id, host.id) for host in settlement.hosts)
    ]
    hosts = tuple(
        host
        for host in settlement.hosts
        if any(scope.sees_cell(home.id, host.id) for home in settlement.homes)
    )
    rows = []
    for home in homes:
        cells = tuple(
            (
                host,
                settlement.cells.get((home.id, host.id), Cell())
                if scope.sees_cell(home.id, host.id)
                else None,
            )
            for host in hosts
        )
        total = settlement.row_totals[home.id] if scope.sees_municipality(home.id) else None
        rows.append(MatrixRow(home=home, cells=cells, total=total))
    column_totals = tuple(
        settlement.column_totals[host.id] if scope.sees_municipality(host.id) else None
        for host in hosts
    )
    hidden = None
    if not scope.everything:
        hidden = cell_of(
            ln for ln in settlement.lines if ln.home is not None and not scope.sees_line(ln)
        )
    return Matrix(
        hosts=hosts,
        rows=tuple(rows),
        column_totals=column_totals,
        total=settlement.total,
        hidden=hidden,
    )


def visible_lines(settlement: Settlement, scope: Scope) -> list[SettlementLine]:
    return [line for line in settlement.lines if scope.sees_line(line)]


def visible_municipalities(settlement: Settlement, scope: Scope) -> list[MunicipalityFigures]:
    return [
        figures
        for figures in settlement.municipalities
        if scope.sees_municipality(figures.municipality.id)
    ]


def settlement_students_view_log(
    *, acting_user: User, membership: Membership, period: IntakePeriod, municipalities: list[str]
) -> None:
    """Who saw which students of a settlement: one entry each time a drill-down is opened."""
    audit_record(
        acting_user=acting_user,
        region=period.region,
        role=membership.role,
        action="settlement.view",
        target=period,
        data={"municipalities": municipalities},
    )


# --- the settlement as approved (fastställd) ------------------------------------------------


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def line_record(line: SettlementLine) -> dict:
    """One line as an approval keeps it: plain JSON values that are equal exactly when the
    figures are (Decimals as their exact strings), so records can be stored, hashed and
    compared. The reference identifies the student to those allowed to look it up: no
    personnummer and no name of a person is kept.

    `problem` is translated text, so a record with a problem depends on the language; a term
    with a problem cannot be approved, so an approval's records all have it empty."""
    home = line.home
    return {
        "enrolment_id": line.enrolment_id,
        "reference": line.reference,
        "home_id": home.id if home is not None else None,
        "home_code": home.code if home is not None else None,
        "home_name": home.name if home is not None else None,
        "host_id": line.host.id,
        "host_code": line.host.code,
        "host_name": line.host.name,
        "funding": line.funding,
        "status": line.status,
        "vp_charged": str(line.vp_charged),
        "unit": line.unit,
        "unit_price": _exact(line.unit_price),
        "amount": _exact(line.amount),
        "problem": line.problem,
    }


def settlement_records(settlement: Settlement) -> list[dict]:
    """The records of the term's lines, in order of enrolment id: what an approval keeps."""
    return sorted((line_record(line) for line in settlement.lines), key=lambda r: r["enrolment_id"])


def settlement_digest(settlement: Settlement) -> str:
    """A fingerprint of the term's lines: the same exactly when every line's figures are. The
    page carries it to the approval, so what is approved is what was on screen."""
    payload = json.dumps(settlement_records(settlement), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class RecordedLine:
    """An approved line read back from its record, with what the sums (cell_of) and the
    scopes (Scope.sees_line) read of a SettlementLine."""

    enrolment_id: int
    reference: str
    home: Place | None
    host: Place
    funding: str
    amount: Decimal | None
    places: Decimal


def _recorded_place(places: dict[int, Place], pk: int, code: str, name: str) -> Place:
    # Whether a municipality was a party is not recorded (a line's funding already says it),
    # and the approved matrix does not show it.
    return places.get(pk) or places.setdefault(
        pk, Place(id=pk, code=code, name=name, is_party=True)
    )


def approved_settlement(period: IntakePeriod, records: Iterable[dict]) -> Settlement:
    """The sums of an approval's records as a Settlement, so that matrix_for scopes the
    approved matrix exactly like the live one. It has the matrix and the totals only: the
    municipalities' co-financing and the grant years need rows an approval does not keep."""
    places: dict[int, Place] = {}
    lines = []
    for record in records:
        home = None
        if record["home_id"] is not None:
            home = _recorded_place(
                places, record["home_id"], record["home_code"], record["home_name"]
            )
        lines.append(
            RecordedLine(
                enrolment_id=record["enrolment_id"],
                reference=record["reference"],
                home=home,
                host=_recorded_place(
                    places, record["host_id"], record["host_code"], record["host_name"]
                ),
                funding=record["funding"],
                amount=Decimal(record["amount"]) if record["amount"] is not None else None,
                places=Decimal(record["vp_charged"]) / PLACE_VP,
            )
        )
    by_cell: dict[tuple[int, int], list[RecordedLine]] = defaultdict(list)
    by_home: dict[int, list[RecordedLine]] = defaultdict(list)
    by_host: dict[int, list[RecordedLine]] = defaultdict(list)
    for line in lines:
        if line.home is None:
            continue
        by_cell[(line.home.id, line.host.id)].append(line)
        by_home[line.home.id].append(line)
        by_host[line.host.id].append(line)
    return Settlement(
        period=period,
        lines=tuple(lines),
        homes=tuple(sorted((places[i] for i in by_home), key=lambda p: p.sort_key)),
        hosts=tuple(sorted((places[i] for i in by_host), key=lambda p: p.sort_key)),
        cells={key: cell_of(group) for key, group in by_cell.items()},
        row_totals={key: cell_of(group) for key, group in by_home.items()},
        column_totals={key: cell_of(group) for key, group in by_host.items()},
        total=cell_of(lines),
        municipalities=(),
        grant_years=(),
    )


@dataclass(frozen=True)
class Changes:
    """How the live settlement differs from an approved version, student by student."""

    added: tuple[SettlementLine, ...]  # lines the approval did not have
    removed: tuple[dict, ...]  # records of the approval no longer in the settlement
    changed: tuple[tuple[dict, SettlementLine], ...]  # (the record then, the line now)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


def approval_changes(approval: SettlementApproval, settlement: Settlement) -> Changes:
    """Compare an approval's records with the live lines by enrolment id: no queries."""
    then = {record["enrolment_id"]: record for record in approval.lines}
    now = {line.enrolment_id: line for line in settlement.lines}
    return Changes(
        added=tuple(line for pk, line in now.items() if pk not in then),
        removed=tuple(record for pk, record in then.items() if pk not in now),
        changed=tuple(
            (then[pk], line)
            for pk, line in now.items()
            if pk in then and line_record(line) != then[pk]
        ),
    )
