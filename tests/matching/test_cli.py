"""The command line: python -m admissions.matching solve INPUT.json (issue 4, item 4)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admissions.matching import ProblemError, solve
from admissions.matching.jsonio import problem_from_json

ROOT = Path(__file__).resolve().parents[2]

VALID = {
    "tie_break": "given",
    "seed": 7,
    "offerings": [{"id": "svets", "capacity": 1}, {"id": "cnc", "capacity": 1}],
    "applicants": [
        {
            "id": "anna",
            "lottery": 0.5,
            "held": None,
            "choices": [
                {"offering": "svets", "group": 3, "eligible": True},
                {"offering": "cnc", "group": 3, "eligible": True},
            ],
        },
        {
            "id": "bo",
            "lottery": 0.1,
            "choices": [{"offering": "svets", "group": 3, "eligible": True}],
        },
        {
            "id": "cia",
            "lottery": 0.2,
            "held": "cnc",
            "choices": [{"offering": "cnc", "group": 5, "eligible": True}],
        },
    ],
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "admissions.matching", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_solve_prints_the_result_as_json(tmp_path):
    result = run("solve", write(tmp_path, json.dumps(VALID)))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    # bo (0.1) beats anna (0.5) at svets; cnc is held by cia, so anna gets nothing.
    assert out["assignments"] == {"anna": None, "bo": "svets", "cia": "cnc"}
    assert out["waitlists"] == {"svets": ["anna"], "cnc": ["anna"]}
    assert out["cutoffs"] == {
        "svets": {"group": 3, "lottery": 0.1},
        "cnc": {"group": 5, "lottery": 0.2},
    }
    assert out["outcomes"][0] == {
        "applicant": "anna",
        "offering": "svets",
        "reason": "waiting",
        "position": 1,
    }
    assert out["lotteries"] == {"anna": 0.5, "bo": 0.1, "cia": 0.2}


def test_solve_reads_stdin_when_given_a_dash():
    result = run("solve", "-", stdin=json.dumps(VALID))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["assignments"]["bo"] == "svets"


def test_a_lottery_round_needs_a_seed_and_uses_it(tmp_path):
    data = copy.deepcopy(VALID)
    data["tie_break"] = "lottery"
    for a in data["applicants"]:
        del a["lottery"]

    result = run("solve", write(tmp_path, json.dumps(data)))

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["lotteries"] == solve(problem_from_json(data)).lotteries


def _changed(path: str, value):
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = data
    for step in parents:
        target = target[int(step)] if step.isdigit() else target[step]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


_DELETE = object()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"offerings": [', "malformed JSON"),
        ("", "malformed JSON"),
        ("[" * 100_000, "malformed JSON"),
        ("[]", "input: expected an object"),
        (_changed("offerings", _DELETE), 'input: missing key "offerings"'),
        (_changed("applicants.0.choices.0.group", "3"), "applicants[0].choices[0].group"),
        (_changed("applicants.0.choices.0.group", 3.0), "expected an integer"),
        (_changed("applicants.0.choices.0.eligible", 1), "expected true or false"),
        (_changed("offerings.0.capacity", True), "offerings[0].capacity"),
        (_changed("offerings.0.id", 5), "offerings[0].id: expected a string"),
        (_changed("applicants.1.lottery", "0.1"), "applicants[1].lottery"),
        (_changed("applicants.1.lottery", None), "'bo' has no lottery number"),
        (_changed("applicants.1.lottery", 10**400), "number too large"),
        (_changed("applicants.0.held_seat", "cnc"), 'unknown key "held_seat"'),
        (_changed("tie_break", "coin"), "tie_break"),
        (_changed("seed", "7"), "seed: expected an integer"),
        (_changed("applicants.1.choices.0.offering", "plat"), "unknown offering 'plat'"),
        (_changed("applicants.0.choices.1.offering", "svets"), "chooses offering 'svets' twice"),
        (_changed("offerings.1.capacity", -2), "negative capacity"),
        (_changed("applicants.1.choices.0.group", 9), "selection group 9"),
        (_changed("applicants.0.held", "cnc"), "offering 'cnc' has 2 holders"),
        (_changed("applicants.2.choices.0.eligible", False), "not one of their eligible choices"),
        (_changed("applicants.1.id", "anna"), "duplicate applicant id 'anna'"),
        (_changed("offerings.1.id", "svets"), "duplicate offering id 'svets'"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path, content, message):
    result = run("solve", write(tmp_path, content))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_nan_as_a_given_number_is_refused(tmp_path):
    # Python's json reads the non-standard NaN literal, and writes it here.
    result = run("solve", write(tmp_path, _changed("applicants.1.lottery", float("nan"))))

    assert result.returncode == 2
    assert "not finite" in result.stderr


def test_lottery_without_a_seed_is_refused(tmp_path):
    data = copy.deepcopy(VALID)
    data["tie_break"] = "lottery"
    del data["seed"]

    result = run("solve", write(tmp_path, json.dumps(data)))

    assert result.returncode == 2
    assert "seed: required" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "/nonexistent/input.json"], "cannot read /nonexistent/input.json"),
        (["solve"], "usage"),
        ([], "usage"),
        (["frobnicate", "x"], "usage"),
    ],
)
def test_bad_invocation_exits_2_with_one_line(args, message):
    result = run(*args)

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "input.json"
    path.write_bytes(b'{"seed": "\xff"}')

    result = run("solve", str(path))

    assert result.returncode == 2
    assert "not UTF-8" in result.stderr


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_damage_to_valid_input_is_solved_or_refused_with_a_problem_error(data):
    # In-process, so hundreds of damaged inputs stay fast; the CLI maps ProblemError to exit 2.
    problem = copy.deepcopy(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(problem))))
        replacement = data.draw(json_values)
        if not path:
            problem = replacement
            continue
        target = problem
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = replacement
    try:
        solve(problem_from_json(problem))
    except ProblemError as e:
        assert "\n" not in str(e)


@pytest.mark.parametrize("chunk", [1, 2, 100_000])
def test_the_written_pieces_are_the_whole_document_byte_for_byte(chunk):
    import io

    from admissions.matching.jsonio import solution_to_bytes, solution_write

    solution = solve(problem_from_json(VALID))
    out = io.BytesIO()
    solution_write(solution, out, chunk=chunk)
    assert out.getvalue() == solution_to_bytes(solution)
    assert json.loads(out.getvalue())["outcomes"]
