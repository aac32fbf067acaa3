import os
import uuid

import pytest
from django.utils import translation

from tests.factories import RegionFactory, RegionHostFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_service(reason: str):
    """Skip with a clear reason on a developer's machine; fail in CI, where the service must be."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_hosts(settings):
    # Regions are told apart by host name; the tests use hosts under example.test.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example.test"]
    # Real hashing costs most of the suite's time and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    # Rate limits (logins, confirmation mails, certificate checks) and staged uploads live in the
    # cache, which in CI is Redis and outlives the test and the run: a key prefix per test keeps
    # one test's counts from refusing another's requests, or the same test's when run again.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Code called outside a request (services, commands) speaks the active language, which a
    # previous test's request may have left behind; English makes the tests independent of
    # order. Requests still choose their own language (LocaleMiddleware).
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in the test process, as in the embedded default, even where REDIS_URL is set
    (CI): otherwise a test that enqueues a task would hand it to a broker with no worker. The
    real-worker test (marked `services`) keeps the broker."""
    from config import celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = request.node.get_closest_marker("services") is None
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def region(db):
    home = RegionFactory(slug="hemland", name="Hemland")
    RegionHostFactory(region=home, host="hemland.example.test")
    return home


@pytest.fixture
def foreign_region(db):
    other = RegionFactory(slug="bortland", name="Bortland")
    RegionHostFactory(region=other, host="bortland.example.test")
    return other
