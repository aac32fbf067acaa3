"""Applicant-proposing deferred acceptance with strict priorities: the reference engine.

This is the engine in plain Python, the reading of the rules that the fast path (fast.py, on
numpy arrays, the one the command line and the round service use) is tested against: both must
give the same Solution for the same Problem, and the fast path leaves every refusal to this one
so the words of a ProblemError are the same whichever path meets the input.

Priority of an applicant at an offering, best first:

1. holding a seat there (accepted in an earlier round of the intake period);
2. selection group of that choice, lower first;
3. the tie-break number, lower first: the lottery (one number per applicant, derived from the
   seed and the applicant id only, so every round of an intake period with the same seed gives
   the applicant the same number) or the given number;
4. the applicant id.

Holders never get anything ranked below the offering they hold: their choices below it are
dropped, and since they have top priority there the held seat is safe as long as the holders of
an offering fit its capacity (more holders than seats is a ProblemError, never a silent
over-admission).

The cutoff of an offering is the group and number of its lowest-priority admitted applicant;
when only holders were admitted, that is the last holder.

The engine is written for large regions (a million applicants): ids become ints up front, the
whole priority of an applicant at an offering is one int computed once, and the proposal loop
touches only flat arrays and per-offering heaps of ints. On a shared virtual machine the cost is
mostly cache misses, so the code prefers sequential passes to random lookups (see the waiting
lists' positions) and keeps the cyclic garbage collector off while it allocates.
"""

from __future__ import annotations

import gc
import hashlib
import math
from array import array
from heapq import heappush, heapreplace
from operator import attrgetter, itemgetter

from admissions.matching.types import (
    ChoiceOutcome,
    Cutoff,
    Problem,
    ProblemError,
    Reason,
    Solution,
    TieBreak,
)

_GROUPS = frozenset({1, 2, 3, 4, 5})
# Added to the group of every choice except a held one, so that holders sort before everyone.
_NOT_HELD = 8
# The heap of an offering without seats: minus this is below every key, so nobody gets in.
_NO_SEATS = [1]
_TWO_POW_53 = float(1 << 53)


def lottery_number(seed: int, applicant_id: str) -> float:
    """The applicant's lottery number in [0, 1) for the seed: a pure function of both.

    Taking nothing but (seed, id) makes the number independent of input order and of which
    other applicants are in the round, so every round of an intake period reuses it.
    """
    return _lottery_numbers(seed, [applicant_id])[0]


def _lottery_numbers(seed: int, applicant_ids: list[str]) -> list[float]:
    # BLAKE2b of "seed:id"; hashing the prefix once and copying the state is the same digest,
    # at half the cost per applicant.
    prefix = hashlib.blake2b(f"{seed}:".encode(), digest_size=8)
    from_bytes = int.from_bytes
    out = []
    for aid in applicant_ids:
        h = prefix.copy()
        h.update(aid.encode())
        # 53 bits fill a float's mantissa exactly: uniform, and never 1.0.
        out.append((from_bytes(h.digest(), "big") >> 11) / _TWO_POW_53)
    return out


def solve(problem: Problem) -> Solution:
    """Solve one round. Raises ProblemError (one line) when the input cannot be solved as given."""
    # The solve allocates millions of small acyclic objects; the cyclic collector would scan the
    # growing heap again and again for nothing (a third of the time at 100,000 applicants).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _solve(problem)
    finally:
        if was_enabled:
            gc.enable()


