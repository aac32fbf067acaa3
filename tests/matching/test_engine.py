"""Worked examples and input validation of the matching engine (issue 4, items 1-4)."""

from __future__ import annotations

import statistics

import pytest

from admissions.matching import (
    ApplicantIn,
    ChoiceIn,
    ChoiceOutcome,
    Cutoff,
    OfferingIn,
    Problem,
    ProblemError,
    Reason,
    TieBreak,
    lottery_number,
    solve,
)


def choice(offering: str, group: int = 3, eligible: bool = True) -> ChoiceIn:
    return ChoiceIn(offering=offering, group=group, eligible=eligible)


def given(offerings: dict[str, int], *applicants: ApplicantIn) -> Problem:
    return Problem(
        offerings=tuple(OfferingIn(id=k, capacity=v) for k, v in offerings.items()),
        applicants=applicants,
        tie_break=TieBreak.GIVEN,
    )


def test_hand_computed_round():
    # svets: cia (group 2) beats bo and anna (group 3); anna and bo move on.
    # cnc: anna (group 3) beats dan and eva (group 5; equal numbers, so "dan" < "eva").
    # el: dan holds a seat there (top priority), bo takes the other seat; cia ranked el below
    # svets, and dan's svets is below his held seat, so he never gets it despite group 1.
    problem = given(
        {"svets": 1, "cnc": 1, "el": 2},
        ApplicantIn("anna", (choice("svets"), choice("cnc")), lottery=0.5),
        ApplicantIn("bo", (choice("svets"), choice("el", group=2)), lottery=0.1),
        ApplicantIn(
            "cia",
            (choice("svets", group=2), choice("cnc", eligible=False), choice("el", group=4)),
            lottery=0.9,
        ),
        ApplicantIn(
            "dan",
            (choice("cnc", group=5), choice("el", group=5), choice("svets", group=1)),
            lottery=0.3,
            held="el",
        ),
        ApplicantIn("eva", (choice("cnc", group=5),), lottery=0.3),
    )

    solution = solve(problem)

    assert solution.assignments == {
        "anna": "cnc",
        "bo": "el",
        "cia": "svets",
        "dan": "el",
        "eva": None,
    }
    assert solution.waitlists == {"svets": ("bo", "anna"), "cnc": ("dan", "eva"), "el": ()}
    assert solution.cutoffs == {
        "svets": Cutoff(group=2, lottery=0.9),
        "cnc": Cutoff(group=3, lottery=0.5),
        # The holder sorts first, so the last admitted is bo.
        "el": Cutoff(group=2, lottery=0.1),
    }
    w, a, ne, b = Reason.WAITING, Reason.ADMITTED, Reason.NOT_ELIGIBLE, Reason.BELOW_ASSIGNMENT
    assert solution.outcomes == (
        ChoiceOutcome("anna", "svets", w, 2),
        ChoiceOutcome("anna", "cnc", a),
        ChoiceOutcome("bo", "svets", w, 1),
        ChoiceOutcome("bo", "el", a),
        ChoiceOutcome("cia", "svets", a),
        ChoiceOutcome("cia", "cnc", ne),
        ChoiceOutcome("cia", "el", b),
        ChoiceOutcome("dan", "cnc", w, 1),
        ChoiceOutcome("dan", "el", a),
        ChoiceOutcome("dan", "svets", b),
        ChoiceOutcome("eva", "cnc", w, 2),
    )
    assert solution.lotteries == {"anna": 0.5, "bo": 0.1, "cia": 0.9, "dan": 0.3, "eva": 0.3}


def test_a_holder_moves_up_and_the_freed_seat_goes_to_the_next_in_line():
    problem = given(
        {"A": 1, "B": 1},
        ApplicantIn("pia", (choice("A"), choice("B")), lottery=0.2, held="B"),
        ApplicantIn("ola", (choice("B"),), lottery=0.1),
    )

    solution = solve(problem)

    assert solution.assignments == {"pia": "A", "ola": "B"}


def test_a_holder_keeps_the_seat_against_anyone_with_a_better_group_or_number():
    problem = given(
        {"B": 1},
        ApplicantIn("pia", (choice("B", group=5),), lottery=0.9, held="B"),
        ApplicantIn("ola", (choice("B", group=1),), lottery=0.1),
    )

    solution = solve(problem)

    assert solution.assignments == {"pia": "B", "ola": None}
    assert solution.waitlists == {"B": ("ola",)}


def test_a_holder_never_gets_a_choice_ranked_below_the_held_seat():
    # If pia were not a holder she could not be placed at all (B is full with ola, group 1);
    # a choice below a held seat is never taken, even when it has free seats.
    problem = given(
        {"B": 1, "C": 5},
        ApplicantIn("pia", (choice("B", group=5), choice("C", group=1)), lottery=0.5, held="B"),
        ApplicantIn("ola", (choice("B", group=1),), lottery=0.1),
    )

    solution = solve(problem)

    assert solution.assignments == {"pia": "B", "ola": None}
    assert solution.outcomes[1] == ChoiceOutcome("pia", "C", Reason.BELOW_ASSIGNMENT)
    assert solution.waitlists["C"] == ()


