"""Properties of the engine over generated problems (issue 4, item 5)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from admissions.matching import Problem, Reason, TieBreak, lottery_number, solve
from tests.matching.strategies import (
    acceptable,
    expected_waitlists,
    is_stable,
    preference,
    priority,
    problems,
)

# The shared machine is sometimes busy; a slow example is not a failure.
settings.register_profile("matching", deadline=None, max_examples=150)
settings.load_profile("matching")


@given(problems())
def test_no_offering_admits_more_than_its_capacity(problem):
    solution = solve(problem)
    placed = Counter(o for o in solution.assignments.values() if o is not None)
    for off in problem.offerings:
        assert placed[off.id] <= off.capacity


@given(problems())
def test_every_choice_has_exactly_one_outcome_and_at_most_one_is_admitted(problem):
    solution = solve(problem)
    expected = [(a.id, c.offering) for a in problem.applicants for c in a.choices]
    assert [(o.applicant, o.offering) for o in solution.outcomes] == expected
    admitted = Counter(o.applicant for o in solution.outcomes if o.reason == Reason.ADMITTED)
    assert all(count == 1 for count in admitted.values())
    for a in problem.applicants:
        got = solution.assignments[a.id]
        assert admitted[a.id] == (1 if got is not None else 0)


@given(problems())
def test_applicants_are_placed_only_where_eligible_and_never_below_a_held_seat(problem):
    solution = solve(problem)
    assert set(solution.assignments) == {a.id for a in problem.applicants}
    for a in problem.applicants:
        got = solution.assignments[a.id]
        if got is not None:
            assert got in acceptable(a)


@given(problems())
def test_a_held_seat_is_never_lost(problem):
    solution = solve(problem)
    for a in problem.applicants:
        if a.held is not None:
            got = solution.assignments[a.id]
            assert got is not None
            assert preference(a, got) <= preference(a, a.held)


@given(problems())
def test_the_matching_is_stable(problem):
    solution = solve(problem)
    assert is_stable(problem, solution.assignments, solution.lotteries)


@given(problems(max_applicants=6, max_offerings=3, max_choices=3))
def test_every_applicant_weakly_prefers_the_result_to_any_stable_matching(problem):
    solution = solve(problem)
    caps = {o.id: o.capacity for o in problem.offerings}
    options = [[*acceptable(a), None] for a in problem.applicants]
    found_engine_result = False
    for combo in itertools.product(*options):
        assignment = {a.id: o for a, o in zip(problem.applicants, combo, strict=True)}
        load = Counter(o for o in combo if o is not None)
        if any(load[o] > caps[o] for o in load):
            continue
        if not is_stable(problem, assignment, solution.lotteries):
            continue
        found_engine_result |= assignment == solution.assignments
        for a in problem.applicants:
            assert preference(a, solution.assignments[a.id]) <= preference(a, assignment[a.id])
    assert found_engine_result


@given(problems())
def test_waiting_lists_hold_exactly_the_eligible_who_ranked_the_offering_higher(problem):
    solution = solve(problem)
    expected = expected_waitlists(problem, solution)
    assert {oid: list(line) for oid, line in solution.waitlists.items()} == expected
    for o in solution.outcomes:
        if o.reason == Reason.WAITING:
            assert solution.waitlists[o.offering][o.position - 1] == o.applicant
        else:
            assert o.position is None


@given(problems())
def test_outcome_reasons_follow_eligibility_and_the_assignment(problem):
    solution = solve(problem)
    outcomes = iter(solution.outcomes)
    for a in problem.applicants:
        got = preference(a, solution.assignments[a.id])
        for i, c in enumerate(a.choices):
            reason = next(outcomes).reason
            if not c.eligible:
                assert reason == Reason.NOT_ELIGIBLE
            elif i < got:
                assert reason == Reason.WAITING
            elif i == got:
                assert reason == Reason.ADMITTED
            else:
                assert reason == Reason.BELOW_ASSIGNMENT


@given(problems())
def test_cutoff_is_the_group_and_number_of_the_last_admitted(problem):
    solution = solve(problem)
    for off in problem.offerings:
        admitted = [a for a in problem.applicants if solution.assignments[a.id] == off.id]
        cutoff = solution.cutoffs[off.id]
        if not admitted:
            assert cutoff is None
            continue
        last = max(admitted, key=lambda a: priority(a, off.id, solution.lotteries))
        assert (cutoff.group, cutoff.lottery) == (
            priority(last, off.id, solution.lotteries)[1],
            solution.lotteries[last.id],
        )


@given(problems())
def test_tie_break_numbers_come_from_the_seed_and_id_or_are_the_given_ones(problem):
    solution = solve(problem)
    for a in problem.applicants:
        if problem.tie_break == TieBreak.LOTTERY:
            assert solution.lotteries[a.id] == lottery_number(problem.seed, a.id)
            assert 0 <= solution.lotteries[a.id] < 1
        else:
            assert solution.lotteries[a.id] == a.lottery


@given(problems())
def test_same_input_and_seed_give_the_same_output(problem):
    assert solve(problem) == solve(problem)


@given(problems(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(problem, rnd: random.Random):
    applicants = list(problem.applicants)
    offerings = list(problem.offerings)
    rnd.shuffle(applicants)
    rnd.shuffle(offerings)
    shuffled = Problem(
        offerings=tuple(offerings),
        applicants=tuple(applicants),
        tie_break=problem.tie_break,
        seed=problem.seed,
    )
    first, second = solve(problem), solve(shuffled)
    assert first.assignments == second.assignments
    assert first.waitlists == second.waitlists
    assert first.cutoffs == second.cutoffs
    assert first.lotteries == second.lotteries
    assert set(first.outcomes) == set(second.outcomes)


@given(problems(), st.data())
def test_an_applicants_lottery_number_does_not_depend_on_the_others_in_the_round(problem, data):
    # Every round of an intake period reuses the seed, with other applicants around.
    lottery = Problem(problem.offerings, problem.applicants, TieBreak.LOTTERY, problem.seed)
    later_round = Problem(
        problem.offerings,
        tuple(a for a in problem.applicants if data.draw(st.booleans())),
        TieBreak.LOTTERY,
        problem.seed,
    )
    first, second = solve(lottery), solve(later_round)
    for aid, number in second.lotteries.items():
        assert first.lotteries[aid] == number
