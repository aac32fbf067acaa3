"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import contextlib
import os
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory, current_totp_code, enrol_totp

PASSWORD = "correct-horse-battery"


def make_user(region, role, *, totp=False):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    MembershipFactory(user=user, region=region, role=role)
    if totp:
        enrol_totp(user)
    return user


def session_for(user) -> str:
    """A logged-in session made by Django's test client, to hand to the browser as a cookie."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def totp_code(user) -> str:
    return current_totp_code(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))


AXE_URL = "/__axe-core.js"


def axe_violations(page, axe_path) -> list[dict]:
    # The Content-Security-Policy refuses an inline <script> (which add_script_tag(path=) makes),
    # so axe arrives as a same-origin file that Playwright serves in place of the live server.
    if not getattr(page, "_axe_routed", False):
        page.route(
            f"**{AXE_URL}",
            lambda route: route.fulfill(path=str(axe_path), content_type="text/javascript"),
        )
        page._axe_routed = True
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
        }))"""
    )


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Keeps a picture for a person to judge when BROWSER_SCREENSHOTS names a folder."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


BLOCKING_IMPACTS = {"serious", "critical"}


class Axe:
    """Runs axe-core on each page named and keeps what would block a user."""

    def __init__(self, axe_source, prefix: str):
        self.axe_source = axe_source
        self.prefix = prefix  # of the screenshots' names
        self.found: dict[str, list[dict]] = {}

    def check(self, page, name: str) -> None:
        screenshot(page, f"{self.prefix}-{name}")
        blocking = [
            v for v in axe_violations(page, self.axe_source) if v["impact"] in BLOCKING_IMPACTS
        ]
        if blocking:
            self.found[name] = blocking

    def report(self) -> str:
        return "\n".join(
            f"{name}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for name, violations in self.found.items()
            for v in violations
        )


def path_of(url_name: str, **kwargs) -> str:
    return reverse(url_name, kwargs=kwargs)


# Reports every Content-Security-Policy violation of a page to the test (through a binding that
# outlives navigations); installed before any of the page's own scripts run.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation({
    page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample,
  });
});
"""


class CspWatch:
    """Collects the CSP violations of every page of the browser contexts it watches: the
    `securitypolicyviolation` events and Chromium's console messages about the policy."""

    def __init__(self):
        self.found: list[dict] = []
        self.contexts: list = []

    def watch(self, context) -> None:
        context.expose_binding(
            "__reportCspViolation", lambda _source, violation: self.found.append(violation)
        )
        context.add_init_script(CSP_LISTENER)
        context.on("page", lambda page: page.on("console", self._console))
        self.contexts.append(context)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append({"console": message.type, "text": message.text})

    def violations(self) -> list[dict]:
        # Let the pages deliver what they reported before the contexts close.
        for context in self.contexts:
            for page in context.pages:
                # A closed or navigating page has nothing more to say.
                with contextlib.suppress(Exception):
                    page.evaluate("0")
        return list(self.found)

    def report(self) -> str:
        return "\n".join(str(v) for v in self.found)
