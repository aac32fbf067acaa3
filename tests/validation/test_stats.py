"""The follow-up per standard, against figures computed by hand for a small set of cases; the
filters; the council's view with small counts suppressed; and queries that do not grow with
the number of cases."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import MunicipalityFactory
from tests.validation import cases_support as cs
from validation import services
from validation.models import CaseSource, Method, Outcome, ValidationCase
from validation.stats import StatsFilters, rows_for_reader, standard_figures

URL = reverse("validation:stats")


def _at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 10, 0))


def _decided(region, standard, by, *, requested_at, days, outcomes, source=None, correct=None):
    """A direct case requested at `requested_at`, every area assessed with `outcomes` (area code
    -> outcome; partly credits the area's first course) and decided `days` later. `correct`
    (area code -> outcome) corrects results after the decision."""
    values = {"requested_at": requested_at}
    if source:
        values.update(source=source, referrer="Verkstads AB")
    case = cs.mapped_case(region, standard, by=by, **values)
    results = {}
    for case_area in case.areas.select_related("area"):
        area = case_area.area
        outcome = outcomes[area.code]
        results[area.code] = services.result_record(
            acting_user=by,
            case=case,
            area=area,
            outcome=outcome,
            credited_courses=list(area.courses.order_by("code")[:1])
            if outcome == Outcome.PARTLY
            else [],
            evidence="Bedömning enligt mallen.",
            method=Method.PRACTICAL_CENTRE,
        )
    services.case_decide(acting_user=by, case=case)
    # The decision's time is the clock's; the follow-up needs it a known number of days on.
    ValidationCase.objects.filter(pk=case.pk).update(
        decided_at=requested_at + dt.timedelta(days=days)
    )
    for code, outcome in (correct or {}).items():
        services.result_correct(
            acting_user=by,
            result=results[code],
            outcome=outcome,
            evidence="Omprövning.",
            reason="Fel i underlaget.",
        )
    return case


@pytest.fixture
def small_set(region):
    """Standard svets (areas grund: 1 course, mig: 2 courses, 100 vp each), cases requested in
    2025 unless said otherwise:

    c1  AF        decided after  4 days: grund validated (100), mig partly (100)
    c2  AF        decided after  6 days: grund validated (100), mig validated (200)
    c3  AF        decided after 11 days: grund validated, then corrected to not; mig not
    c4  employer  decided after  2 days: grund validated (100), mig not
    c5  AF        mapping (2025)         c6  AF assessment        c7  AF closed
    c8  AF        mapping, requested in 2024

    2025, every source: opened 7 (mapping 1, assessment 1, decided 4, closed 1); days 2, 4, 6,
    11: mean 5.75, median 5.0; grund: validated 3, not 1; mig: validated 1, partly 1, not 2;
    vp 100 + 100 + 100 + 200 + 100 = 600.
    Arbetsförmedlingen only: opened 6, decided 3; days 4, 6, 11: mean 7.0, median 6.0; vp 500.
    """
    svets = cs.standard(region, code="svets")
    cnc = cs.standard(region, code="cnc", four_eyes=True, areas=(("fras", 1),))
    by = cs.assessor(region)
    v, p, n = Outcome.VALIDATED, Outcome.PARTLY, Outcome.NOT_VALIDATED
    _decided(
        region, svets, by, requested_at=_at(2025, 3, 1), days=4, outcomes={"grund": v, "mig": p}
    )
    _decided(
        region, svets, by, requested_at=_at(2025, 4, 1), days=6, outcomes={"grund": v, "mig": v}
    )
    _decided(
        region,
        svets,
        by,
        requested_at=_at(2025, 5, 1),
        days=11,
        outcomes={"grund": v, "mig": n},
        correct={"grund": n},
    )
    _decided(
        region,
        svets,
        by,
        requested_at=_at(2025, 6, 1),
        days=2,
        outcomes={"grund": v, "mig": n},
        source=CaseSource.EMPLOYER,
    )
    cs.direct_case(region, svets, by=by, requested_at=_at(2025, 7, 1))
    cs.mapped_case(region, svets, by=by, requested_at=_at(2025, 8, 1))
    closed = cs.mapped_case(region, svets, by=by, requested_at=_at(2025, 9, 1))
    services.case_close(acting_user=by, case=closed, reason="Personen flyttade.")
    cs.direct_case(region, svets, by=by, requested_at=_at(2024, 12, 1))
    return {"svets": svets, "cnc": cnc}


def _by_standard(region, filters):
    return {item.standard.code: item for item in standard_figures(region, filters)}


def test_the_figures_of_a_year_are_the_hand_computed_ones(region, small_set):
    figures = _by_standard(region, StatsFilters(year=2025))

    svets = figures["svets"]
    assert (svets.opened, svets.mapping, svets.assessment, svets.decided, svets.closed) == (
        7,
        1,
        1,
        4,
        1,
    )
    assert (svets.validated, svets.partly, svets.not_validated) == (4, 1, 3)
    assert svets.mean_days == pytest.approx(5.75)
    assert svets.median_days == pytest.approx(5.0)
    assert svets.credited_vp == 600
    areas = {a.area.code: (a.validated, a.partly, a.not_validated) for a in svets.areas}
    assert areas == {"grund": (3, 0, 1), "mig": (1, 1, 2)}
    cnc = figures["cnc"]
    assert (cnc.opened, cnc.decided, cnc.credited_vp) == (0, 0, 0)
    assert cnc.mean_days is None and cnc.median_days is None


def test_the_source_filter_keeps_only_that_sources_cases(region, small_set):
    svets = _by_standard(region, StatsFilters(year=2025, source=CaseSource.ARBETSFORMEDLINGEN))[
        "svets"
    ]

    assert (svets.opened, svets.decided) == (6, 3)
    assert svets.mean_days == pytest.approx(7.0)
    assert svets.median_days == pytest.approx(6.0)
    assert svets.credited_vp == 500


def test_every_year_and_a_date_range(region, small_set):
    every = _by_standard(region, StatsFilters())["svets"]
    spring = _by_standard(
        region,
        StatsFilters(requested_from=dt.date(2025, 3, 1), requested_to=dt.date(2025, 4, 30)),
    )["svets"]

    assert every.opened == 8
    assert every.mapping == 2
    assert (spring.opened, spring.decided) == (2, 2)
    assert spring.median_days == pytest.approx(5.0)  # 4 and 6 days


def test_council_members_see_small_counts_suppressed(region, small_set):
    figures = standard_figures(region, StatsFilters(year=2025))

    council = {row.standard.code: row for row in rows_for_reader(figures, suppress=True)}
    staff = {row.standard.code: row for row in rows_for_reader(figures, suppress=False)}

    assert council["svets"].opened == "7"
    assert council["svets"].mapping == "<5"
    assert council["svets"].decided == "<5"
    assert council["svets"].validated == "<5"
    # Days and vp of fewer than five decided cases are not shown at all.
    assert council["svets"].mean_days == "–"
    assert council["svets"].credited_vp == "–"
    assert council["cnc"].opened == "0"
    assert staff["svets"].mapping == "1"
    assert staff["svets"].mean_days == "5.8"
    assert staff["svets"].median_days == "5.0"
    assert staff["svets"].credited_vp == "600"


def test_the_page_for_assessors_and_for_the_council(region, small_set):
    assessor = cs.client_for(cs.assessor(region))
    council = cs.client_for(cs.member(region, Role.COUNCIL_MEMBER))

    full = assessor.get(URL, {"year": 2025}).content.decode()
    counts = council.get(URL, {"year": 2025}).content.decode()

    assert "Standard svets (en)" in full
    assert "<td>600</td>" in full and "<td>5.8</td>" in full
    assert "&lt;5" not in full
    assert "<td>&lt;5</td>" in counts
    assert "<td>600</td>" not in counts
    assert "Counts under 5" in counts


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.INTAKE_OFFICER, Role.RECTOR])
def test_other_roles_may_not_see_the_follow_up(region, role):
    scope = {}
    if role == Role.RECTOR:
        scope["scope_municipality"] = MunicipalityFactory(region=region)
    client = cs.client_for(cs.member(region, role, **scope))

    assert client.get(URL).status_code == 403


def test_a_range_that_ends_before_it_starts_is_refused(region, small_set):
    client = cs.client_for(cs.assessor(region))

    page = client.get(URL, {"requested_from": "2025-05-01", "requested_to": "2025-04-01"})

    assert "The end comes before the start." in page.content.decode()
    assert "<td>600</td>" not in page.content.decode()


def test_the_figures_take_the_same_queries_however_many_cases(region, small_set):
    with CaptureQueriesContext(connection) as few:
        standard_figures(region, StatsFilters())
    by = cs.assessor(region)
    for day in range(1, 6):
        _decided(
            region,
            small_set["svets"],
            by,
            requested_at=_at(2025, 10, day),
            days=day,
            outcomes={"grund": Outcome.VALIDATED, "mig": Outcome.VALIDATED},
        )

    with CaptureQueriesContext(connection) as many:
        standard_figures(region, StatsFilters())

    assert len(many.captured_queries) == len(few.captured_queries)
