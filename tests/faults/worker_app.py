"""The project's Celery app (config.celery), for a worker the fault tests kill on purpose.

`celery -A tests.faults.worker_app worker` is `celery -A config worker` with one addition: when
FAULT_STOP_AT names a point, the task that reaches it creates the file FAULT_MARKER and then
hangs there, so the test can SIGKILL the worker at exactly that moment:

- `round-write`: inside the round's write transaction, after the results were inserted and
  before the cutoffs and the status (nothing of it is committed yet);
- `letter-file`: in the middle of writing the FAULT_LETTER-th letter's PDF into private storage
  (half the bytes on disk, no row yet).
"""

import os
import time
from pathlib import Path

import django
from celery import signals
from django.core.files.base import ContentFile

from config.celery import app

STOP_AT = os.environ.get("FAULT_STOP_AT", "")
HANG_SECONDS = 600


def _stop_here() -> None:
    Path(os.environ["FAULT_MARKER"]).touch()
    time.sleep(HANG_SECONDS)


class _HalfWritten(ContentFile):
    """Gives storage the first half of its bytes, then hangs: a write cut off by the kill."""

    def chunks(self, chunk_size=None):
        data = self.read()
        yield data[: len(data) // 2]
        _stop_here()
        yield data[len(data) // 2 :]


def _install() -> None:
    if STOP_AT == "round-write":
        from admissions.rounds.services import rounds

        cutoffs = rounds.cutoffs_from_solution

        def cutoffs_then_stop(*args, **kwargs):
            _stop_here()
            return cutoffs(*args, **kwargs)

        rounds.cutoffs_from_solution = cutoffs_then_stop
    elif STOP_AT == "letter-file":
        from admissions.rounds.services import letters

        save_with_file = letters.save_with_file
        stop_at = int(os.environ["FAULT_LETTER"])
        calls = {"n": 0}

        def save_half_then_stop(row, field, name, content, **options):
            calls["n"] += 1
            if calls["n"] == stop_at:
                content = _HalfWritten(content.read())
            return save_with_file(row, field, name, content, **options)

        letters.save_with_file = save_half_then_stop
    elif STOP_AT:
        raise ValueError(f"unknown FAULT_STOP_AT {STOP_AT!r}")


@signals.worker_init.connect
def _on_worker_init(**kwargs):
    # In the worker's main process, before the pool's processes are forked from it.
    django.setup()
    _install()


__all__ = ["app"]
