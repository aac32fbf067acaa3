"""PostgreSQL stopped, restarted and down while gunicorn serves: a clean 503 page while it is
down (no traceback), and the app recovers by itself, with no request lost to a dead pooled
connection (CONN_HEALTH_CHECKS). A private cluster on a free port, never the shared server."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.db import OperationalError
from django.test import Client

from tests.faults.servers import ROOT, Gunicorn, PrivatePostgres

UNAVAILABLE = "Temporarily unavailable"


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def postgres():
    """A private cluster, started; removed after the test."""
    cluster = PrivatePostgres()
    cluster.start()
    yield cluster
    cluster.remove()


@pytest.mark.services
def test_the_app_answers_503_while_the_database_is_down_and_recovers_by_itself(postgres, tmp_path):
    env = {
        "DATABASE_URL": postgres.url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": "",
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    server = Gunicorn(env=env, log=tmp_path / "gunicorn.log")
    try:
        health = f"{server.base}/healthz"
        assert _get(health)[0] == 200
        # The one gunicorn worker now holds a pooled connection (CONN_MAX_AGE).

        postgres.stop()
        postgres.start()
        # Restarted between two requests: the pooled connection is dead, the health check
        # finds that out before the view runs, so the very first request succeeds.
        status, body, _ = _get(health)
        assert (status, body) == (200, '{"status": "ok"}')

        postgres.stop()
        for _ in range(2):
            status, body, headers = _get(health)
            assert status == 503
            assert "Traceback" not in body
            assert "OperationalError" not in body
            assert "<h1>" in body
            assert headers.get("Retry-After") == "30"
        status, body, _ = _get(f"{server.base}/")
        assert status == 503
        assert "Traceback" not in body

        postgres.start()
        assert _get(health)[0] == 200
        assert _get(f"{server.base}/")[0] != 503
    finally:
        server.stop()


@pytest.mark.django_db
def test_a_database_error_in_a_view_is_the_503_page_in_both_languages(monkeypatch, settings):
    from accounts import views

    def broken(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr(views.connection, "cursor", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Tillfälligt otillgänglig" in response.content.decode()
    assert "connection to server" not in response.content.decode()
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert UNAVAILABLE in response.content.decode()
