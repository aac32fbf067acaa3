"""Command line: ``python -m admissions.matching solve INPUT.json`` (``-`` reads stdin).

Prints the solution as compact JSON on stdout (``--indent N`` for a pretty one) and exits 0.
Bad input exits 2 with one line on stderr naming the problem, never a traceback: the line is
meant for the person who prepared the file.
"""

from __future__ import annotations

import argparse
import sys

from admissions.matching import fast, solve_reference
from admissions.matching.jsonio import problem_from_bytes, solution_to_bytes, solution_write
from admissions.matching.types import ProblemError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the usage block too; keep to the promised single line.
        _fail(f"usage: {message}")


def _fail(message: str) -> None:
    # Messages quote ids with repr/json, but a stray line break must not split the line.
    print("error: " + " ".join(message.splitlines()), file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        _fail(f"cannot read {path}: {e.strerror or e}")
    raise AssertionError("unreachable")  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m admissions.matching", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve_cmd = commands.add_parser("solve", help="solve one round given as JSON")
    solve_cmd.add_argument("input", help="the problem as JSON, or - for stdin")
    solve_cmd.add_argument(
        "--indent", type=int, default=None, metavar="N", help="indent the output by N spaces"
    )
    args = parser.parse_args(argv)

    raw = _read(args.input)
    try:
        problem = problem_from_bytes(raw)
        # The input's bytes (~280 MB for a national round) are not needed once decoded.
        del raw
        columns = fast.prepare(problem)
        if columns is None:
            # The input breaks a rule: the reference engine raises the ProblemError.
            solution = solve_reference(problem)
        else:
            # Nor are the decoded records (~650 MB) once they are columns: they go before the
            # solve builds its result, which is where the peak is.
            del problem
            solution = fast.solve_prepared(columns)
            del columns
    except ProblemError as e:
        message = str(e)
        if message == "not UTF-8 text":
            message = f"cannot read {args.input}: not UTF-8 text"
        _fail(message)
    out = sys.stdout.buffer
    if args.indent:
        out.write(solution_to_bytes(solution, indent=args.indent))
    else:
        solution_write(solution, out)
    out.write(b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
