"""The fast path: the reference engine's rules (engine.py) on numpy arrays.

Same input, same Solution, to the last waiting-list position: tests/matching/test_fast.py checks
that on generated problems for every tie-break, and the properties suite runs on this path. Any
input that fails a check here is handed to the reference engine, which raises the ProblemError
(so its words are the same whichever path is used); nothing here words an error.

How it is fast: the applicants' choices become flat arrays once (offering index, group,
eligibility; one priority key per proposal, an int64 packing (held, group, tie-break rank) as in
the reference), and each step is a handful of whole-array numpy operations:

- deferred acceptance in rounds (Gale and Shapley's original form): every free applicant
  proposes to their next acceptable offering at once; each offering that got proposals keeps the
  best of its tentatively admitted and its new proposers up to its capacity (one sort by
  (offering, key)) and rejects the rest, who propose again in the next round. Applicant-proposing
  deferred acceptance reaches the same applicant-optimal stable matching in whatever order the
  proposals are made (McVitie and Wilson 1970), so this is the reference's matching, not an
  approximation of it;
- outcomes, waiting lists and their positions come from one sort of the waiting choices by
  (offering, group, rank);
- the Solution's records are built by msgspec in C from columns (types.py).

Only the tie-break numbers of a lottery (BLAKE2b per applicant, shared with the reference) and
turning ids into indexes stay per-applicant Python, in map() over C functions.
"""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from heapq import heapify, heappush, heapreplace
from itertools import chain, repeat
from operator import attrgetter

import numpy as np

from admissions.matching import engine as reference
from admissions.matching.types import (
    ChoiceOutcome,
    Cutoff,
    Problem,
    Solution,
    TieBreak,
)
from admissions.matching.types import Reason as _Reason

# Reason codes per choice, and the Reason each stands for.
_NOT_ELIGIBLE, _WAITING, _ADMITTED, _BELOW = 0, 1, 2, 3
_REASONS = np.array(
    [_Reason.NOT_ELIGIBLE, _Reason.WAITING, _Reason.ADMITTED, _Reason.BELOW_ASSIGNMENT],
    dtype=object,
)
# As in the reference: added to the group of every choice except a held one.
_NOT_HELD = 8
# Keys are (flag + group) * N + rank with flag + group <= 13.
_KEY_SPAN = 14
_NOWHERE = np.iinfo(np.int64).max

_get_id = attrgetter("id")
_get_capacity = attrgetter("capacity")
_get_choices = attrgetter("choices")
_get_offering = attrgetter("offering")
_get_group = attrgetter("group")
_get_eligible = attrgetter("eligible")
_get_held = attrgetter("held")
_get_lottery = attrgetter("lottery")


def solve(problem: Problem) -> Solution:
    """Solve one round; the same contract as the reference engine's solve()."""
    columns = prepare(problem)
    if columns is None:
        # Something is wrong with the input: the reference says what, in its own words.
        return reference.solve(problem)
    return solve_prepared(columns)


def prepare(problem: Problem) -> _Columns | None:
    """The first half of solve(): the problem as checked arrays, or None when it breaks a rule
    (reference.solve(problem) then raises the ProblemError). The columns hold everything the
    solve needs, so a caller that owns the problem (the command line) can let its records go
    before solve_prepared: ~650 MB of a national round's peak."""
    with _gc_paused():
        return _columns(problem)


def solve_prepared(columns: _Columns) -> Solution:
    """The second half of solve(), on prepare()'s columns."""
    with _gc_paused():
        return _solve(columns)


@contextmanager
def _gc_paused():
    # Millions of new tuples and records: the cyclic collector would walk them again and again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Columns:
    """The problem as arrays, checked: everything _solve needs."""

    __slots__ = (
        "c_app",
        "c_elig",
        "c_group",
        "c_held",
        "c_off",
        "c_pos",
        "caps",
        "counts",
        "held_pos",
        "ids",
        "lot_values",
        "lots",
        "off_ids",
    )


def _columns(problem: Problem) -> _Columns | None:
    """The problem's columns, or None when it breaks a rule (the reference then raises)."""
    try:
        return _columns_or_none(problem)
    except (TypeError, ValueError, OverflowError):
        # A value of the wrong type (the Structs do not check types when built in Python).
        return None


