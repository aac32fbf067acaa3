"""The matching engine: applicant-proposing deferred acceptance with priorities.

Pure: imports nothing from Django or the rest of the project (an import-linter contract keeps
it so), only numpy and msgspec. Frozen records in, frozen records out (msgspec Structs); the
seed and the policy are arguments; no clock and no global random.

Two paths to one result: ``solve`` is the fast path on numpy arrays (fast.py), used by the
command line and the round service; ``solve_reference`` is the plain-Python reference
(engine.py) it is property-tested against, and which words every refusal.
"""

from admissions.matching.engine import lottery_number
from admissions.matching.engine import solve as solve_reference
from admissions.matching.fast import solve
from admissions.matching.types import (
    ApplicantIn,
    ChoiceIn,
    ChoiceOutcome,
    Cutoff,
    OfferingIn,
    Problem,
    ProblemError,
    Reason,
    Solution,
    TieBreak,
)

__all__ = [
    "ApplicantIn",
    "ChoiceIn",
    "ChoiceOutcome",
    "Cutoff",
    "OfferingIn",
    "Problem",
    "ProblemError",
    "Reason",
    "Solution",
    "TieBreak",
    "lottery_number",
    "solve",
    "solve_reference",
]
