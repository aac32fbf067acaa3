"""The engine's tests need no Django: they import only admissions.matching.

The project-wide autouse fixtures in tests/conftest.py touch Django settings and translations;
replacing them with no-ops here keeps these tests independent of Django being configured.
"""

import pytest


@pytest.fixture(autouse=True)
def _test_hosts():
    yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    yield