def _columns_or_none(problem: Problem) -> _Columns | None:
    if problem.tie_break not in (TieBreak.LOTTERY, TieBreak.GIVEN):
        return None
    offerings = problem.offerings
    m = len(offerings)
    off_ids = list(map(_get_id, offerings))
    off_index = dict(zip(off_ids, range(m), strict=True))
    if len(off_index) != m or None in off_index:
        return None
    caps = np.fromiter(map(_get_capacity, offerings), np.int64, m)
    if m and caps.min() < 0:
        return None

    applicants = problem.applicants
    n = len(applicants)
    ids = list(map(_get_id, applicants))
    if len(set(ids)) != n:
        return None
    choices_of = list(map(_get_choices, applicants))
    counts = np.fromiter(map(len, choices_of), np.int64, n)
    total = int(counts.sum())
    flat = list(chain.from_iterable(choices_of))
    c_off = np.fromiter(map(off_index.get, map(_get_offering, flat), repeat(-1)), np.int64, total)
    c_group = np.fromiter(map(_get_group, flat), np.int64, total)
    c_elig = np.fromiter(map(_get_eligible, flat), np.bool_, total)
    del flat, choices_of
    if total and (c_off.min() < 0 or c_group.min() < 1 or c_group.max() > 5):
        return None

    c_app = np.repeat(np.arange(n, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    c_pos = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    if _has_repeated_choice(n, counts, c_app, c_pos, c_off, m):
        return None

    # Held seats: -2 for none, -1 for an offering id that is not one of the offerings.
    held_index = {**off_index, None: -2}
    held = np.fromiter(map(held_index.get, map(_get_held, applicants), repeat(-1)), np.int64, n)
    held_pos = np.full(n, _NOWHERE, dtype=np.int64)
    c_held = np.zeros(total, dtype=np.bool_)
    if n and held.min() == -1:
        return None
    if n and held.max() >= 0:
        c_held = c_off == held[c_app]
        held_choice = np.flatnonzero(c_held & c_elig)
        holder = held >= 0
        if int(holder.sum()) != held_choice.size:
            return None  # a holder whose held offering is not one of their eligible choices
        held_pos[c_app[held_choice]] = c_pos[held_choice]
        if (np.bincount(held[holder], minlength=m) > caps).any():
            return None

    if problem.tie_break == TieBreak.LOTTERY:
        lots = lottery_numbers(problem.seed, ids)
        lot_values = lots.tolist()
    else:
        lot_values = list(map(_get_lottery, applicants))
        if None in lot_values:
            return None
        lots = np.array(lot_values, dtype=np.float64)
        if n and not np.isfinite(lots).all():
            return None

    columns = _Columns()
    columns.off_ids = off_ids
    columns.caps = caps
    columns.ids = ids
    columns.counts = counts
    columns.c_app = c_app
    columns.c_pos = c_pos
    columns.c_off = c_off
    columns.c_group = c_group
    columns.c_elig = c_elig
    columns.c_held = c_held
    columns.held_pos = held_pos
    columns.lots = lots
    columns.lot_values = lot_values
    return columns


def _has_repeated_choice(n, counts, c_app, c_pos, c_off, m) -> bool:
    longest = int(counts.max()) if n else 0
    if longest < 2:
        return False
    total = c_off.size
    if n * longest <= 4 * total:
        # Lists are short: one row per applicant, sorted, with equal neighbours a repeat.
        rows = np.full((n, longest), -1, dtype=np.int64)
        rows[c_app, c_pos] = c_off
        rows.sort(axis=1)
        return bool(((rows[:, 1:] == rows[:, :-1]) & (rows[:, 1:] >= 0)).any())
    pairs = np.sort(c_app * m + c_off)
    return bool((pairs[1:] == pairs[:-1]).any())


def lottery_numbers(seed: int, applicant_ids: list[str]) -> np.ndarray:
    """The reference's lottery numbers (engine.lottery_number), as a float64 array."""
    copy = hashlib.blake2b(f"{seed}:".encode(), digest_size=8).copy

    def digest(aid: str) -> bytes:
        h = copy()
        h.update(aid.encode())
        return h.digest()

    words = np.frombuffer(b"".join(map(digest, applicant_ids)), dtype=">u8")
    # The top 53 bits over 2**53, as the reference: exact in float64, so the same numbers.
    return (words >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _tie_break_order(lots: np.ndarray, ids: list[str]) -> np.ndarray:
    """Applicant indexes by (number, id), best first: the reference's order."""
    order = np.argsort(lots, kind="stable")
    ordered = lots[order]
    if not (ordered[1:] == ordered[:-1]).any():
        return order
    # Equal numbers (common with given numbers such as dates): the id decides.
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[by_id] = np.arange(len(ids), dtype=np.int64)
    return np.lexsort((id_rank, lots))


def _solve(col: _Columns) -> Solution:
    n = len(col.ids)
    m = len(col.off_ids)
    total = col.c_off.size
    caps = col.caps
    big_n = n or 1

    by_rank = _tie_break_order(col.lots, col.ids)
    rank = np.empty(n, dtype=np.int64)
    rank[by_rank] = np.arange(n, dtype=np.int64)

    # Proposals: the eligible choices, a holder's only down to the held one, in applicant order.
    prop = np.flatnonzero(col.c_elig & (col.c_pos <= col.held_pos[col.c_app]))
    p_app = col.c_app[prop]
    p_off = col.c_off[prop]
    flag = np.where(col.c_held[prop], 0, _NOT_HELD)
    p_key = (flag + col.c_group[prop]) * big_n + rank[p_app]
    p_count = np.bincount(p_app, minlength=n)
    p_end = np.cumsum(p_count)
    accepted = _defer_acceptance(p_app, p_off, p_key, p_end - p_count, p_end, caps, by_rank, big_n)

    # What each applicant got, as an offering and as a place in their list.
    acc_app = p_app[accepted]
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[acc_app] = p_off[accepted]
    got_pos = np.full(n, _NOWHERE, dtype=np.int64)
    got_pos[acc_app] = col.c_pos[prop[accepted]]

    # Cutoffs: the worst key admitted at each offering.
    worst = np.full(m, -1, dtype=np.int64)
    np.maximum.at(worst, p_off[accepted], p_key[accepted])
    cutoffs: dict[str, Cutoff | None] = dict.fromkeys(col.off_ids)
    lot_values = col.lot_values
    for o in np.flatnonzero(worst >= 0).tolist():
        w = int(worst[o])
        cutoffs[col.off_ids[o]] = Cutoff((w // big_n) & 7, lot_values[int(by_rank[w % big_n])])

    # Reasons: below what they got is "below", above it (or everywhere when they got nothing)
    # is waiting; an ineligible choice is that whatever its place.
    mine = got_pos[col.c_app]
    code = np.where(col.c_pos < mine, _WAITING, _BELOW)
    code[col.c_pos == mine] = _ADMITTED
    code[~col.c_elig] = _NOT_ELIGIBLE

    # Waiting lists: the waiting choices by (offering, group, rank). A waiting choice is never
    # a held one (a holder gets the held seat or better), so its key's flag is always "not held".
    waiting = np.flatnonzero(code == _WAITING)
    w_off = col.c_off[waiting]
    order_key = (w_off * 5 + (col.c_group[waiting] - 1)) * big_n + rank[col.c_app[waiting]]
    line = waiting[_argsort_unique(order_key, total)]
    line_off = col.c_off[line]
    line_count = np.bincount(w_off, minlength=m)
    line_start = np.cumsum(line_count) - line_count
    position = np.zeros(total, dtype=np.int64)
    position[line] = np.arange(1, line.size + 1, dtype=np.int64) - line_start[line_off]

    id_col = np.array(col.ids, dtype=object)
    line_ids = id_col[col.c_app[line]].tolist()
    bounds = (line_start + line_count).tolist()
    waitlists = {}
    begin = 0
    for oid, end in zip(col.off_ids, bounds, strict=True):
        waitlists[oid] = tuple(line_ids[begin:end])
        begin = end
    del line_ids

    off_col = np.array([*col.off_ids, None], dtype=object)
    positions = np.full(total, None, dtype=object)
    positions[waiting] = position[waiting]
    outcomes = tuple(
        map(
            ChoiceOutcome,
            np.repeat(id_col, col.counts).tolist(),
            off_col[col.c_off].tolist(),
            _REASONS[code].tolist(),
            positions.tolist(),
        )
    )
    return Solution(
        assignments=dict(zip(col.ids, off_col[assigned].tolist(), strict=True)),
        waitlists=waitlists,
        cutoffs=cutoffs,
        outcomes=outcomes,
        lotteries=dict(zip(col.ids, lot_values, strict=True)),
    )


def _argsort_unique(keys: np.ndarray, bound: int) -> np.ndarray:
    """argsort of distinct non-negative keys; when the index fits beside the key in 63 bits,
    a plain sort of (key, index) packed into one int64 does it in about half the time."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    shift = max(int(bound), 1).bit_length()
    if int(keys.max()).bit_length() + shift <= 63:
        packed = (keys << shift) | np.arange(keys.size, dtype=np.int64)
        packed.sort()
        return packed & ((1 << shift) - 1)
    return np.argsort(keys)


def _defer_acceptance(p_app, p_off, p_key, p_start, p_end, caps, by_rank, big_n) -> np.ndarray:
    """The proposals (indexes into p_*) that end up accepted.

    Round after round, every free applicant with proposals left makes their next one; each
    offering that got some keeps the best of its accepted and its new ones up to capacity.
    A round costs a few whole-array passes however few propose, so once fewer than
    SEQUENTIAL_BELOW applicants are free the rest goes one proposal at a time (a long chain
    of displacements would otherwise take a round per link).
    """
    m = caps.size
    span = _KEY_SPAN * big_n
    ptr = p_start.copy()
    free = np.flatnonzero(p_end > p_start)
    accepted = np.zeros(0, dtype=np.int64)
    while free.size:
        if free.size < SEQUENTIAL_BELOW:
            return _finish_in_sequence(
                free, ptr, accepted, p_off, p_key, p_end, caps, by_rank, big_n
            )
        props = ptr[free]
        ptr[free] = props + 1
        touched = np.zeros(m, dtype=np.bool_)
        touched[p_off[props]] = True
        if accepted.size:
            again = touched[p_off[accepted]]
            kept = accepted[~again]
            props = np.concatenate((accepted[again], props))
        else:
            kept = accepted
        off = p_off[props]
        props = props[_argsort_unique(off * span + p_key[props], props.size)]
        off = p_off[props]
        # Place within the offering's run of the sorted proposals, 0 for its best.
        first = np.flatnonzero(np.concatenate(([True], off[1:] != off[:-1])))
        run = np.diff(np.append(first, off.size))
        place = np.arange(off.size, dtype=np.int64) - np.repeat(first, run)
        keep = place < caps[off]
        accepted = np.concatenate((kept, props[keep]))
        free = p_app[props[~keep]]
        free = free[ptr[free] < p_end[free]]
    return accepted


# Below this many free applicants, deferred acceptance goes on one proposal at a time.
SEQUENTIAL_BELOW = 64


def _finish_in_sequence(free, ptr, accepted, p_off, p_key, p_end, caps, by_rank, big_n):
    """Deferred acceptance from where the rounds left it, as the reference does it: a displaced
    applicant goes on at once from their next choice. Each offering gets a heap of its accepted
    keys (negated, so heap[0] is minus the worst) the first time it is proposed to."""
    acc_off = p_off[accepted]
    by_off = np.argsort(acc_off, kind="stable")
    acc_key = p_key[accepted][by_off]
    acc_end = np.cumsum(np.bincount(acc_off, minlength=caps.size))
    heaps: dict[int, list[int]] = {}

    def heap_of(o: int) -> list[int]:
        h = heaps.get(o)
        if h is None:
            begin = acc_end.item(o - 1) if o else 0
            h = heaps[o] = (-acc_key[begin : acc_end.item(o)]).tolist()
            heapify(h)
        return h

    for first in free.tolist():
        a = first
        while a >= 0:
            p = ptr.item(a)
            e = p_end.item(a)
            nxt = -1
            while p < e:
                o = p_off.item(p)
                k = p_key.item(p)
                p += 1
                cap = caps.item(o)
                if not cap:
                    continue
                h = heap_of(o)
                if len(h) < cap:
                    heappush(h, -k)
                    break
                worst = -h[0]
                if k < worst:
                    heapreplace(h, -k)
                    nxt = by_rank.item(worst % big_n)
                    break
            ptr[a] = p
            a = nxt

    # An applicant's accepted proposal is always their latest one.
    untouched = np.ones(caps.size, dtype=np.bool_)
    untouched[list(heaps)] = False
    keys = [-x for h in heaps.values() for x in h]
    held = by_rank[np.array(keys, dtype=np.int64) % big_n]
    return np.concatenate((accepted[untouched[acc_off]], ptr[held] - 1))
