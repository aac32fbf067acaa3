"""A short run of the deadline-day load bench (bench/load.py), so that it keeps working.

The figures come from the full run (see the bench's docstring); this only proves that every
journey of the mix gets through gunicorn on PostgreSQL without an error.
"""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.services


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_short_load_run_gets_every_journey_through_without_an_error():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        need_service("the load bench needs PostgreSQL (DATABASE_URL)")
    # A database of its own, beside the test database: the bench migrates and seeds it.
    bench_url = urlparse(url)._replace(path="/bench_load_smoke").geturl()
    env = {**os.environ, "DATABASE_URL": bench_url}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--applications",
            "300",
            "--users",
            "6",
            "--seconds",
            "30",
            "--pool",
            # More accounts than journeys in 30 s: a reused account may pick the offering it
            # already applied to, and the bench counts that redirect as an error.
            "400",
            "--workers",
            "2",
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    step = re.search(r"^\s+6\s+[\d.]+\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)\s", report, re.MULTILINE)
    assert step, report
    requests, errors = int(step.group(1)), int(step.group(2))
    assert requests > 20, report
    assert errors == 0, report
    for page in ("apply: submit", "apply: upload", "queue: page", "catalogue: offerings"):
        assert page in report, report
