"""Hypothesis strategies for matching problems, and a reference reading of the rules.

The reference functions restate the issue's rules directly (priority as a tuple, waiting lists
by filtering and sorting), independently of the engine's packed integer keys.
"""

from __future__ import annotations

from hypothesis import strategies as st

from admissions.matching import ApplicantIn, ChoiceIn, OfferingIn, Problem, Solution, TieBreak


@st.composite
def problems(draw, max_applicants: int = 30, max_offerings: int = 8, max_choices: int = 5):
    m = draw(st.integers(1, max_offerings))
    caps = draw(st.lists(st.integers(0, 4), min_size=m, max_size=m))
    # Ids are not in input order, so sorting by id and by input position differ.
    off_ids = draw(st.permutations([f"O{i}" for i in range(m)]))
    offerings = tuple(
        OfferingIn(id=oid, capacity=cap) for oid, cap in zip(off_ids, caps, strict=True)
    )
    n = draw(st.integers(0, max_applicants))
    app_ids = draw(st.permutations([f"A{i:02d}" for i in range(n)]))
    tie_break = draw(st.sampled_from(TieBreak))
    holders = dict.fromkeys(off_ids, 0)
    applicants = []
    for aid in app_ids:
        k = draw(st.integers(0, min(max_choices, m)))
        picked = draw(st.permutations(range(m)))[:k]
        choices = tuple(
            ChoiceIn(
                offering=off_ids[o],
                group=draw(st.integers(1, 5)),
                eligible=draw(st.integers(0, 9)) < 8,
            )
            for o in picked
        )
        seatable = [
            c.offering
            for c in choices
            if c.eligible and holders[c.offering] < caps[off_ids.index(c.offering)]
        ]
        held = draw(st.none() | st.sampled_from(seatable)) if seatable else None
        if held is not None:
            holders[held] += 1
        # Few distinct given numbers, so ties that only the id breaks are common.
        lottery = (
            draw(st.sampled_from([0.0, 0.25, 0.5, 0.75]) | st.floats(0, 1))
            if tie_break == TieBreak.GIVEN
            else None
        )
        applicants.append(ApplicantIn(id=aid, choices=choices, lottery=lottery, held=held))
    return Problem(
        offerings=offerings,
        applicants=tuple(applicants),
        tie_break=tie_break,
        seed=draw(st.integers(0, 2**40)),
    )


def choice_at(applicant: ApplicantIn, offering: str) -> tuple[int, ChoiceIn] | None:
    for i, c in enumerate(applicant.choices):
        if c.offering == offering:
            return i, c
    return None


def priority(applicant: ApplicantIn, offering: str, lotteries: dict[str, float]) -> tuple:
    """The applicant's priority at the offering as the issue states it; lower is better."""
    _, choice = choice_at(applicant, offering)
    return (
        0 if applicant.held == offering else 1,
        choice.group,
        lotteries[applicant.id],
        applicant.id,
    )


def acceptable(applicant: ApplicantIn) -> list[str]:
    """Where the applicant may be placed, most wanted first: eligible, not below a held seat."""
    out = []
    for c in applicant.choices:
        if c.eligible:
            out.append(c.offering)
        if c.offering == applicant.held:
            break
    return out


def preference(applicant: ApplicantIn, offering: str | None) -> int:
    """Position in the applicant's list; nothing at all is worst."""
    if offering is None:
        return len(applicant.choices)
    return choice_at(applicant, offering)[0]


def is_stable(problem: Problem, assignments: dict[str, str | None], lotteries) -> bool:
    caps = {o.id: o.capacity for o in problem.offerings}
    by_offering: dict[str, list[ApplicantIn]] = {o.id: [] for o in problem.offerings}
    for a in problem.applicants:
        if assignments[a.id] is not None:
            by_offering[assignments[a.id]].append(a)
    for a in problem.applicants:
        mine = preference(a, assignments[a.id])
        for o in acceptable(a):
            if preference(a, o) >= mine:
                break
            admitted = by_offering[o]
            if len(admitted) < caps[o]:
                return False
            if any(priority(b, o, lotteries) > priority(a, o, lotteries) for b in admitted):
                return False
    return True


def expected_waitlists(problem: Problem, solution: Solution) -> dict[str, list[str]]:
    lines: dict[str, list[ApplicantIn]] = {o.id: [] for o in problem.offerings}
    for a in problem.applicants:
        mine = preference(a, solution.assignments[a.id])
        for i, c in enumerate(a.choices):
            if c.eligible and i < mine:
                lines[c.offering].append(a)
    return {
        oid: [a.id for a in sorted(line, key=lambda a: priority(a, oid, solution.lotteries))]
        for oid, line in lines.items()
    }