def test_given_numbers_tie_and_the_applicant_id_decides_whatever_the_input_order():
    for order in ((0, 1), (1, 0)):
        people = [
            ApplicantIn("b", (choice("A"),), lottery=0.5),
            ApplicantIn("a", (choice("A"),), lottery=0.5),
        ]
        solution = solve(given({"A": 1}, *(people[i] for i in order)))
        assert solution.assignments == {"a": "A", "b": None}
        assert solution.waitlists == {"A": ("b",)}


def test_an_offering_without_seats_lists_its_eligible_applicants_as_waiting():
    problem = given(
        {"A": 0, "B": 1},
        ApplicantIn("x", (choice("A"), choice("B")), lottery=0.2),
        ApplicantIn("y", (choice("A", eligible=False),), lottery=0.1),
    )

    solution = solve(problem)

    assert solution.assignments == {"x": "B", "y": None}
    assert solution.waitlists == {"A": ("x",), "B": ()}
    assert solution.cutoffs["A"] is None
    assert solution.outcomes[0] == ChoiceOutcome("x", "A", Reason.WAITING, 1)
    assert solution.outcomes[2] == ChoiceOutcome("y", "A", Reason.NOT_ELIGIBLE)


def test_not_eligible_is_reported_even_below_the_assignment():
    problem = given(
        {"A": 1, "B": 1},
        ApplicantIn("x", (choice("A"), choice("B", eligible=False)), lottery=0.2),
    )

    solution = solve(problem)

    assert [o.reason for o in solution.outcomes] == [Reason.ADMITTED, Reason.NOT_ELIGIBLE]


def test_an_empty_round_solves_to_nothing():
    solution = solve(Problem(offerings=(OfferingIn("A", 2),), applicants=()))

    assert solution.assignments == {}
    assert solution.waitlists == {"A": ()}
    assert solution.cutoffs == {"A": None}
    assert solution.outcomes == ()


def test_the_lottery_number_is_a_fixed_function_of_seed_and_id():
    # Pinned: changing the formula would give the rounds of one intake period different numbers.
    assert lottery_number(20260901, "A-1") == 0.8427821880260177
    assert lottery_number(0, "x") == 0.6119167417629928
    assert lottery_number(1, "x") != lottery_number(0, "x")


def test_lottery_numbers_are_spread_evenly_over_zero_to_one():
    numbers = [lottery_number(7, f"A{i}") for i in range(20_000)]

    assert all(0 <= x < 1 for x in numbers)
    assert abs(statistics.mean(numbers) - 0.5) < 0.01
    assert sum(x < 0.1 for x in numbers) == pytest.approx(2_000, rel=0.1)


def _one(offering="A", group=3, eligible=True, aid="x", lottery=0.5, held=None):
    return ApplicantIn(aid, (choice(offering, group, eligible),), lottery=lottery, held=held)


@pytest.mark.parametrize(
    ("offerings", "applicants", "tie_break", "message"),
    [
        ({"A": 1}, [_one(offering="Z")], TieBreak.GIVEN, "unknown offering 'Z'"),
        (
            {"A": 1},
            [ApplicantIn("x", (choice("A"), choice("A")), lottery=0.1)],
            TieBreak.GIVEN,
            "chooses offering 'A' twice",
        ),
        ({"A": 1}, [_one(), _one()], TieBreak.GIVEN, "duplicate applicant id 'x'"),
        ({"A": -1}, [], TieBreak.GIVEN, "negative capacity -1"),
        ({"A": 1}, [_one(group=0)], TieBreak.GIVEN, "selection group 0"),
        ({"A": 1}, [_one(group=6)], TieBreak.GIVEN, "selection group 6"),
        ({"A": 1}, [_one(held="B")], TieBreak.GIVEN, "holds a seat at 'B'"),
        (
            {"A": 1},
            [_one(eligible=False, held="A")],
            TieBreak.GIVEN,
            "not one of their eligible choices",
        ),
        ({"A": 1}, [_one(lottery=None)], TieBreak.GIVEN, "'x' has no lottery number"),
        ({"A": 1}, [_one(lottery=float("nan"))], TieBreak.GIVEN, "not finite"),
        (
            {"A": 1},
            [_one(aid="x", held="A"), _one(aid="y", held="A")],
            TieBreak.GIVEN,
            "offering 'A' has 2 holders of a seat but capacity 1",
        ),
    ],
)
def test_unsolvable_input_raises_a_one_line_problem_error(
    offerings, applicants, tie_break, message
):
    problem = Problem(
        offerings=tuple(OfferingIn(k, v) for k, v in offerings.items()),
        applicants=tuple(applicants),
        tie_break=tie_break,
    )

    with pytest.raises(ProblemError) as raised:
        solve(problem)

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_duplicate_offering_ids_are_refused():
    problem = Problem(offerings=(OfferingIn("A", 1), OfferingIn("A", 2)), applicants=())

    with pytest.raises(ProblemError, match="duplicate offering id 'A'"):
        solve(problem)


def test_a_lottery_round_needs_no_given_numbers():
    problem = Problem(
        offerings=(OfferingIn("A", 1),),
        applicants=(_one(aid="x", lottery=None), _one(aid="y", lottery=None)),
        tie_break=TieBreak.LOTTERY,
        seed=3,
    )

    solution = solve(problem)

    winner = min(("x", "y"), key=lambda aid: lottery_number(3, aid))
    assert solution.assignments[winner] == "A"
