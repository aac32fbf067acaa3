"""The engine's input and output: the contract between the engine and the round service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True, slots=True)
class ChoiceIn:
    offering: str
    group: int  # selection group 1-5 (förordning 2011:1108 3 kap. 7 §): lower goes first
    eligible: bool


@dataclass(frozen=True, slots=True)
class ApplicantIn:
    id: str
    choices: tuple[ChoiceIn, ...]  # in the applicant's order, most wanted first
    lottery: float | None = None  # used when the tie-break is GIVEN
    held: str | None = None  # an offering whose seat they accepted in an earlier round


@dataclass(frozen=True, slots=True)
class OfferingIn:
    id: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Problem:
    offerings: tuple[OfferingIn, ...]
    applicants: tuple[ApplicantIn, ...]
    tie_break: TieBreak = TieBreak.LOTTERY
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Cutoff:
    """The priority of the last admitted applicant at an offering."""

    group: int
    lottery: float


@dataclass(frozen=True, slots=True)
class ChoiceOutcome:
    applicant: str
    offering: str
    reason: Reason
    position: int | None = None  # 1-based place on the waiting list when WAITING


@dataclass(frozen=True, slots=True)
class Solution:
    assignments: dict[str, str | None]  # applicant id -> offering id or None
    waitlists: dict[str, tuple[str, ...]]  # offering id -> applicant ids, best first
    cutoffs: dict[str, Cutoff | None]  # offering id -> cutoff, None when nobody was admitted
    outcomes: tuple[ChoiceOutcome, ...]  # one per choice of every applicant
    lotteries: dict[str, float]  # applicant id -> the number that broke ties
