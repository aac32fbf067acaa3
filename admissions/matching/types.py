"""The engine's input and output: the contract between the engine and the round service.

Frozen msgspec Structs rather than dataclasses: the same frozen, typed, keyword-or-positional
records, but built in C (a million applicants have five million outcomes, and a frozen
dataclass's __init__ costs more than the whole solve), and they are the JSON form too: the
command line decodes its input straight into them, checking types in C (jsonio.py).
``gc=False``: none of them can be part of a reference cycle, so the cyclic collector need not
track millions of them.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class TieBreak(StrEnum):
    # One number per applicant, drawn from the seed once per intake period (the default).
    LOTTERY = "lottery"
    # The number given with each applicant, e.g. the time of application (lower goes first).
    GIVEN = "given"


class Reason(StrEnum):
    ADMITTED = "admitted"
    WAITING = "waiting"  # eligible, ranked it above what they got, not reached
    NOT_ELIGIBLE = "not_eligible"
    BELOW_ASSIGNMENT = "below_assignment"  # ranked below the offering they got


class ProblemError(ValueError):
    """The input cannot be solved as given; the message names the problem in one line."""


class ChoiceIn(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    offering: str
    group: int  # selection group 1-5 (förordning 2011:1108 3 kap. 7 §): lower goes first
    eligible: bool


class ApplicantIn(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    id: str
    choices: tuple[ChoiceIn, ...]  # in the applicant's order, most wanted first
    lottery: float | None = None  # used when the tie-break is GIVEN
    held: str | None = None  # an offering whose seat they accepted in an earlier round


class OfferingIn(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    id: str
    capacity: int


class Problem(msgspec.Struct, frozen=True, gc=False):
    offerings: tuple[OfferingIn, ...]
    applicants: tuple[ApplicantIn, ...]
    tie_break: TieBreak = TieBreak.LOTTERY
    seed: int = 0


class Cutoff(msgspec.Struct, frozen=True, gc=False):
    """The priority of the last admitted applicant at an offering."""

    group: int
    lottery: float


class ChoiceOutcome(msgspec.Struct, frozen=True, gc=False):
    applicant: str
    offering: str
    reason: Reason
    position: int | None = None  # 1-based place on the waiting list when WAITING


class Solution(msgspec.Struct, frozen=True, gc=False):
    assignments: dict[str, str | None]  # applicant id -> offering id or None
    waitlists: dict[str, tuple[str, ...]]  # offering id -> applicant ids, best first
    cutoffs: dict[str, Cutoff | None]  # offering id -> cutoff, None when nobody was admitted
    outcomes: tuple[ChoiceOutcome, ...]  # one per choice of every applicant
    lotteries: dict[str, float]  # applicant id -> the number that broke ties
