"""Real processes for the fault tests: Celery workers that can be killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from config import celery_app

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery -A tests.faults.worker_app worker` (the project's app, see worker_app.py) in a
    process group of its own, so that a SIGKILL takes the main process and its pool at once, as
    the OOM killer or a lost machine would."""

    def __init__(self, *, queue: str, log: Path, env: dict[str, str], concurrency: int = 1):
        self.log = log
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.faults.worker_app",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-Q",
            queue,
            "-n",
            f"{queue}-{log.stem}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ]
        with log.open("w") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, what: str, done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {seconds} s:\n{self.text()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the whole group: nothing is acknowledged, nothing is cleaned up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def delete_queue(queue: str) -> None:
    with celery_app.connection_for_write() as broker:
        # Redis keeps the queue's binding after the worker is gone; a connection deletes only
        # the bindings it has declared itself.
        test_queue = celery_app.amqp.queues[queue].bind(broker.default_channel)
        test_queue.declare()
        test_queue.delete()
