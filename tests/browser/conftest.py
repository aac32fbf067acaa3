"""Real Chromium (Debian's, never a downloaded build) driven by Playwright against the live server.

Where Chromium or axe-core is missing, the tests skip on a developer's machine and fail in CI.
Set BROWSER_SCREENSHOTS=/some/dir to keep a full-page screenshot of the pages the tests visit.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.support import CspWatch
from tests.conftest import need_service
from tests.factories import OfferingFactory, RegionFactory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCALES = {"sv": "sv-SE", "en": "en-GB"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        need_service(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_service("the playwright Python package is missing: uv sync")
    # Playwright's sync API keeps an event loop running in this thread, which makes Django refuse
    # ORM calls from fixtures and tests ("You cannot call this from an async context"). Package
    # scope ends the loop, and this allowance, before the rest of the suite runs.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        need_service(f"{AXE.relative_to(ROOT)} is missing: npm ci")
    return AXE


@pytest.fixture
def site(transactional_db):
    """The default region (the live server's host, localhost, falls back to it) with one centre."""
    region = RegionFactory(slug=settings.DEFAULT_REGION_SLUG, name="Värmland")
    offering = OfferingFactory(
        region=region,
        centre__name="Yrkescenter Karlstad",
        centre__host_municipality__name="Karlstad",
        centre__address="Verkstadsgatan 1, 652 21 Karlstad",
        programme__name="Svets och montering",
    )
    return {"region": region, "centre": offering.centre, "offering": offering}


@pytest.fixture
def csp_watch():
    """Every context new_page opens is watched; the test fails on any CSP violation."""
    watch = CspWatch()
    yield watch
    violations = watch.violations()
    if violations:
        pytest.fail(
            "Content-Security-Policy violations:\n" + "\n".join(str(v) for v in violations),
            pytrace=False,
        )


@pytest.fixture
def new_page(browser, live_server, csp_watch):
    """new_page(lang="sv", width=1280, height=900) opens a fresh browser context and page,
    watched for Content-Security-Policy violations (csp_watch)."""
    contexts = []

    def make(lang="sv", width=1280, height=900, session_key=None):
        context = browser.new_context(
            base_url=live_server.url,
            locale=LOCALES[lang],
            viewport={"width": width, "height": height},
        )
        if session_key:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_key}
            context.add_cookies([{**cookie, "url": live_server.url}])
        # A missing element fails in seconds rather than after Playwright's default 30 s.
        context.set_default_timeout(10_000)
        csp_watch.watch(context)
        contexts.append(context)
        return context.new_page()

    yield make
    csp_watch.violations()  # collected before the contexts close; csp_watch fails the test
    for context in contexts:
        context.close()
