"""Redis stopped while the app serves: pages that do not need it keep working, and a write that
wants a task (starting a round) is kept, says why in the outbox, and its task is sent once Redis
is back. A private redis-server on a free port, never the shared one."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest
from django.db import connection

from accounts.models import TaskOutbox
from admissions.rounds.models import RoundStatus
from tests.admissions.round_support import apply, new_round, officer, period_with_offerings
from tests.conftest import need_service
from tests.faults.servers import ROOT, Gunicorn, PrivateRedis
from tests.test_celery import _database_url_for_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

START = """
from accounts.models import User
from admissions.rounds.models import AdmissionRound
from admissions.rounds.services import rounds
rounds.round_start(acting_user=User.objects.get(pk={user}),
                   admission_round=AdmissionRound.objects.get(pk={round}))
print("started")
"""


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status


def test_with_redis_down_pages_work_and_a_started_round_waits_in_the_outbox(region, tmp_path):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) is needed: the servers share the test's database")
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = {
        "DATABASE_URL": _database_url_for_worker(tmp_path),
        "REDIS_URL": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "ALLOWED_HOSTS": "127.0.0.1,hemland.example.test",
        "DEFAULT_REGION_SLUG": region.slug,
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    user = officer(region)
    period, offerings = period_with_offerings(region, 2)
    apply(region, period, user, offerings[0])
    admission_round = new_round(region, period, user)
    server = Gunicorn(env=env, log=tmp_path / "gunicorn.log")
    try:
        assert _status(f"{server.base}/healthz") == 200
        redis.stop()
        # Pages that need no task and no cache keep working.
        assert _status(f"{server.base}/healthz") == 200
        assert _status(f"{server.base}/yrkescenter/utbildningar/") == 200
    finally:
        server.stop()

    # The start is a write that wants a task: it commits, and the task waits in the outbox.
    started = _manage(env, "shell", "-c", START.format(user=user.pk, round=admission_round.pk))
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout
    assert "kept in the outbox" in started.stderr
    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.RUNNING
    row = TaskOutbox.objects.get(task="admissions.tasks.round_run", args=[admission_round.pk])
    assert row.sent_at is None
    assert row.last_error

    still_down = _manage(env, "outbox_resend", "--all")
    assert still_down.returncode == 0, still_down.stderr
    assert "0 tasks sent, 1 still waiting" in still_down.stdout

    redis.start()
    try:
        back = _manage(env, "outbox_resend", "--all")
        assert back.returncode == 0, back.stderr
        assert "1 tasks sent, 0 still waiting" in back.stdout
        queued = subprocess.run(
            ["redis-cli", "-p", str(redis.port), "LLEN", "celery"], capture_output=True, text=True
        )
        assert queued.stdout.strip() == "1"  # the run is on the queue for a worker
    finally:
        redis.stop()
    row.refresh_from_db()
    assert row.sent_at is not None
