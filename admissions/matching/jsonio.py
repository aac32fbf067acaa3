"""The engine's JSON form: the command line's input and output, also usable for snapshots.

Input::

    {"tie_break": "lottery" | "given",      (optional, default "lottery")
     "seed": int,                           (required with "lottery")
     "offerings": [{"id": str, "capacity": int}],
     "applicants": [{"id": str, "lottery": number (optional, used with "given"),
                     "held": offering id or null (optional),
                     "choices": [{"offering": str, "group": int, "eligible": bool}]}]}

Every shape or type error becomes a ProblemError whose one line names the place (for example
``applicants[3].choices[0].group: expected an integer, got "2"``). Unknown keys are errors too:
a misspelt "held" would otherwise silently cost an applicant their seat.

Two readers give one result. ``problem_from_bytes`` decodes with msgspec straight into the
engine's records, checking every type in C; it accepts only what ``problem_from_json`` (plain
Python over ``json.loads``) accepts, and hands anything it refuses to that reader, whose
messages are the ones users see. tests/matching/test_cli.py holds the two readers to each other.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import msgspec

from admissions.matching.types import (
    ApplicantIn,
    ChoiceIn,
    OfferingIn,
    Problem,
    ProblemError,
    Solution,
    TieBreak,
)

_PROBLEM_KEYS = {"tie_break", "seed", "offerings", "applicants"}
_OFFERING_KEYS = {"id", "capacity"}
_APPLICANT_KEYS = {"id", "lottery", "held", "choices"}
_CHOICE_KEYS = {"offering", "group", "eligible"}


def problem_from_json(data: Any) -> Problem:
    """Build a Problem from parsed JSON, checking shapes and types (not the engine's rules)."""
    _check_object(data, "input", _PROBLEM_KEYS, required=("offerings", "applicants"))
    raw_tie_break = data.get("tie_break", TieBreak.LOTTERY.value)
    if raw_tie_break not in (TieBreak.LOTTERY.value, TieBreak.GIVEN.value):
        raise ProblemError(
            f'tie_break: expected "lottery" or "given", got {json.dumps(raw_tie_break)}'
        )
    tie_break = TieBreak(raw_tie_break)
    if "seed" in data:
        seed = _int(data["seed"], "seed")
    elif tie_break == TieBreak.LOTTERY:
        # A default seed would make the draw look recorded when it was not.
        raise ProblemError('seed: required when tie_break is "lottery"')
    else:
        seed = 0

    offerings = []
    for i, raw in enumerate(_list(data["offerings"], "offerings")):
        where = f"offerings[{i}]"
        _check_object(raw, where, _OFFERING_KEYS, required=("id", "capacity"))
        offerings.append(
            OfferingIn(
                id=_str(raw["id"], f"{where}.id"),
                capacity=_int(raw["capacity"], f"{where}.capacity"),
            )
        )

    applicants = []
    for i, raw in enumerate(_list(data["applicants"], "applicants")):
        where = f"applicants[{i}]"
        _check_object(raw, where, _APPLICANT_KEYS, required=("id", "choices"))
        choices = []
        for j, rc in enumerate(_list(raw["choices"], f"{where}.choices")):
            cwhere = f"{where}.choices[{j}]"
            _check_object(rc, cwhere, _CHOICE_KEYS, required=("offering", "group", "eligible"))
            choices.append(
                ChoiceIn(
                    offering=_str(rc["offering"], f"{cwhere}.offering"),
                    group=_int(rc["group"], f"{cwhere}.group"),
                    eligible=_bool(rc["eligible"], f"{cwhere}.eligible"),
                )
            )
        lottery = raw.get("lottery")
        held = raw.get("held")
        applicants.append(
            ApplicantIn(
                id=_str(raw["id"], f"{where}.id"),
                choices=tuple(choices),
                lottery=None if lottery is None else _number(lottery, f"{where}.lottery"),
                held=None if held is None else _str(held, f"{where}.held"),
            )
        )
    return Problem(
        offerings=tuple(offerings),
        applicants=tuple(applicants),
        tie_break=tie_break,
        seed=seed,
    )


class _ProblemJson(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    """The input's top level as msgspec reads it; `seed` stays None when absent, so that a
    lottery without a seed is still refused."""

    offerings: tuple[OfferingIn, ...]
    applicants: tuple[ApplicantIn, ...]
    tie_break: TieBreak = TieBreak.LOTTERY
    seed: int | None = None


_decoder = msgspec.json.Decoder(_ProblemJson)


def problem_from_bytes(raw: bytes) -> Problem:
    """Build a Problem from the input's UTF-8 bytes: the fast reader, with the plain one's
    messages for anything it refuses (malformed JSON, a wrong type, an unknown key)."""
    try:
        data = _decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return problem_from_json(_loads(raw))
    if data.seed is None and data.tie_break == TieBreak.LOTTERY:
        raise ProblemError('seed: required when tie_break is "lottery"')
    return Problem(
        offerings=data.offerings,
        applicants=data.applicants,
        tie_break=data.tie_break,
        seed=0 if data.seed is None else data.seed,
    )


def _loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError("not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ProblemError(f"malformed JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise ProblemError("malformed JSON: nested too deeply") from None


_encoder = msgspec.json.Encoder()


def solution_to_bytes(solution: Solution, indent: int | None = None) -> bytes:
    """The solution as compact JSON (the same document as solution_to_json gives), or
    indented for a person to read."""
    raw = _encoder.encode(solution)
    return msgspec.json.format(raw, indent=indent) if indent else raw


def solution_write(solution: Solution, out: BinaryIO, chunk: int = 100_000) -> None:
    """Write the compact JSON of solution_to_bytes, byte for byte, in pieces: a national round's
    document is ~470 MB, which need not be in memory beside the solution it is made from."""
    out.write(b"{")
    for index, name in enumerate(Solution.__struct_fields__):
        if index:
            out.write(b",")
        out.write(_encoder.encode(name) + b":")
        value = getattr(solution, name)
        if isinstance(value, tuple) and len(value) > chunk:
            out.write(b"[")
            for start in range(0, len(value), chunk):
                if start:
                    out.write(b",")
                out.write(_encoder.encode(value[start : start + chunk])[1:-1])
            out.write(b"]")
        else:
            out.write(_encoder.encode(value))
    out.write(b"}")


def solution_to_json(solution: Solution) -> dict[str, Any]:
    return {
        "assignments": solution.assignments,
        "waitlists": {oid: list(line) for oid, line in solution.waitlists.items()},
        "cutoffs": {
            oid: None if c is None else {"group": c.group, "lottery": c.lottery}
            for oid, c in solution.cutoffs.items()
        },
        "outcomes": [
            {
                "applicant": o.applicant,
                "offering": o.offering,
                "reason": o.reason.value,
                "position": o.position,
            }
            for o in solution.outcomes
        ],
        "lotteries": solution.lotteries,
    }


def _describe(value: Any) -> str:
    text = json.dumps(value) if _jsonable(value) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _check_object(value: Any, where: str, allowed: set[str], required: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise ProblemError(f"{where}: expected an object, got {_describe(value)}")
    for key in required:
        if key not in value:
            raise ProblemError(f'{where}: missing key "{key}"')
    unknown = sorted(str(k) for k in value.keys() - allowed)
    if unknown:
        raise ProblemError(f"{where}: unknown key {json.dumps(unknown[0])}")


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProblemError(f"{where}: expected a list, got {_describe(value)}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ProblemError(f"{where}: expected a string, got {_describe(value)}")
    return value


def _int(value: Any, where: str) -> int:
    # bool is an int subclass in Python; true is not a capacity.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProblemError(f"{where}: expected an integer, got {_describe(value)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(f"{where}: expected true or false, got {_describe(value)}")
    return value


def _number(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProblemError(f"{where}: expected a number, got {_describe(value)}")
    try:
        return float(value)
    except OverflowError:
        raise ProblemError(f"{where}: number too large") from None
