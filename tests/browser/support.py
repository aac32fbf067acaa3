"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import os
import time
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.test import Client

from tests.factories import MembershipFactory, UserFactory, enrol_totp

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


def code_for_secret(secret: str) -> str:
    """What an authenticator app would show now for this secret."""
    period = mfa_settings.TOTP_PERIOD
    # A code read in the last seconds of its period may be checked in the next one, where
    # allauth (no tolerance by default) rejects it: wait for a fresh period instead.
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def totp_code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return code_for_secret(decrypt(authenticator.data["secret"]))


def axe_violations(page, axe_path) -> list[dict]:
    page.add_script_tag(path=str(axe_path))
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
