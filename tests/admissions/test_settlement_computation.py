"""The settlement's arithmetic on the small region of settlement_support.py: every expected
figure is written as a literal with the arithmetic beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from admissions.enrolment.models import EnrolmentStatus
from admissions.funding.selectors import grant_year_inputs, settlement_inputs
from admissions.funding.settlement import PLACE_UNIT, Funding, settlement_of
from tests.admissions.settlement_support import enrol, small_region
from tests.factories import (
    CentreFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from yrkescenter.models import (
    Agreement,
    CofinancingCommitment,
    EarlyStopRule,
    GrantRate,
    GrantYear,
    Price,
    PriceUnit,
    Sector,
)

D = Decimal


@pytest.fixture
def world(region):
    return small_region(region)


def _by_reference(settlement):
    return {line.reference: line for line in settlement.lines}


def test_each_student_gets_one_line_with_the_figures_of_its_amount(world):
    lines = _by_reference(settlement_of(world.period))

    # Only the term's students: s9 started in VT 2026.
    assert sorted(lines) == ["HEM-S1", "HEM-S2", "HEM-S3", "HEM-S4", "HEM-S5", "HEM-S6", "HEM-S7"]
    figures = {
        ref: (ln.funding, ln.vp_charged.quantize(D("0.01")), ln.unit, ln.unit_price, ln.amount)
        for ref, ln in lines.items()
    }
    assert figures == {
        # Örebro is no party: outside the agreement, 800 vp x 60 kr.
        "HEM-S1": (Funding.OUTSIDE, D("800.00"), PriceUnit.PER_VP, D("60.00"), D("48000.00")),
        # The first party resident takes O1's one state seat: 800 / 800 = 1 place x 80 000.
        "HEM-S2": (Funding.STATE, D("800.00"), PLACE_UNIT, D("80000.00"), D("80000.00")),
        # Stopped 2026-10-02 after starting 08-18: 45 days of O1's 120 (08-17 - 12-15);
        # 800 x 45 / 120 = 300 vp x 60 = 18 000.
        "HEM-S3": (Funding.MUNICIPAL, D("300.00"), PriceUnit.PER_VP, D("60.00"), D("18000.00")),
        "HEM-S4": (Funding.MUNICIPAL, D("800.00"), PriceUnit.PER_VP, D("60.00"), D("48000.00")),
        # O2 runs 2026-08-24 - 2027-01-15: 144 days. Stopped after 30: 400 x 30 / 144 =
        # 83.33 vp = 0.1041666 place x 90 000 = 9 375.00 (exactly).
        "HEM-S5": (Funding.STATE, D("83.33"), PLACE_UNIT, D("90000.00"), D("9375.00")),
        # Stopped after 10 days: 400 x 10 / 144 = 27.777 vp = 1.38888 weeks x 1 500
        # = 2 083.333… -> 2 083.33.
        "HEM-S6": (Funding.MUNICIPAL, D("27.78"), PriceUnit.PER_WEEK, D("1500.00"), D("2083.33")),
        # 400 vp / 20 = 20 weeks x 1 500 = 30 000.
        "HEM-S7": (Funding.MUNICIPAL, D("400.00"), PriceUnit.PER_WEEK, D("1500.00"), D("30000.00")),
    }
    assert lines["HEM-S6"].quantity.quantize(D("0.0001")) == D("1.3889")
    assert lines["HEM-S3"].rule == "pro rata 45/120 days of 800 vp"
    assert lines["HEM-S4"].rule == "studying: the whole course, 800 vp"
    assert lines["HEM-S2"].rule == "completed: the whole course, 800 vp"
    assert (lines["HEM-S1"].home.code, lines["HEM-S1"].host.code) == ("1880", "1780")
    assert lines["HEM-S1"].student_name == world.application("s1").full_name


def test_state_seats_go_to_party_residents_first_in_start_order(world, region):
    # Two state seats in O1: s1 (Örebro, outside) is first but never takes one; s2 and s3 do,
    # s4 (the last to start) pays as municipal.
    world.o1.state_funded_seats = 2
    world.o1.save(update_fields=["state_funded_seats"])

    lines = _by_reference(settlement_of(world.period))

    assert [lines[ref].funding for ref in ("HEM-S1", "HEM-S2", "HEM-S3", "HEM-S4")] == [
        Funding.OUTSIDE,
        Funding.STATE,
        Funding.STATE,
        Funding.MUNICIPAL,
    ]
    # s3 on a state seat: 300 vp (pro rata) = 0.375 place x 80 000 = 30 000.
    assert lines["HEM-S3"].amount == D("30000.00")


def test_a_later_start_date_loses_the_state_seat_whatever_the_id(world):
    # s2 (lower id than s3) now starts 08-20, after s3 (08-18): s3 is the first party
    # resident and takes the one state seat.
    enrolment = world.students["s2"]
    enrolment.started_on = dt.date(2026, 8, 20)
    enrolment.save(update_fields=["started_on"])

    lines = _by_reference(settlement_of(world.period))

    assert lines["HEM-S3"].funding == Funding.STATE
    assert lines["HEM-S3"].amount == D("30000.00")  # 300 vp / 800 = 0.375 place x 80 000
    assert lines["HEM-S2"].funding == Funding.MUNICIPAL
    assert lines["HEM-S2"].amount == D("48000.00")  # 800 vp x 60


def test_under_the_full_course_rule_a_student_who_stops_early_is_charged_the_whole_course(world):
    world.agreement.early_stop_rule = EarlyStopRule.FULL_COURSE
    world.agreement.save(update_fields=["early_stop_rule"])

    lines = _by_reference(settlement_of(world.period))

    # s3: 800 vp x 60 = 48 000 (not 18 000); s6: 400 / 20 = 20 weeks x 1 500 = 30 000;
    # s5 (state): 400 / 800 = 0.5 place x 90 000 = 45 000.
    assert lines["HEM-S3"].amount == D("48000.00")
    assert lines["HEM-S6"].amount == D("30000.00")
    assert lines["HEM-S5"].amount == D("45000.00")
    assert lines["HEM-S3"].rule == "stopped early: the whole course, 800 vp"


def test_pro_rata_never_charges_more_than_the_whole_course(world):
    # Started after s5 took the state seat; stopped 2027-02-01, after O2's end (2027-01-15):
    # 159 of 144 days, charged 400 vp, not 400 x 159 / 144.
    late = enrol(
        world.o2,
        world.kil,
        started_on=dt.date(2026, 8, 26),
        status=EnrolmentStatus.INTERRUPTED,
        ended_on=dt.date(2027, 2, 1),
        reference="HEM-LATE",
    )
    lines = _by_reference(settlement_of(world.period))

    assert late.pk
    assert lines["HEM-LATE"].vp_charged == D(400)
    assert lines["HEM-LATE"].amount == D("30000.00")  # 20 weeks x 1 500
    assert lines["HEM-LATE"].rule == "pro rata 159/144 days, at most the whole course (400 vp)"


def test_the_matrix_sums_what_each_home_municipality_pays_each_host(world):
    settlement = settlement_of(world.period)
    ids = {m.code: m.pk for m in (world.arvika, world.karlstad, world.kil, world.orebro)}

    def payable(home, host):
        return settlement.cells[(ids[home], ids[host])].payable_amount

    assert [p.name for p in settlement.homes] == ["Arvika", "Karlstad", "Kil", "Örebro"]
    assert [p.name for p in settlement.hosts] == ["Arvika", "Karlstad"]
    assert payable("1780", "1780") == D("18000.00")  # s3, at its own centre
    assert payable("1780", "1784") == D("30000.00")  # s7
    assert payable("1715", "1780") == D("48000.00")  # s4 (s2 is on a state seat)
    assert payable("1715", "1784") == D("2083.33")  # s6
    assert payable("1880", "1780") == D("48000.00")  # s1, outside the agreement
    assert (ids["1880"], ids["1784"]) not in settlement.cells
    # The state part beside it: s2 in Kil -> Karlstad, s5 in Arvika -> Arvika.
    kil_karlstad = settlement.cells[(ids["1715"], ids["1780"])]
    assert (kil_karlstad.state_students, kil_karlstad.state_amount) == (1, D("80000.00"))
    assert kil_karlstad.payable_students == 1
    arvika_arvika = settlement.cells[(ids["1784"], ids["1784"])]
    assert (arvika_arvika.payable_amount, arvika_arvika.state_amount) == (D(0), D("9375.00"))

    rows = {code: settlement.row_totals[i].payable_amount for code, i in ids.items()}
    # Karlstad 18 000 + 30 000; Kil 48 000 + 2 083.33; Örebro 48 000.
    assert rows == {
        "1784": D("0"),
        "1780": D("48000.00"),
        "1715": D("50083.33"),
        "1880": D("48000.00"),
    }
    # Arvika hosts 30 000 + 2 083.33; Karlstad 18 000 + 48 000 + 48 000.
    assert settlement.column_totals[ids["1784"]].payable_amount == D("32083.33")
    assert settlement.column_totals[ids["1780"]].payable_amount == D("114000.00")
    total = settlement.total
    # 48 000 + 50 083.33 + 48 000 = 32 083.33 + 114 000 = 146 083.33
    assert total.payable_amount == D("146083.33")
    assert total.municipal_amount == D("98083.33")  # 18 000 + 48 000 + 2 083.33 + 30 000
    assert total.outside_amount == D("48000.00")
    assert total.state_amount == D("89375.00")  # 80 000 + 9 375
    assert (total.students, total.state_students, total.payable_students) == (7, 2, 5)


def test_each_municipality_has_its_seats_cost_income_and_co_financing(world):
    settlement = settlement_of(world.period)
    figures = {f.municipality.code: f for f in settlement.municipalities}
    q = D("0.0001")

    karlstad = figures["1780"]
    # Residents s3 (300 vp = 0.375 place) and s7 (400 vp = 0.5 place), both municipal.
    assert karlstad.as_payer.municipal_places == D("0.875")
    assert karlstad.as_payer.state_places == 0
    assert karlstad.paid_to_others == D("30000.00")  # s7 at Arvika
    assert karlstad.at_own_centres.payable_amount == D("18000.00")  # s3
    assert karlstad.income == D("96000.00")  # s4 48 000 + s1 48 000 at its centre
    assert karlstad.net == D("66000.00")  # 96 000 - 30 000
    assert karlstad.committed_places == D("0.50")  # the latest decision, not the 1.00 before
    assert karlstad.cofinanced_places_used == D("0.875")

    kil = figures["1715"]
    assert kil.as_payer.state_places == D(1)  # s2
    # s4 1 place + s6 27.78 vp / 800 = 0.0347 place
    assert kil.as_payer.municipal_places.quantize(q) == D("1.0347")
    assert kil.paid_to_others == D("50083.33")
    assert kil.income == 0
    assert kil.net == D("-50083.33")
    assert kil.committed_places == D("0.25")

    arvika = figures["1784"]
    assert arvika.as_payer.state_places.quantize(q) == D("0.1042")  # s5: 83.33 vp / 800
    assert arvika.income == D("32083.33")  # s7 30 000 + s6 2 083.33
    assert arvika.committed_places == 0

    orebro = figures["1880"]
    assert orebro.as_payer.outside_places == D(1)
    assert orebro.paid_to_others == D("48000.00")
    # Payments and income balance across the region.
    assert sum((f.net for f in figures.values()), D(0)) == 0


def test_a_municipality_with_a_commitment_and_no_students_is_listed(world, region):
    hammaro = MunicipalityFactory(region=region, code="1761", name="Hammarö")
    CofinancingCommitment.objects.create(
        grant_year=world.grant_year, municipality=hammaro, places=D("0.40")
    )

    settlement = settlement_of(world.period)
    figures = {f.municipality.code: f for f in settlement.municipalities}

    assert figures["1761"].committed_places == D("0.40")
    assert figures["1761"].as_payer.students == 0
    assert figures["1761"].net == 0
    # Listed in Swedish order: Arvika, Hammarö, Karlstad, Kil, Örebro.
    assert [f.municipality.name for f in settlement.municipalities] == [
        "Arvika",
        "Hammarö",
        "Karlstad",
        "Kil",
        "Örebro",
    ]
    # Its places count in the grant year: 0.50 + 0.25 + 0.40 = 1.15 committed.
    assert settlement.grant_years[0].forecast.committed_places == D("1.15")


def test_the_grant_year_forecast_counts_every_used_place_of_the_year(world):
    (figures,) = settlement_of(world.period).grant_years
    forecast = figures.forecast

    assert (figures.year, figures.sector) == (2026, Sector.INDUSTRY)
    # This term: s2 1 place (80 000) + s5 0.1042 place (9 375).
    assert figures.term.state_places.quantize(D("0.0001")) == D("1.1042")
    assert figures.term.state_amount == D("89375.00")
    # The year adds s9 of VT 2026: 1 place, 80 000. 1 + 0.1042 + 1 = 2.1042 places (101/48).
    assert forecast.state_places == D("2.10")
    assert forecast.state_amount == D("169375.00")  # 80 000 + 9 375 + 80 000
    assert forecast.committed_places == D("0.75")  # Karlstad 0.50 + Kil 0.25
    # 3 municipal per 7 state places: 2.1042 x 3 / 7 = 0.9018 required.
    assert forecast.required_municipal_places == D("0.90")
    assert not forecast.meets_cofinancing
    # 0.75 committed carry 0.75 x 7 / 3 = 1.75 state places: the share 1.75 / (101/48) = 84/101
    # of 169 375 = 140 866.34 is usable; 270 000 - 140 866.34 = 129 133.66 goes back, and
    # 3 - 1.75 = 1.25 places.
    assert forecast.usable_places == D("1.75")
    assert forecast.usable_amount == D("140866.34")
    assert forecast.returned_places == D("1.25")
    assert forecast.returned_amount == D("129133.66")


def test_a_programme_without_a_price_is_a_problem_on_its_line_not_a_crash(world, region):
    welding_robot = ProgrammeFactory(region=region, name="Robotsvets", vp=200, grant_category="2")
    offering = OfferingFactory(
        region=region,
        programme=welding_robot,
        centre=world.o1.centre,
        intake_period=world.period,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 11, 1),
        state_funded_seats=0,
    )
    enrol(offering, world.kil, started_on=dt.date(2026, 9, 1), reference="HEM-NOPRICE")

    settlement = settlement_of(world.period)
    line = _by_reference(settlement)["HEM-NOPRICE"]

    assert line.amount is None
    assert line.problem == "The agreement “Samverkansavtal 2026” has no price for Robotsvets."
    assert settlement.problems == [line]
    # Counted as a student, left out of the money.
    assert settlement.total.students == 8
    assert settlement.total.problems == 1
    assert settlement.total.payable_amount == D("146083.33")


def test_a_missing_grant_rate_and_a_missing_agreement_are_problems_too(world, region):
    GrantRate.objects.filter(grant_year=world.grant_year, grant_category="3").delete()
    lines = _by_reference(settlement_of(world.period))
    assert lines["HEM-S5"].amount is None
    assert "No grant rate for category 3 in the grant year 2026" in lines["HEM-S5"].problem

    Agreement.objects.filter(pk=world.agreement.pk).update(valid_until=dt.date(2026, 8, 20))
    lines = _by_reference(settlement_of(world.period))
    # O1 starts 08-17, inside the agreement; O2 starts 08-24, after it ended.
    assert lines["HEM-S4"].amount == D("48000.00")
    assert lines["HEM-S7"].problem == "No agreement is in force on 2026-08-24."


def test_the_agreement_in_force_at_the_start_sets_price_and_rule(world, region):
    newer = Agreement.objects.create(
        region=region,
        name="Samverkansavtal HT 2026",
        valid_from=dt.date(2026, 8, 20),
        early_stop_rule=EarlyStopRule.FULL_COURSE,
    )
    Price.objects.create(agreement=newer, programme=world.cnc, unit=PriceUnit.PER_VP, amount=80)

    lines = _by_reference(settlement_of(world.period))

    # O1 (from 08-17) keeps the old agreement; O2 (from 08-24) takes the new one:
    # s7 400 vp x 80 = 32 000; s6 stopped early, full course: 400 x 80 = 32 000.
    assert lines["HEM-S3"].amount == D("18000.00")
    assert lines["HEM-S7"].amount == D("32000.00")
    assert lines["HEM-S6"].amount == D("32000.00")


def test_loading_takes_a_fixed_number_of_queries(world, region, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        small = settlement_of(world.period)

    # Ten times the students, more offerings, a second grant year (another sector).
    care = ProgrammeFactory(region=region, name="Undersköterska", sector=Sector.CARE, vp=800)
    Price.objects.create(agreement=world.agreement, programme=care, unit="per_vp", amount=50)
    care_year = GrantYear.objects.create(
        region=region,
        year=2026,
        sector=Sector.CARE,
        granted_places=5,
        granted_amount=400000,
    )
    GrantRate.objects.create(grant_year=care_year, grant_category="2", amount_per_place=70000)
    centre = CentreFactory(region=region, host_municipality=world.kil)
    for number in range(6):
        offering = OfferingFactory(
            region=region,
            programme=care,
            centre=centre,
            intake_period=world.period,
            starts_on=dt.date(2026, 8, 17 + number),
            ends_on=dt.date(2027, 6, 1),
            state_funded_seats=3,
        )
        for home in (world.arvika, world.karlstad, world.kil, world.orebro) * 3:
            enrol(offering, home, started_on=offering.starts_on)

    with django_assert_max_num_queries(7):
        large = settlement_of(world.period)

    assert len(large.lines) == len(small.lines) + 72
    assert len(large.grant_years) == 2


def test_a_term_and_whole_grant_years_load_in_exactly_seven_queries(
    world, region, django_assert_num_queries
):
    # Offerings, students, agreements, prices, grant years, rates, commitments: the term's
    # loader kept its count when it came to share its queries with the grant years' loader.
    with django_assert_num_queries(7):
        term = settlement_inputs(world.period)
    with django_assert_num_queries(7):
        year = grant_year_inputs(region, [2026])
    # Every offering of HT 2026 and VT 2026 starts in 2026: the same rows, without a term.
    assert year.period is None
    assert set(year.offerings) == set(term.offerings)
    assert year.enrolments == term.enrolments
