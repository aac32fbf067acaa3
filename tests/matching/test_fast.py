"""The fast path (numpy, admissions/matching/fast.py) and the plain-Python reference
(engine.py) give the same Solution for the same Problem, and the same refusal."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given

from admissions.matching import ProblemError, solve, solve_reference
from admissions.matching.jsonio import problem_from_bytes, problem_from_json
from tests.matching.strategies import problems
from tests.matching.test_cli import VALID


@given(problems())
def test_the_fast_path_gives_the_reference_solution(problem):
    assert solve(problem) == solve_reference(problem)


@given(problems(max_applicants=60, max_offerings=4, max_choices=3))
def test_the_fast_path_agrees_where_seats_are_scarce(problem):
    assert solve(problem) == solve_reference(problem)


@pytest.mark.parametrize(
    ("path", "value"),
    [("offerings.1.id", "svets"), ("applicants.1.choices.0.offering", "plat")],
)
def test_both_paths_refuse_in_the_same_words(path, value):
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = data
    for step in parents:
        target = target[int(step)] if step.isdigit() else target[step]
    target[last] = value
    problem = problem_from_json(data)
    with pytest.raises(ProblemError) as fast:
        solve(problem)
    with pytest.raises(ProblemError) as reference:
        solve_reference(problem)
    assert str(fast.value) == str(reference.value)


def test_the_fast_reader_builds_the_plain_readers_problem():
    raw = json.dumps(VALID).encode()
    assert problem_from_bytes(raw) == problem_from_json(VALID)
