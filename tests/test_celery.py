"""Celery: the embedded default runs tasks in process, work waits for the commit, and a real
worker started against Redis runs a task to completion."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from celery import signals
from celery.contrib.django.task import DjangoTask
from django.db import connection, transaction

from accounts.tasks import healthcheck
from config import celery_app
from config.env import env_str
from tests.conftest import need_service

ROOT = Path(__file__).resolve().parents[1]
WORKER_START_AND_RUN_SECONDS = 60
WORKER_STOP_SECONDS = 20


@pytest.fixture
def eager():
    """Run tasks in process whatever REDIS_URL says, as the embedded default does.

    The Celery app reads Django settings once, so the `settings` fixture cannot change this.
    """
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def finished_tasks():
    """Names of the tasks that ran in this process, in order."""
    names: list[str] = []

    def record(sender, **kwargs):
        names.append(sender.name)

    signals.task_postrun.connect(record, weak=False)
    yield names
    signals.task_postrun.disconnect(record)


def test_the_app_follows_the_task_rules():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert Path(conf.beat_schedule_filename).is_relative_to(ROOT / "var")


def test_without_redis_tasks_run_in_process(settings):
    # REDIS_URL is read once at import; the value this process started with decides the mode.
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not env_str("REDIS_URL"))


def test_tasks_can_wait_for_the_commit():
    assert isinstance(healthcheck._get_current_object(), DjangoTask)


def test_a_worker_finds_the_healthcheck_by_autodiscovery():
    # A fresh process, so that nothing but autodiscovery can have imported accounts.tasks.
    code = (
        "from config import celery_app; "
        "celery_app.loader.import_default_modules(); "
        "print('accounts.tasks.healthcheck' in celery_app.tasks)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_healthcheck_runs_in_process_and_names_the_database(db, eager):
    result = healthcheck.delay()

    assert result.get(timeout=5) == {"database": connection.vendor, "ok": True}


def test_a_rolled_back_transaction_never_starts_its_task(
    db, eager, finished_tasks, django_capture_on_commit_callbacks
):
    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        healthcheck.delay_on_commit()
        raise Abandon

    assert callbacks == []
    assert finished_tasks == []


def test_a_committed_transaction_starts_its_task_after_the_commit(
    db, eager, finished_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            healthcheck.delay_on_commit()
        assert finished_tasks == []  # committed a savepoint, not yet the transaction

    assert len(callbacks) == 1
    assert finished_tasks == ["accounts.tasks.healthcheck"]


def _database_url_for_worker(tmp_path: Path) -> str:
    """A DATABASE_URL for the database this test uses, so the worker sees what the test sees."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = quote(db["HOST"] or "", safe="")
        port = f":{db['PORT']}" if db["PORT"] else ""
        query = f"?{urlencode(db['OPTIONS'])}" if db["OPTIONS"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'])}{query}"
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            # Another process cannot open this process's in-memory database; the healthcheck
            # needs no tables, so an empty file of the same engine proves the same thing.
            return f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return f"sqlite:///{db['NAME']}"
    pytest.fail(f"no DATABASE_URL recipe for {connection.vendor}")


@pytest.mark.services
def test_a_real_worker_runs_the_healthcheck(db, tmp_path):
    if not env_str("REDIS_URL"):
        need_service("Redis (REDIS_URL) is needed for the real Celery worker test")
    assert celery_app.conf.task_always_eager is False

    # A queue of its own, so that the test's worker takes no other work and no other worker
    # takes the test's message.
    queue = f"test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url_for_worker(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
    ]
    with log_path.open("w") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    result = None
    try:
        result = healthcheck.apply_async(queue=queue)
        deadline = time.monotonic() + WORKER_START_AND_RUN_SECONDS
        while not result.ready():
            if worker.poll() is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no result within {WORKER_START_AND_RUN_SECONDS} s:\n{log_path.read_text()}"
                )
            time.sleep(0.2)
        outcome = result.get(timeout=5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=WORKER_STOP_SECONDS)
        if result is not None:
            result.forget()
        with celery_app.connection_for_write() as broker:
            # Redis keeps the queue's binding after the worker is gone; a connection deletes
            # only the bindings it has declared itself.
            test_queue = celery_app.amqp.queues[queue].bind(broker.default_channel)
            test_queue.declare()
            test_queue.delete()

    assert outcome == {"database": connection.vendor, "ok": True}
    assert "succeeded" in log_path.read_text()
