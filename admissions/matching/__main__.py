"""Command line: ``python -m admissions.matching solve INPUT.json`` (``-`` reads stdin).

Prints the solution as JSON on stdout and exits 0. Bad input exits 2 with one line on stderr
naming the problem, never a traceback: the line is meant for the person who prepared the file.
"""

from __future__ import annotations

import argparse
import json
import sys

from admissions.matching.engine import solve
from admissions.matching.jsonio import problem_from_json, solution_to_json
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


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        _fail(f"cannot read {path}: {e.strerror or e}")
    except UnicodeDecodeError:
        _fail(f"cannot read {path}: not UTF-8 text")
    raise AssertionError("unreachable")  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m admissions.matching", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve_cmd = commands.add_parser("solve", help="solve one round given as JSON")
    solve_cmd.add_argument("input", help="the problem as JSON, or - for stdin")
    args = parser.parse_args(argv)

    text = _read(args.input)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        _fail(f"malformed JSON: {e.msg} (line {e.lineno}, column {e.colno})")
    except RecursionError:
        _fail("malformed JSON: nested too deeply")
    try:
        solution = solve(problem_from_json(data))
    except ProblemError as e:
        _fail(str(e))
    json.dump(solution_to_json(solution), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
