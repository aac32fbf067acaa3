"""The Content-Security-Policy in Chromium: enforced, and the watch that every other browser test
runs under (csp_watch, through new_page) sees a violation when there is one.

The journeys themselves (application, round, appeal, validation, council dashboards, navigation,
forms, keyboard, mobile) fail on any violation their pages raise: see tests/browser/conftest.py.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.browser.support import make_user, session_for

pytestmark = pytest.mark.browser


def test_the_browser_refuses_inline_script_and_the_watch_reports_it(site, new_page, csp_watch):
    page = new_page("en")
    page.goto(reverse("home"))
    # What an attacker's stored markup would try: an inline handler and an inline script.
    page.evaluate(
        """() => {
            document.body.insertAdjacentHTML(
                "beforeend", '<img src="/no-such-image.png" onerror="window.pwned = 1">');
            const script = document.createElement("script");
            script.textContent = "window.pwned = 2";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.pwned") is None
    found = csp_watch.violations()
    directives = {v.get("directive") for v in found}
    assert {"script-src-attr", "script-src-elem"} <= directives, found
    csp_watch.found.clear()  # seen and expected: the fixture must not fail this test


def test_htmx_and_the_menu_script_run_under_the_policy(site, new_page):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", session_key=session_for(admin))
    page.goto(reverse("accounts:start"))
    assert page.evaluate("() => typeof htmx") == "object"
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("() => htmx.config.allowEval") is False
    # nav.js turned the menu's <details> into disclosure buttons.
    assert page.locator(".site-nav button[aria-expanded]").count() > 0
    # htmx added no <style> of its own (it would be refused).
    assert page.locator("head style").count() == 0
