"""Times the matching engine on generated regions and prints solve time and peak memory.

    .venv/bin/python bench/matching.py [--sizes small,large] [--seed 1] [--choices 5|mixed]

Sizes: small = 100,000 applicants over 1,000 offerings (goal: solve < 1 s, command line < 2 s),
large = 1,000,000 applicants over 10,000 offerings (goal: solve < 8 s; command line < 20 s and
< 2 GB). Each size runs in its own child
process, so its peak resident set size (ru_maxrss) is its own; the figure includes the generated
problem, which is printed separately ("before solve"). Solve time is time.perf_counter around
solve() only (generation excluded), best and median of --repeat solves of the same problem (the
machine is shared, so single runs vary a lot), with the CPU time of the best; it covers
everything solve() returns: assignments, waiting lists, cutoffs and one outcome per choice.

The instances: capacities 10-30; offerings' popularity Zipf-like (weight 1/rank^0.9, shuffled so
popular offerings are not the first ones); 5 choices each (or 1-5 with --choices mixed);
selection group mostly per applicant (5/25/40/15/15 % for groups 1-5) and sometimes different for
a choice; 90 % of choices eligible; 3 % of applicants hold a seat from an earlier round.

The command line is timed from outside, as a user runs it: the child writes the problem as the
CLI's JSON input, then `python -m admissions.matching solve INPUT` runs as a process of its own
with its output to a file; wall time from start to exit (interpreter start, read, check, solve,
write) and that process's own peak RSS (os.wait4), best of --repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from admissions.matching import (  # noqa: E402
    ApplicantIn,
    ChoiceIn,
    OfferingIn,
    Problem,
    TieBreak,
    solve,
)

# applicants, offerings, solve goal (s), command-line goal (s)
SIZES = {
    "small": (100_000, 1_000, 1.0, 2.0),
    "large": (1_000_000, 10_000, 8.0, 20.0),
}
GROUP_WEIGHTS = [5, 25, 40, 15, 15]
MEMORY_GOAL_MB = 2048


def generate(applicants: int, offerings: int, seed: int, mixed: bool) -> Problem:
    rng = random.Random(seed)
    offs = tuple(OfferingIn(id=f"O{i:05d}", capacity=rng.randint(10, 30)) for i in range(offerings))
    popularity = [1 / (r + 1) ** 0.9 for r in range(offerings)]
    rng.shuffle(popularity)
    cum = []
    total = 0.0
    for w in popularity:
        total += w
        cum.append(total)
    # One bulk draw is much faster than millions of small ones; duplicates are redrawn below.
    pool = rng.choices(range(offerings), cum_weights=cum, k=applicants * 6)
    pool_at = 0
    groups = rng.choices(range(1, 6), weights=GROUP_WEIGHTS, k=applicants)
    counts = (
        rng.choices(range(1, 6), weights=[10, 15, 20, 20, 35], k=applicants)
        if mixed
        else [5] * applicants
    )
    holders = [0] * offerings
    out = []
    rand = rng.random
    for a in range(applicants):
        k = counts[a]
        picked: list[int] = []
        while len(picked) < k:
            if pool_at < len(pool):
                o = pool[pool_at]
                pool_at += 1
            else:
                o = rng.randrange(offerings)
            if o not in picked:
                picked.append(o)
        g = groups[a]
        choices = tuple(
            ChoiceIn(
                offering=offs[o].id,
                group=g if rand() < 0.9 else rng.randint(1, 5),
                eligible=rand() < 0.9,
            )
            for o in picked
        )
        held = None
        if rand() < 0.03:
            eligible = [i for i, c in enumerate(choices) if c.eligible]
            if eligible:
                i = rng.choice(eligible)
                if holders[picked[i]] < offs[picked[i]].capacity:
                    holders[picked[i]] += 1
                    held = choices[i].offering
        out.append(ApplicantIn(id=f"A{a:07d}", choices=choices, held=held))
    return Problem(offerings=offs, applicants=tuple(out), tie_break=TieBreak.LOTTERY, seed=seed)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(size: str, seed: int, mixed: bool, repeat: int, input_path: str) -> None:
    applicants, offerings, _goal, _cli_goal = SIZES[size]
    t0 = time.perf_counter()
    problem = generate(applicants, offerings, seed, mixed)
    generated = time.perf_counter() - t0
    before = _rss_mb()
    walls, cpus = [], []
    for _ in range(repeat):
        solution = None  # free the previous result first, as a real run would not hold two
        c0, t0 = time.process_time(), time.perf_counter()
        solution = solve(problem)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    admitted = sum(1 for o in solution.assignments.values() if o is not None)
    Path(input_path).write_bytes(msgspec.json.encode(problem))
    print(
        json.dumps(
            {
                "generate_s": generated,
                "solve_s": min(walls),
                "solve_median_s": statistics.median(walls),
                "solve_cpu_s": min(cpus),
                "rss_before_solve_mb": before,
                "peak_rss_mb": peak,
                "choices": sum(len(a.choices) for a in problem.applicants),
                "admitted": admitted,
                "seats": sum(o.capacity for o in problem.offerings),
            }
        )
    )


def run_cli(input_path: Path, output_path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of the command line, as its own process."""
    with output_path.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "admissions.matching", "solve", str(input_path)],
            cwd=ROOT,
            stdout=out,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the command line failed with exit status {process.returncode}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small, large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--choices", choices=["5", "mixed"], default="5")
    parser.add_argument("--repeat", type=int, default=3, help="solves per size; best is judged")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    mixed = args.choices == "mixed"
    if args.child:
        child(args.child, args.seed, mixed, args.repeat, args.input)
        return 0

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = False
    work = tempfile.TemporaryDirectory(prefix="bench-matching-")
    for size in sizes:
        applicants, offerings, goal, cli_goal = SIZES[size]
        input_path = Path(work.name) / f"{size}.json"
        result = subprocess.run(
            [
                *(sys.executable, __file__, "--child", size, "--input", str(input_path)),
                *(
                    "--seed",
                    str(args.seed),
                    "--choices",
                    args.choices,
                    "--repeat",
                    str(args.repeat),
                ),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(result.stdout)
        output_path = Path(work.name) / f"{size}.out.json"
        cli_runs = [run_cli(input_path, output_path) for _ in range(args.repeat)]
        cli_wall = min(wall for wall, _rss in cli_runs)
        cli_rss = max(rss for _wall, rss in cli_runs)
        ok_time = r["solve_s"] < goal
        ok_mem = size != "large" or r["peak_rss_mb"] < MEMORY_GOAL_MB
        ok_cli = cli_wall < cli_goal and (size != "large" or cli_rss < MEMORY_GOAL_MB)
        failed |= not (ok_time and ok_mem and ok_cli)
        print(
            f"{size}: {applicants:,} applicants, {r['choices']:,} choices, {offerings:,} offerings"
            f" ({r['seats']:,} seats, {r['admitted']:,} admitted)\n"
            f"  solve {r['solve_s']:.2f} s best of {args.repeat},"
            f" median {r['solve_median_s']:.2f} s,"
            f" CPU {r['solve_cpu_s']:.2f} s (goal < {goal:g} s: {'ok' if ok_time else 'MISSED'});"
            f" generate {r['generate_s']:.1f} s\n"
            f"  peak RSS {r['peak_rss_mb']:.0f} MB"
            f" (of which {r['rss_before_solve_mb']:.0f} MB before solve: interpreter + problem)"
            + (
                f" (goal < {MEMORY_GOAL_MB} MB: {'ok' if ok_mem else 'MISSED'})"
                if size == "large"
                else ""
            )
            + f"\n  command line {cli_wall:.2f} s best of {args.repeat} end to end"
            f" (input {input_path.stat().st_size / 2**20:.0f} MB,"
            f" output {output_path.stat().st_size / 2**20:.0f} MB),"
            f" peak RSS {cli_rss:.0f} MB"
            f" (goal < {cli_goal:g} s"
            + (f" and < {MEMORY_GOAL_MB} MB" if size == "large" else "")
            + f": {'ok' if ok_cli else 'MISSED'})"
        )
        input_path.unlink()
        output_path.unlink()
    work.cleanup()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
