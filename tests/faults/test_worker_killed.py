"""A real Celery worker SIGKILLed in the middle of a round and in the middle of a batch of
decision letters; a new worker finishes the work, and the end state is a clean run's: every
round result once, every letter once, none half written (issue 11.2).

Runs against Redis and PostgreSQL only (a worker and the test share the database): it skips on
a developer's machine without them and fails in CI.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import AuditEntry
from admissions import tasks
from admissions.files.stored import ORPHAN_GRACE, orphans_remove
from admissions.rounds.models import (
    AdmissionRound,
    DecisionLetter,
    RoundCutoff,
    RoundResult,
    RoundStatus,
)
from admissions.rounds.services import rounds
from admissions.rounds.services.letters import letters_enqueue_for_round
from config import celery_app
from config.env import env_str
from tests.admissions.letters_support import decided_application
from tests.admissions.round_support import apply, new_round, officer, period_with_offerings
from tests.conftest import need_service
from tests.faults.support import Worker, delete_queue
from tests.test_celery import _database_url_for_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Short limits for the test's workers, so the lost task is given out again within seconds; the
# settings refuse a visibility timeout that is not longer than the hard limit.
TIME_LIMIT = 20
VISIBILITY_TIMEOUT = 25
LETTERS = 6
KILLED_AT_LETTER = 3


@pytest.fixture
def queue():
    if not env_str("REDIS_URL"):
        need_service("Redis (REDIS_URL) is needed to kill a real Celery worker")
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) is needed to kill a real Celery worker")
    name = f"test-faults-{uuid.uuid4().hex}"
    yield name
    delete_queue(name)


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def workers(tmp_path, media, queue):
    """Starts workers on the test's queue, database and media; stops whatever is left."""
    started: list[Worker] = []

    def start(name: str, **fault: str) -> Worker:
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url_for_worker(tmp_path),
            "PRIVATE_MEDIA_ROOT": str(media),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(TIME_LIMIT - 5),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "FAULT_MARKER": str(tmp_path / "stopped"),
            **fault,
        }
        worker = Worker(queue=queue, log=tmp_path / f"{name}.log", env=env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _to_queue(monkeypatch, task, queue: str) -> None:
    """The service's own enqueueing (the outbox, after the commit), sent to the test's queue."""
    apply_async = task.apply_async

    def to_the_test_queue(args=None, kwargs=None, **options):
        return apply_async(args, kwargs, **{**options, "queue": queue})

    monkeypatch.setattr(task, "apply_async", to_the_test_queue)


def _wait_out_the_visibility_timeout(marker: Path) -> None:
    """The lost message was delivered before the marker was made; once the timeout has passed
    since then, a worker that starts gives it out again."""
    time.sleep(max(0.0, marker.stat().st_mtime + VISIBILITY_TIMEOUT + 1 - time.time()))


def _results(admission_round) -> list[tuple]:
    return sorted(
        RoundResult.objects.filter(round=admission_round).values_list(
            "choice_id", "application_id", "offering_id", "outcome", "waiting_position", "group"
        )
    )


def _cutoffs(admission_round) -> list[tuple]:
    return sorted(
        RoundCutoff.objects.filter(round=admission_round).values_list(
            "offering_id", "admitted", "waiting", "group"
        )
    )


def test_the_limits_the_test_workers_use_are_the_ones_settings_accept():
    assert VISIBILITY_TIMEOUT > TIME_LIMIT
    assert celery_app.conf.broker_transport_options["visibility_timeout"] > (
        celery_app.conf.task_time_limit
    )
    assert ORPHAN_GRACE.total_seconds() > celery_app.conf.task_time_limit


def test_a_round_whose_worker_is_killed_mid_write_ends_as_a_clean_run(
    region, workers, queue, tmp_path, monkeypatch
):
    user = officer(region)
    period, (small, middle, large) = period_with_offerings(region, 2, 1, 3)
    for index in range(9):
        choices = [(small, middle, large), (middle, large), (large, small)][index % 3]
        apply(region, period, user, *choices, group=1 + index % 4)
    admission_round = new_round(region, period, user)
    _to_queue(monkeypatch, tasks.round_run, queue)
    marker = tmp_path / "stopped"

    first = workers("first", FAULT_STOP_AT="round-write")
    rounds.round_start(acting_user=user, admission_round=admission_round)
    first.wait_for("the run reaches its write", marker.exists, 90)
    first.kill()

    # Killed inside the write transaction: the results it had inserted were rolled back.
    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.RUNNING
    assert admission_round.snapshot is not None
    assert not RoundResult.objects.filter(round=admission_round).exists()
    assert not RoundCutoff.objects.filter(round=admission_round).exists()

    _wait_out_the_visibility_timeout(marker)
    second = workers("second")

    def finished():
        admission_round.refresh_from_db()
        return admission_round.status == RoundStatus.PRELIMINARY

    second.wait_for("the new worker finishes the round", finished, 120)
    second.stop()
    after_the_kill = (_results(admission_round), _cutoffs(admission_round))
    assert len(after_the_kill[0]) == 9 * 2 + 3  # one result per choice, once
    assert (
        AuditEntry.objects.filter(action="round.run", object_id=str(admission_round.pk)).count()
        == 1
    )

    # The clean run: the same round run again, in process, from the same inputs.
    monkeypatch.setattr(tasks.round_run, "apply_async", lambda *args, **kwargs: None)
    killed_snapshot = admission_round.snapshot_sha256
    rounds.round_start(acting_user=user, admission_round=admission_round)
    assert rounds.round_run(round_id=admission_round.pk) is True
    admission_round.refresh_from_db()
    assert admission_round.snapshot_sha256 == killed_snapshot
    assert (_results(admission_round), _cutoffs(admission_round)) == after_the_kill
    assert AdmissionRound.objects.get(pk=admission_round.pk).status == RoundStatus.PRELIMINARY


def test_letters_whose_worker_is_killed_mid_file_end_as_a_clean_run(
    region, workers, queue, media, tmp_path, monkeypatch
):
    first_decided = decided_application(region)
    admission_round = first_decided.round
    applications = [first_decided.application] + [
        decided_application(region, round=admission_round).application for _ in range(LETTERS - 1)
    ]
    _to_queue(monkeypatch, tasks.letter_generate, queue)
    marker = tmp_path / "stopped"

    first = workers("first", FAULT_STOP_AT="letter-file", FAULT_LETTER=str(KILLED_AT_LETTER))
    assert letters_enqueue_for_round(round_id=admission_round.pk) == LETTERS
    first.wait_for("a letter is half written", marker.exists, 120)
    first.kill()

    # The kill landed in the middle of a file: it is on disk, half written, and no row names it.
    on_disk = {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()}
    named = set(DecisionLetter.objects.values_list("file", flat=True))
    assert len(named) == KILLED_AT_LETTER - 1
    half = on_disk - named
    assert len(half) == 1
    assert not (media / half.pop()).read_bytes().rstrip().endswith(b"%%EOF")

    _wait_out_the_visibility_timeout(marker)
    second = workers("second")
    second.wait_for(
        "the new worker writes the rest",
        lambda: DecisionLetter.objects.filter(round=admission_round).count() == LETTERS,
        120,
    )
    second.stop()

    # What the killed worker left behind is swept away (as the periodic task does once the
    # grace period has passed); every letter is there once, whole, with its SHA-256.
    assert orphans_remove(older_than=ORPHAN_GRACE) == []  # too young: never taken
    assert len(orphans_remove(older_than=ORPHAN_GRACE * 0)) == 1
    letters = list(DecisionLetter.objects.filter(round=admission_round))
    assert sorted(letter.application_id for letter in letters) == sorted(a.pk for a in applications)
    assert {letter.version for letter in letters} == {1}
    on_disk = {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()}
    assert on_disk == {letter.file.name for letter in letters}
    for letter in letters:
        content = (media / letter.file.name).read_bytes()
        assert content.startswith(b"%PDF-")
        assert content.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(content).hexdigest() == letter.sha256
    assert AuditEntry.objects.filter(action="letter.create").count() == LETTERS
