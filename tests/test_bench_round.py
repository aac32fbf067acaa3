"""A small run of the round bench (bench/round.py), so that it keeps measuring a real run: it
stopped doing so once rounds were started through the task outbox, and nothing noticed."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.services


def test_a_small_round_bench_runs_the_round_and_prints_each_phase():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        need_service("the round bench needs PostgreSQL (DATABASE_URL)")
    # A database of its own, beside the test database: the bench migrates and seeds it.
    env = {**os.environ, "DATABASE_URL": urlparse(url)._replace(path="/bench_round_smoke").geturl()}
    # Without a broker a sent task runs at once, in process: the case the bench must stop
    # (with one, a sent task would wait in a queue that the worker tests read).
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "round.py"),
            "--applications",
            "300",
            "--offerings",
            "6",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = re.search(r"results: (\d+) rows, (\d+) admitted", result.stdout)
    assert results and int(results[1]) > 0 and int(results[2]) > 0, result.stdout
    for phase in ("load (snapshot)", "match (engine)", "write (bulk)", "round_publish"):
        assert phase in result.stdout, result.stdout
