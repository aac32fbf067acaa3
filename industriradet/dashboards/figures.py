"""The figures of the council's dashboards, computed by the database and suppressed.

Every count is a grouped aggregate (values().annotate(Count/Sum)) over the rows the filters
select: a fixed number of queries per table, however many applications there are; Python only
arranges the grouped rows into tables. Every count of persons then goes through
industriradet.suppression (a table with its totals through `suppress_table`), and every figure
derived from such a count (a ratio, a share, places used) is hidden with it. Needs stated by
companies, seats and APL places are not counts of persons and are shown as they are.

Persons are counted as applications (one per person and intake period): "applicants" are
distinct applications, "admitted" those that accepted an offered seat, "in training" those with
an enrolment still running, "completed" those with a completed enrolment, "employed" those
whose follow-up says employed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractYear, TruncMonth, TruncWeek
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.applications.models import EligibilityDecision, RecruitmentChannel
from admissions.enrolment.models import EnrolmentStatus
from admissions.funding.selectors import grant_year_inputs
from admissions.funding.settlement import Usage, grant_year_usage
from admissions.rounds.models import OfferAnswerKind
from industriradet.dashboards.filters import Filters
from industriradet.dashboards.tables import Chart, Column, Dashboard, Row, Table
from industriradet.models import OutcomeStatus
from industriradet.selectors.apl import apl_balance
from industriradet.suppression import (
    Cell,
    shown,
    suppress_counts,
    suppress_derived,
    suppress_ratio,
    suppress_table,
)
from yrkescenter.grants import PLACE_VP
from yrkescenter.models import GrantYear, Municipality, Programme, Sector

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ACCEPTED = OfferAnswerKind.ACCEPTED
EMPLOYED = OutcomeStatus.EMPLOYED


def _grouped(queryset: QuerySet, *keys: str, **aggregates) -> dict:
    """{key (or tuple of keys): {aggregate: value}} in one grouped query. The model's default
    ordering is cleared: it would otherwise join the GROUP BY and split the groups."""
    rows = queryset.order_by().values(*keys).annotate(**aggregates)
    if len(keys) == 1:
        return {row[keys[0]]: row for row in rows}
    return {tuple(row[key] for key in keys): row for row in rows}


def _distinct_applications(field: str = "application", **extra) -> Count:
    return Count(field, distinct=True, **extra)


def _count(groups: dict, key, name: str = "n") -> int:
    row = groups.get(key)
    return int(row[name] or 0) if row else 0


def _counts_and_total(rows: list[list[int]]):
    """Column-wise suppression of stage columns (not parts of a whole: no row totals)."""
    return suppress_table(rows, row_totals=False, column_totals=True)


# --- a. demand against supply ------------------------------------------------------------


def _supply_columns() -> tuple[Column, ...]:
    return (
        Column("needs", _("Needs stated"), chart=True),
        Column("applicants", _("Applicants"), chart=True),
        Column("admitted", _("Admitted")),
        Column("in_training", _("In training"), chart=True),
        Column("completed", _("Completed")),
        Column("employed", _("Employed"), chart=True),
    )


def _supply_table(
    *,
    key: str,
    title: str,
    caption: str,
    row_header: str,
    detail_header: str,
    labels: list[tuple[object, str, str]],
    needs: dict,
    stages: list[dict],
    notes: tuple[str, ...],
) -> Table:
    """Rows (key, label, detail); `needs` key -> stated count; `stages` five dicts key -> count
    (applicants, admitted, in training, completed, employed)."""
    counts = [[stage.get(key, 0) for stage in stages] for key, _label, _detail in labels]
    suppressed = _counts_and_total(counts)
    rows = tuple(
        Row(label=label, detail=detail, values=(needs.get(key, 0), *cells))
        for (key, label, detail), cells in zip(labels, suppressed.cells, strict=True)
    )
    total = Row(
        label=_("Total"),
        values=(sum(needs.get(key, 0) for key, _l, _d in labels), *suppressed.column_totals),
    )
    return Table(
        key=key,
        title=title,
        caption=caption,
        row_header=row_header,
        detail_header=detail_header,
        columns=_supply_columns(),
        rows=rows,
        total=total,
        notes=notes,
        chart=Chart(horizontal=True),
    )


def demand_by_occupation(f: Filters) -> Table:
    by = "offering__programme__ssyk_code"
    needs = {k: v["n"] for k, v in _grouped(f.needs(), "ssyk_code", n=Sum("count")).items()}
    applicants = _grouped(f.choices(), by, n=_distinct_applications())
    admitted = _grouped(
        f.offers().filter(answer__kind=ACCEPTED),
        f"choice__{by}",
        n=_distinct_applications(),
    )
    enrolled = _grouped(
        f.enrolments(),
        by,
        training=_distinct_applications(filter=Q(status=EnrolmentStatus.STARTED)),
        completed=_distinct_applications(filter=Q(status=EnrolmentStatus.COMPLETED)),
    )
    employed = _grouped(f.outcomes().filter(status=EMPLOYED), "ssyk_code", n=Count("pk"))

    codes = sorted({c for c in (*needs, *applicants, *admitted, *enrolled, *employed) if c})
    names: dict[str, str] = {}
    for code, occupation in (
        Programme.objects.for_region(f.region)
        .filter(ssyk_code__in=codes)
        .order_by("ssyk_code", "occupation")
        .values_list("ssyk_code", "occupation")
    ):
        names.setdefault(code, occupation)
    labels = [
        (code, names.get(code) or _("SSYK %(code)s") % {"code": code}, code) for code in codes
    ]
    stages = [
        {k: _count(applicants, k) for k in codes},
        {k: _count(admitted, k) for k in codes},
        {k: _count(enrolled, k, "training") for k in codes},
        {k: _count(enrolled, k, "completed") for k in codes},
        {k: _count(employed, k) for k in codes},
    ]
    return _supply_table(
        key="demand-occupation",
        title=_("Demand and supply per occupation"),
        caption=_(
            "Needs stated by companies in the survey against applicants, admitted, students "
            "in training, completed and employed, per occupation (SSYK 2012)"
        ),
        row_header=_("Occupation"),
        detail_header=_("SSYK code"),
        labels=labels,
        needs=needs,
        stages=stages,
        notes=(
            _(
                "Applicants to completed: by the occupation the programme leads to. Employed: "
                "by the occupation of the job at the follow-up."
            ),
        ),
    )


def demand_by_municipality(f: Filters) -> Table:
    home = "application__home_municipality"
    needs = {k: v["n"] for k, v in _grouped(f.needs(), "municipality", n=Sum("count")).items()}
    applicants = _grouped(f.applications(), "home_municipality", n=Count("pk"))
    admitted = _grouped(f.offers().filter(answer__kind=ACCEPTED), home, n=_distinct_applications())
    enrolled = _grouped(
        f.enrolments(),
        home,
        training=_distinct_applications(filter=Q(status=EnrolmentStatus.STARTED)),
        completed=_distinct_applications(filter=Q(status=EnrolmentStatus.COMPLETED)),
    )
    employed = _grouped(
        f.outcomes().filter(status=EMPLOYED), "employer_municipality", n=Count("pk")
    )
    municipalities = Municipality.objects.for_region(f.region).order_by("name", "code")
    if f.municipality is not None:
        municipalities = municipalities.filter(pk=f.municipality.pk)
    labels: list[tuple[object, str, str]] = [(m.pk, m.name, m.code) for m in municipalities]
    keys = [k for k, _l, _d in labels]
    stages = [
        {k: _count(applicants, k) for k in [*keys, None]},
        {k: _count(admitted, k) for k in [*keys, None]},
        {k: _count(enrolled, k, "training") for k in [*keys, None]},
        {k: _count(enrolled, k, "completed") for k in [*keys, None]},
        {k: _count(employed, k) for k in [*keys, None]},
    ]
    # Applicants without a home municipality, jobs without an employer's municipality.
    if needs.get(None) or any(stage[None] for stage in stages):
        labels.append((None, _("Not stated"), ""))
    return _supply_table(
        key="demand-municipality",
        title=_("Demand and supply per municipality"),
        caption=_(
            "Needs stated by companies in the survey, per municipality of the workplace, "
            "against applicants, admitted, in training and completed per home municipality and "
            "employed per municipality of the employer"
        ),
        row_header=_("Municipality"),
        detail_header=_("Municipality code"),
        labels=labels,
        needs=needs,
        stages=stages,
        notes=(
            _(
                "Applicants to completed: by the applicant's home municipality. Employed: by "
                "the employer's municipality. Needs: by the municipality of the workplace."
            ),
        ),
    )


# --- b. applicants per seat -----------------------------------------------------------------


def applicants_per_seat(f: Filters) -> Table:
    offerings = list(
        f.offerings()
        .select_related("programme", "centre", "intake_period")
        .order_by("programme__name", "centre__name", "-starts_on", "pk")
    )
    by_offering = _grouped(
        f.choices(), "offering", applicants=Count("pk"), first=Count("pk", filter=Q(rank=1))
    )
    counts = [
        [_count(by_offering, o.pk, "applicants"), _count(by_offering, o.pk, "first")]
        for o in offerings
    ]
    suppressed = _counts_and_total(counts)
    rows = []
    for offering, (applicants, first) in zip(offerings, suppressed.cells, strict=True):
        detail = offering.centre.name
        if f.period is None:
            detail = f"{detail} · {offering.intake_period.name}"
        rows.append(
            Row(
                label=offering.programme.name,
                detail=detail,
                values=(
                    offering.seats,
                    applicants,
                    first,
                    suppress_ratio(applicants, offering.seats, digits=1),
                ),
            )
        )
    seats = sum(o.seats for o in offerings)
    total_applicants, total_first = suppressed.column_totals or (Cell(0), Cell(0))
    return Table(
        key="seats",
        title=_("Applicants per seat per programme and centre"),
        caption=_(
            "Seats, applicants (a choice at any rank), first-choice applicants and applicants "
            "per seat of each offering"
        ),
        row_header=_("Programme"),
        detail_header=_("Centre") if f.period else _("Centre and period"),
        columns=(
            Column("seats", _("Seats")),
            Column("applicants", _("Applicants")),
            Column("first_choice", _("First-choice applicants")),
            Column("per_seat", _("Applicants per seat"), chart=True),
        ),
        rows=tuple(rows),
        total=Row(
            label=_("Total"),
            values=(
                seats,
                total_applicants,
                total_first,
                suppress_ratio(total_applicants, seats, digits=1),
            ),
        ),
        notes=(
            _(
                "An applicant with choices of several offerings counts once at each of them, "
                "so the total of applicants is a total of choices."
            ),
        ),
        chart=Chart(horizontal=True),
    )


# --- c. applications over time ----------------------------------------------------------------


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def applications_over_time(f: Filters) -> Table:
    """Submitted applications per week of the chosen period (per month over every period), up
    to the last application deadline of the offerings chosen and after it."""
    weekly = f.period is not None
    trunc = (TruncWeek if weekly else TruncMonth)("submitted_at", tzinfo=STOCKHOLM)
    grouped = {
        row["bucket"].date() if isinstance(row["bucket"], dt.datetime) else row["bucket"]: row["n"]
        for row in f.applications()
        .filter(submitted_at__isnull=False)
        .annotate(bucket=trunc)
        .order_by()
        .values("bucket")
        .annotate(n=Count("pk"))
    }
    deadline_at = f.offerings().aggregate(last=Max("application_closes"))["last"]
    deadline = deadline_at.astimezone(STOCKHOLM).date() if deadline_at else None
    buckets: list[dt.date] = []
    if grouped:
        day, last = min(grouped), max(grouped)
        if weekly and deadline:
            # Up to the deadline, also when the last weeks bring nothing.
            last = max(last, _week_start(deadline))
        while day <= last:
            buckets.append(day)
            day = day + dt.timedelta(days=7) if weekly else _next_month(day)
    cells, total = suppress_counts([grouped.get(day, 0) for day in buckets])
    rows = []
    for day, cell in zip(buckets, cells, strict=True):
        if weekly:
            year, week, _weekday = day.isocalendar()
            label = _("Week %(week)d, %(year)d") % {"week": week, "year": year}
            detail = formats.date_format(day, "SHORT_DATE_FORMAT")
        else:
            label = formats.date_format(day, "YEAR_MONTH_FORMAT")
            detail = ""
        if deadline and day > deadline:
            detail = f"{detail} · {_('after the deadline')}" if detail else _("after the deadline")
        rows.append(Row(label=label, detail=detail, values=(cell,)))
    notes = []
    if deadline:
        notes.append(
            _("Last day to apply: %(date)s.")
            % {"date": formats.date_format(deadline, "SHORT_DATE_FORMAT")}
        )
    return Table(
        key="timeline",
        title=_("Applications over time"),
        caption=_("Applications submitted per week")
        if weekly
        else _("Applications submitted per month"),
        row_header=_("Week") if weekly else _("Month"),
        detail_header=_("Week starts") if weekly else "",
        columns=(Column("submitted", _("Submitted applications"), chart=True),),
        rows=tuple(rows),
        total=Row(label=_("Total"), values=(total,)),
        notes=tuple(notes),
        chart=Chart(),
    )


# --- d. from application to job ---------------------------------------------------------------


FUNNEL_STAGES = (
    ("submitted", gettext_lazy("Submitted")),
    ("eligible", gettext_lazy("Eligible")),
    ("offered", gettext_lazy("Offered a seat")),
    ("accepted", gettext_lazy("Accepted")),
    ("started", gettext_lazy("Started")),
    ("completed", gettext_lazy("Completed")),
    ("employed", gettext_lazy("Employed")),
)


def funnel_counts(f: Filters) -> dict[str, int]:
    """Distinct applications at each stage; one query per stage."""
    # A choice is eligible when its current (latest) decision is. Counting applications, it
    # is enough to find an eligible decision that no later "not eligible" decision of the same
    # choice overrides: a later eligible one is found itself. decided_at is set when the row is
    # written, so later means a higher id, and the database needs one anti-join against the
    # (few) "not eligible" decisions instead of a subquery per choice.
    overridden = EligibilityDecision.objects.filter(
        choice=OuterRef("choice"), id__gt=OuterRef("id"), eligible=False
    )
    eligible = EligibilityDecision.objects.filter(
        f.decided_choice_q("choice__"), eligible=True
    ).filter(~Exists(overridden))
    enrolments = f.enrolments()

    def distinct(queryset, field="application"):
        return queryset.aggregate(n=Count(field, distinct=True))["n"] or 0

    return {
        "submitted": f.applications().count(),
        "eligible": distinct(eligible, "choice__application"),
        "offered": distinct(f.offers()),
        "accepted": distinct(f.offers().filter(answer__kind=ACCEPTED)),
        "started": distinct(enrolments),
        "completed": distinct(enrolments.filter(status=EnrolmentStatus.COMPLETED)),
        "employed": distinct(f.outcomes().filter(status=EMPLOYED), "enrolment__application"),
    }


def funnel(f: Filters) -> Table:
    counts = funnel_counts(f)
    # The stages are not parts of a whole (each is within the one before), so there is no
    # total to protect against: each count is suppressed on its own.
    cells = {key: shown(value) for key, value in counts.items()}
    submitted = cells["submitted"]
    rows = tuple(
        Row(
            label=str(label),
            values=(cells[key], suppress_ratio(cells[key], submitted, scale=100, digits=0)),
        )
        for key, label in FUNNEL_STAGES
    )
    return Table(
        key="funnel",
        title=_("From application to job"),
        caption=_("Applications at each stage from submission to employment"),
        row_header=_("Stage"),
        columns=(
            Column("applications", _("Applications"), chart=True),
            Column("share", _("Share of submitted (%)")),
        ),
        rows=rows,
        notes=(
            _(
                "Eligible: eligible for at least one choice. Started, completed: at least one "
                "enrolment. Employed: employed at the follow-up about six months after."
            ),
        ),
        chart=Chart(horizontal=True),
    )


# --- e. recruitment channels -----------------------------------------------------------------


def recruitment_channels(f: Filters) -> Table:
    channel = "recruitment_channel"
    applicants = _grouped(f.applications(), channel, n=Count("pk"))
    enrolled = _grouped(
        f.enrolments(),
        f"application__{channel}",
        started=_distinct_applications(),
        completed=_distinct_applications(filter=Q(status=EnrolmentStatus.COMPLETED)),
    )
    employed = _grouped(
        f.outcomes().filter(status=EMPLOYED),
        f"enrolment__application__{channel}",
        n=_distinct_applications("enrolment__application"),
    )
    channels = [(value, str(label)) for value, label in RecruitmentChannel.choices]
    if any(_count(group, "") for group in (applicants, employed)) or _count(
        enrolled, "", "started"
    ):
        channels.append(("", _("Not stated")))
    counts = [
        [
            _count(applicants, value),
            _count(enrolled, value, "started"),
            _count(enrolled, value, "completed"),
            _count(employed, value),
        ]
        for value, _label in channels
    ]
    suppressed = _counts_and_total(counts)

    def values(cells):
        applied, started, completed, employed_ = cells
        return (
            applied,
            started,
            completed,
            employed_,
            suppress_ratio(completed, started, scale=100, digits=0),
            suppress_ratio(employed_, applied, scale=100, digits=0),
        )

    rows = tuple(
        Row(label=label, values=values(cells))
        for (_value, label), cells in zip(channels, suppressed.cells, strict=True)
    )
    return Table(
        key="channels",
        title=_("Recruitment channels"),
        caption=_(
            "Applicants, started, completed and employed per recruitment channel (how the "
            "applicant heard about the education)"
        ),
        row_header=_("Channel"),
        columns=(
            Column("applicants", _("Applicants"), chart=True),
            Column("started", _("Started"), chart=True),
            Column("completed", _("Completed"), chart=True),
            Column("employed", _("Employed"), chart=True),
            Column("completed_share", _("Completed of started (%)")),
            Column("employed_share", _("Employed of applicants (%)")),
        ),
        rows=rows,
        total=Row(label=_("Total"), values=values(suppressed.column_totals)),
        chart=Chart(horizontal=True),
    )


# --- f. grant places --------------------------------------------------------------------------


def grant_places(f: Filters) -> Table:
    """Per grant year (calendar year of the start, sector): places granted, state-funded places
    planned in the offerings chosen, and the state-funded seats their students use.

    Used seats are the cost settlement's own lines
    (admissions.funding.settlement.grant_year_usage), not a count of this table's own, so the
    two pages agree for the same offerings: students take an offering's state-funded seats in
    start order, a resident of a municipality outside the agreement never takes one, a student
    who stopped early uses the share the agreement's rule charges (pro rata or the whole
    course), and courses credited by validation are not used.
    Over every period with no centre or programme chosen, the figures are the settlement's
    grant-year `year_to_date`."""
    per_offering = list(
        f.offerings()
        .annotate(
            year=ExtractYear("starts_on"),
            sector=F("programme__sector"),
            vp=F("programme__vp"),
        )
        .order_by()
        .values("year", "sector", "vp", "state_funded_seats")
    )
    # Offerings, not applications: a few hundred rows a year at most.
    planned_vp: dict[tuple, int] = defaultdict(int)
    for row in per_offering:
        planned_vp[(row["year"], row["sector"])] += row["state_funded_seats"] * row["vp"]
    years = {row["year"] for row in per_offering}
    # The settlement's inputs of the chosen offerings only, and of those with a state-funded
    # seat (no other has a state-funded student): each offering's lines depend on its own
    # students alone, so the page need not load every student of the year.
    with_state_seats = f.offerings().filter(state_funded_seats__gt=0)
    usage = (
        grant_year_usage(grant_year_inputs(f.region, years, offerings=with_state_seats))
        if years
        else {}
    )
    nobody = Usage(students=0, places=Decimal(0))
    grant_years = {(g.year, g.sector): g for g in GrantYear.objects.for_region(f.region)}
    keys = set(planned_vp)
    if f.period is None and not f.narrows_offerings:
        keys |= set(grant_years)
    keys = sorted(keys, key=lambda k: (-k[0], k[1]))
    suppressed = _counts_and_total([[usage.get(k, nobody).students] for k in keys])

    def places(value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.01"))

    def planned(vp: int) -> Decimal:
        return places(Decimal(vp) / PLACE_VP)

    rows = []
    for key, (students,) in zip(keys, suppressed.cells, strict=True):
        grant_year = grant_years.get(key)
        granted = grant_year.granted_places if grant_year else None
        used = places(usage.get(key, nobody).places)
        rows.append(
            Row(
                label=f"{key[0]} · {_sector_label(key[1])}",
                detail="" if grant_year else _("no grant year recorded"),
                values=(
                    granted,
                    planned(planned_vp[key]),
                    students,
                    suppress_derived(used, students, digits=2),
                    suppress_derived(used / granted * 100 if granted else None, students, digits=0),
                ),
            )
        )
    (total_students,) = suppressed.column_totals or (Cell(0),)
    granted_total = sum((r.values[0] or Decimal(0) for r in rows), Decimal(0))
    used_total = places(sum((usage.get(k, nobody).places for k in keys), Decimal(0)))
    notes = [
        _(
            "Places in årsstudieplatser (800 vp). Students in state-funded seats and places "
            "used follow the cost settlement: students take an offering's state-funded seats "
            "first; residents of municipalities outside the agreement never take one; a "
            "student who stopped early uses the share the agreement charges (pro rata to the "
            "days studied, or the whole course); courses credited by validation are subtracted."
        )
    ]
    if f.period is not None or f.narrows_offerings:
        notes.append(
            _(
                "Planned and used: the offerings chosen by the filters. Granted: the whole "
                "grant year. The home municipality filter does not apply to this table."
            )
        )
    return Table(
        key="grants",
        title=_("Grant places used against granted"),
        caption=_(
            "State-funded places (årsstudieplatser) granted, planned and used per grant year"
        ),
        row_header=_("Grant year"),
        detail_header=_("Note"),
        columns=(
            Column("granted", _("Granted places"), chart=True),
            Column("planned", _("Planned state-funded places"), chart=True),
            Column("students", _("Students in state-funded seats")),
            Column("used", _("State-funded places used"), chart=True),
            Column("used_share", _("Used of granted (%)")),
        ),
        rows=tuple(rows),
        total=Row(
            label=_("Total"),
            values=(
                granted_total,
                planned(sum(planned_vp[k] for k in keys)),
                total_students,
                suppress_derived(used_total, total_students, digits=2),
                suppress_derived(
                    used_total / granted_total * 100 if granted_total else None,
                    total_students,
                    digits=0,
                ),
            ),
        ),
        notes=tuple(notes),
        chart=Chart(),
    )


def _sector_label(sector: str) -> str:
    return str(Sector(sector).label) if sector in Sector.values else sector


# --- g. APL places against admitted students -----------------------------------------------------


def apl_risk(f: Filters) -> Table:
    """Per programme and term, from industriradet.selectors.apl.apl_balance (admitted: studying
    or holding an accepted seat not yet started)."""
    balance = apl_balance(f.region, intake_period=f.period, programme=f.programme, centre=f.centre)
    suppressed = _counts_and_total([[r.admitted, r.booked] for r in balance])
    rows = []
    for row, (admitted, booked) in zip(balance, suppressed.cells, strict=True):
        rows.append(
            Row(
                label=row.programme_name,
                detail=row.intake_period_name,
                values=(
                    row.places,
                    admitted,
                    booked,
                    suppress_derived(row.shortfall, admitted, digits=0),
                    _risk(admitted, row.places),
                ),
            )
        )
    total_admitted, total_booked = suppressed.column_totals or (Cell(0), Cell(0))
    total_places = sum(r.places for r in balance)
    notes = [
        _(
            "At risk: more admitted students (studying, or holding an accepted seat not yet "
            "started) than APL places offered for the programme and term. Where the number "
            "admitted is hidden, so is the comparison, unless fewer than five students cannot "
            "outnumber the places."
        )
    ]
    if f.centre is not None:
        notes.append(
            _(
                "An APL place is offered for a programme, not a centre: with a centre chosen, "
                "its students are compared with every place offered for its programmes."
            )
        )
    if f.municipality is not None:
        notes.append(_("The home municipality filter does not apply to this table."))
    return Table(
        key="apl",
        title=_("APL places against admitted students"),
        caption=_(
            "APL places offered by companies, students admitted and places booked per "
            "programme and term; programmes with more students than places are at risk"
        ),
        row_header=_("Programme"),
        detail_header=_("Term"),
        columns=(
            Column("places", _("APL places offered"), chart=True),
            Column("admitted", _("Admitted students"), chart=True),
            Column("booked", _("Places booked")),
            Column("short", _("Places short")),
            Column("risk", _("At risk")),
        ),
        rows=tuple(rows),
        total=Row(
            label=_("Total"),
            values=(total_places, total_admitted, total_booked, "", ""),
        ),
        notes=tuple(notes),
        chart=Chart(horizontal=True),
    )


def _risk(admitted: Cell, places: int) -> str:
    if admitted.hidden:
        # "<5" already says at most four: with four places or more there is no risk, and
        # saying so tells nothing more. Otherwise the answer would narrow the hidden count.
        if admitted.reason == "small" and places >= 4:
            return _("No")
        return _("Not shown")
    return _("Yes") if admitted.value > places else _("No")


# --- the dashboards ---------------------------------------------------------------------------

DASHBOARDS = {
    "demand": (
        gettext_lazy("Demand and supply"),
        gettext_lazy(
            "What companies say they need, per occupation and municipality, against the people "
            "the education brings: applicants, admitted, in training, completed and employed."
        ),
        (demand_by_occupation, demand_by_municipality),
    ),
    "seats": (
        gettext_lazy("Applicants per seat"),
        gettext_lazy("How many apply for each seat, per programme and centre."),
        (applicants_per_seat,),
    ),
    "timeline": (
        gettext_lazy("Applications over time"),
        gettext_lazy("When applications come in, up to the application deadline."),
        (applications_over_time,),
    ),
    "funnel": (
        gettext_lazy("From application to job"),
        gettext_lazy(
            "How many of the applications reach each step: eligible, offered, accepted, "
            "started, completed and employed."
        ),
        (funnel,),
    ),
    "channels": (
        gettext_lazy("Recruitment channels"),
        gettext_lazy("Which channels bring people who complete and get jobs."),
        (recruitment_channels,),
    ),
    "grants": (
        gettext_lazy("Grant places"),
        gettext_lazy("State-funded places used against those granted, per grant year."),
        (grant_places,),
    ),
    "apl": (
        gettext_lazy("APL places"),
        gettext_lazy(
            "Workplace-learning places offered against admitted students: programmes with "
            "more students than places are at risk."
        ),
        (apl_risk,),
    ),
}

TABLE_DASHBOARD = {
    "demand-occupation": "demand",
    "demand-municipality": "demand",
    "seats": "seats",
    "timeline": "timeline",
    "funnel": "funnel",
    "channels": "channels",
    "grants": "grants",
    "apl": "apl",
}
TABLE_BUILDERS = {
    "demand-occupation": demand_by_occupation,
    "demand-municipality": demand_by_municipality,
    "seats": applicants_per_seat,
    "timeline": applications_over_time,
    "funnel": funnel,
    "channels": recruitment_channels,
    "grants": grant_places,
    "apl": apl_risk,
}


def dashboard(slug: str, f: Filters) -> Dashboard:
    """One dashboard with its tables computed; KeyError for an unknown slug."""
    title, intro, builders = DASHBOARDS[slug]
    return Dashboard(
        slug=slug,
        title=str(title),
        intro=str(intro),
        tables=tuple(build(f) for build in builders),
    )


def every_dashboard(f: Filters) -> list[Dashboard]:
    return [dashboard(slug, f) for slug in DASHBOARDS]


def table(key: str, f: Filters) -> Table:
    """One table of a dashboard; KeyError for an unknown key."""
    return TABLE_BUILDERS[key](f)
