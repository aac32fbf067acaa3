"""The matching engine: applicant-proposing deferred acceptance with priorities.

Pure Python: imports nothing from Django or the rest of the project (an import-linter contract
keeps it so). Frozen dataclasses in, frozen dataclasses out; the seed and the policy are
arguments; no clock and no global random.
"""

from admissions.matching.engine import lottery_number, solve
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
]