def _solve(problem: Problem) -> Solution:
    offerings = problem.offerings
    applicants = problem.applicants
    off_ids = [o.id for o in offerings]
    off_index = {oid: i for i, oid in enumerate(off_ids)}
    if len(off_index) != len(off_ids):
        raise ProblemError(f"duplicate offering id {_first_duplicate(off_ids)!r}")
    caps = [o.capacity for o in offerings]
    for off in offerings:
        if off.capacity < 0:
            raise ProblemError(f"offering {off.id!r} has negative capacity {off.capacity}")

    n = len(applicants)
    ids = [a.id for a in applicants]
    if len(set(ids)) != n:
        raise ProblemError(f"duplicate applicant id {_first_duplicate(ids)!r}")
    lots = _tie_break_numbers(problem, ids)

    # by_rank[r] is the applicant index with the r-th best (number, id); rank is its inverse.
    # Ranks are unique, so every priority key below is unique and decodes back to its applicant.
    by_rank = _order_by_number_then_id(lots, ids)
    rank = [0] * n
    for r, a in enumerate(by_rank):
        rank[a] = r
    big_n = n or 1

    # Proposals, flat: applicant a proposes to prop_off[end[a-1]:end[a]] in their order, with
    # priority keys prop_key ((flag + group) * N + rank; lower is better). The keys live unboxed
    # in arrays: millions of int objects scattered over the heap cost more in cache misses and
    # in freeing them than boxing each key again when it is read.
    prop_off: list[int] = []
    prop_key = array("q")
    append_off = prop_off.append
    append_key = prop_key.append
    end = [0] * n
    holders = [0] * len(offerings)
    groups = _GROUPS
    get_offering = off_index.get
    offering_of = attrgetter("offering")
    for a, app in enumerate(applicants):
        choices = app.choices
        base = _NOT_HELD * big_n + rank[a]
        held = app.held
        if held is None:
            for c in choices:
                o = get_offering(c.offering)
                g = c.group
                if o is None or g not in groups:
                    raise _choice_error(app.id, c)
                if c.eligible:
                    append_off(o)
                    append_key(g * big_n + base)
        else:
            for c in choices:
                if c.offering not in off_index or c.group not in groups:
                    raise _choice_error(app.id, c)
            for c in choices:
                if not c.eligible:
                    continue
                o = get_offering(c.offering)
                append_off(o)
                if c.offering == held:
                    # Top priority at the held seat, and nothing below it is proposed to.
                    append_key(c.group * big_n + base - _NOT_HELD * big_n)
                    holders[o] += 1
                    break
                append_key(c.group * big_n + base)
            else:
                raise ProblemError(
                    f"applicant {app.id!r} holds a seat at {held!r}, which is not one of their"
                    " eligible choices"
                )
        if len(set(map(offering_of, choices))) != len(choices):
            dup = _first_duplicate([c.offering for c in choices])
            raise ProblemError(f"applicant {app.id!r} chooses offering {dup!r} twice")
        end[a] = len(prop_off)
    for o, count in enumerate(holders):
        if count > caps[o]:
            raise ProblemError(
                f"offering {off_ids[o]!r} has {count} holders of a seat but capacity {caps[o]}"
            )

    # Deferred acceptance. Each heap holds the negated keys of the offering's tentatively
    # admitted, so heap[0] is minus the worst of them. A displaced applicant continues at once
    # from their next choice (the chain), which needs no queue of free applicants.
    heaps: list[list[int]] = [[] if cap else _NO_SEATS for cap in caps]
    ptr = [0, *end[:-1]] if n else []
    for first in range(n):
        a = first
        while a >= 0:
            p = ptr[a]
            e = end[a]
            nxt = -1
            while p < e:
                o = prop_off[p]
                k = prop_key[p]
                p += 1
                h = heaps[o]
                if len(h) < caps[o]:
                    heappush(h, -k)
                    break
                worst = -h[0]
                if k < worst:
                    heapreplace(h, -k)
                    nxt = by_rank[worst % big_n]
                    break
            ptr[a] = p
            a = nxt

    assigned = [-1] * n
    cutoffs: dict[str, Cutoff | None] = {}
    for o, h in enumerate(heaps):
        if not caps[o] or not h:
            cutoffs[off_ids[o]] = None
            continue
        for neg in h:
            assigned[by_rank[(-neg) % big_n]] = o
        worst = -h[0]
        cutoffs[off_ids[o]] = Cutoff(
            group=(worst // big_n) & 7, lottery=lots[by_rank[worst % big_n]]
        )

    # Waiting lists: an applicant waits wherever they proposed before the proposal that placed
    # them, or everywhere they proposed when unplaced (capacity-0 offerings included, which is
    # why those take proposals). Holders never wait at their held seat: they have it or better.
    waiting_at = [array("q") for _ in offerings]
    s = 0
    for a in range(n):
        e = end[a]
        stop = ptr[a] - 1 if assigned[a] >= 0 else e
        for p in range(s, stop):
            waiting_at[prop_off[p]].append(prop_key[p])
        s = e
    # Each offering's keys are in applicant order, the order in which _outcomes meets the
    # waiting choices; so the outcomes can take each offering's positions one after another
    # from a list (next_position[o]) instead of looking them up at random in a big table.
    id_by_rank = [ids[a] for a in by_rank]
    waitlists: dict[str, tuple[str, ...]] = {}
    next_position = []
    modulo = big_n.__rmod__
    for o, keys in enumerate(waiting_at):
        ranked = sorted(keys)
        count = len(ranked)
        # itemgetter gathers the tuple in one call, faster than tuple(map(...)).
        if count > 1:
            waitlists[off_ids[o]] = itemgetter(*map(modulo, ranked))(id_by_rank)
        else:
            waitlists[off_ids[o]] = tuple(map(id_by_rank.__getitem__, map(modulo, ranked)))
        # The keys are unique, so a small dict gives each its 1-based place in the sorted order;
        # position_of[j] is the place of the j-th waiting applicant (in applicant order).
        place = dict(zip(ranked, range(1, count + 1), strict=True))
        position_of = list(map(place.__getitem__, keys))
        next_position.append(iter(position_of).__next__)
    del waiting_at

    outcomes = _outcomes(applicants, off_index, off_ids, assigned, next_position)
    return Solution(
        assignments=dict(zip(ids, [off_ids[o] if o >= 0 else None for o in assigned], strict=True)),
        waitlists=waitlists,
        cutoffs=cutoffs,
        outcomes=outcomes,
        lotteries=dict(zip(ids, lots, strict=True)),
    )


def _choice_error(applicant_id: str, c) -> ProblemError:
    if c.group not in _GROUPS:
        return ProblemError(
            f"applicant {applicant_id!r} has selection group {c.group!r} at {c.offering!r};"
            " groups are 1-5"
        )
    return ProblemError(f"applicant {applicant_id!r} chooses unknown offering {c.offering!r}")


def _outcomes(applicants, off_index, off_ids, assigned, next_position):
    admitted = Reason.ADMITTED
    not_eligible = Reason.NOT_ELIGIBLE
    below = Reason.BELOW_ASSIGNMENT
    waiting = Reason.WAITING
    outcome = ChoiceOutcome
    outcomes: list[ChoiceOutcome] = []
    add = outcomes.append
    for a, app in enumerate(applicants):
        got = assigned[a]
        got_id = off_ids[got] if got >= 0 else None
        aid = app.id
        reached = False
        for c in app.choices:
            oid = c.offering
            if not c.eligible:
                add(outcome(aid, oid, not_eligible))
            elif reached:
                add(outcome(aid, oid, below))
            elif oid == got_id:
                add(outcome(aid, oid, admitted))
                reached = True
            else:
                # Ranked above what they got (or they got nothing): waiting. Applicants meet
                # here in the same order as they were put on the offering's list.
                add(outcome(aid, oid, waiting, next_position[off_index[oid]]()))
    return tuple(outcomes)


def _tie_break_numbers(problem: Problem, ids: list[str]) -> list[float]:
    if problem.tie_break == TieBreak.LOTTERY:
        return _lottery_numbers(problem.seed, ids)
    if problem.tie_break != TieBreak.GIVEN:
        raise ProblemError(f"unknown tie-break {problem.tie_break!r}")
    lots = [a.lottery for a in problem.applicants]
    for app, x in zip(problem.applicants, lots, strict=True):
        if x is None:
            raise ProblemError(f"applicant {app.id!r} has no lottery number (tie-break: given)")
        if not math.isfinite(x):
            raise ProblemError(f"applicant {app.id!r} has a lottery number that is not finite")
    return lots


def _order_by_number_then_id(lots: list[float], ids: list[str]) -> list[int]:
    order = sorted(range(len(lots)), key=lots.__getitem__)
    if len(set(lots)) == len(lots):
        return order
    # Equal numbers (common with given numbers such as dates): order each run by id.
    i = 0
    n = len(order)
    while i < n:
        j = i + 1
        x = lots[order[i]]
        while j < n and lots[order[j]] == x:
            j += 1
        if j - i > 1:
            order[i:j] = sorted(order[i:j], key=ids.__getitem__)
        i = j
    return order


def _first_duplicate(values: list[str]) -> str:
    seen = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    raise AssertionError("no duplicate")  # pragma: no cover - callers checked there is one
