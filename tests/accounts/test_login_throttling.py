"""Login throttling (allauth's rate limits, counted in Redis): repeated wrong passwords or codes,
for one account or from one address, are slowed and then refused for a while, with a clear
message; every refusal is in the audit log."""

import os
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Role
from tests.conftest import need_service
from tests.factories import MembershipFactory, UserFactory, current_totp_code, enrol_totp

HOST = "hemland.example.test"
PASSWORD = "correct-horse-battery"
REFUSED = "Too many failed attempts to log in."
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
WRONG_CODE = "Incorrect code."


@pytest.fixture(autouse=True)
def redis_cache(settings):
    """The counters in Redis, as in production and CI; a key prefix of its own per test, so
    nothing is flushed and no test sees another's counts."""
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis"):
        need_service("login throttling is tested on Redis: set REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        need_service(f"Redis at REDIS_URL does not answer: {error}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }


def person(region, role=Role.APPLICANT):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    MembershipFactory(user=user, region=region, role=role)
    return user


def client_from(address: str = "198.51.100.7", **extra) -> Client:
    return Client(HTTP_HOST=HOST, REMOTE_ADDR=address, **{"HTTP_ACCEPT_LANGUAGE": "en", **extra})


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def page_text(response) -> str:
    return response.content.decode()


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] != reverse("account_login")


def refusals(**filters):
    return AuditEntry.objects.filter(action="login.refused", **filters)


class Clock:
    """allauth's rate limiter's clock, moved on by hand (TOTP codes keep the real time)."""

    def __init__(self):
        self.offset = 0.0
        self.module = SimpleNamespace(
            time=lambda: time.time() + self.offset, monotonic=time.monotonic, sleep=time.sleep
        )

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock():
    moved = Clock()
    with mock.patch("allauth.core.internal.ratelimit.time", moved.module):
        yield moved


# --- passwords ----------------------------------------------------------------------------------


def test_five_wrong_passwords_refuse_the_account_even_the_right_one(region):
    user = person(region)
    client = client_from()
    for _ in range(5):
        response = log_in(client, user.email, "wrong-password-1")
        assert response.status_code == 200
        assert WRONG_PASSWORD in page_text(response)
        assert REFUSED not in page_text(response)
    refused = log_in(client, user.email, PASSWORD)
    assert refused.status_code == 200
    assert REFUSED in page_text(refused)
    assert "wait a few minutes and try again" in page_text(refused)
    assert not logged_in(refused)
    # The account is refused from any address: the count is the account's, not the client's.
    assert REFUSED in page_text(log_in(client_from("203.0.113.99"), user.email, PASSWORD))
    # Another account from the same address still gets in.
    assert logged_in(log_in(client, person(region).email, PASSWORD))


def test_the_refusal_is_in_the_audit_log(region):
    user = person(region)
    client = client_from("198.51.100.23")
    for _ in range(5):
        log_in(client, user.email, "wrong-password-1")
    assert not refusals().exists()
    log_in(client, user.email, PASSWORD)
    entry = refusals().get()
    assert entry.region == region
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(user.pk)
    assert entry.data == {"step": "password", "address": "198.51.100.23"}
    assert entry.user is None  # nobody was logged in
    assert PASSWORD not in str(entry.data)
    # A script that keeps trying adds no row per request within the minute.
    for _ in range(3):
        log_in(client, user.email, PASSWORD)
    assert refusals().count() == 1


def test_a_refused_unknown_address_is_logged_as_typed(region):
    client = client_from("198.51.100.24")
    for _ in range(6):
        log_in(client, "nobody@example.test", "wrong-password-1")
    entry = refusals().get()
    assert entry.object_id == ""
    assert entry.data["login"] == "nobody@example.test"


def test_one_address_is_refused_over_different_accounts(region):
    client = client_from("198.51.100.50")
    for _ in range(10):  # one wrong password each: no account reaches its own limit
        response = log_in(client, person(region).email, "wrong-password-1")
        assert WRONG_PASSWORD in page_text(response)
    fresh = person(region)
    refused = log_in(client, fresh.email, PASSWORD)
    assert REFUSED in page_text(refused)
    assert not logged_in(refused)
    assert refusals(object_id=str(fresh.pk), data__address="198.51.100.50").exists()
    # The account itself is fine: from another address it logs in.
    assert logged_in(log_in(client_from("198.51.100.51"), fresh.email, PASSWORD))


def test_the_addresses_behind_the_reverse_proxy_are_counted_apart(region, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"  # every request reaches gunicorn from the proxy
    attacker = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.60")
    for _ in range(10):
        log_in(attacker, person(region).email, "wrong-password-1")
    assert REFUSED in page_text(log_in(attacker, person(region).email, PASSWORD))
    someone_else = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.61")
    assert logged_in(log_in(someone_else, person(region).email, PASSWORD))


def test_failures_are_slowed_and_then_refused_for_the_hour(region, clock):
    user = person(region)

    def attempt(password="wrong-password-1"):
        # A new address each time: this is about the account's own limits.
        return page_text(log_in(client_from(f"198.51.100.{100 + attempt.n}"), user.email, password))

    attempt.n = 0

    def wrong():
        attempt.n += 1
        return attempt()

    for _ in range(5):
        assert WRONG_PASSWORD in wrong()
    assert REFUSED in wrong()  # slowed: five per five minutes
    clock.advance(5 * 60 + 1)
    for _ in range(5):
        assert WRONG_PASSWORD in wrong()  # the next five, after the pause
    clock.advance(5 * 60 + 1)
    for _ in range(5):
        assert WRONG_PASSWORD in wrong()
    clock.advance(5 * 60 + 1)
    # Fifteen in the hour: refused, also after the five-minute pause, and for the right password.
    assert REFUSED in wrong()
    assert REFUSED in attempt(PASSWORD)
    clock.advance(15 * 60)
    assert REFUSED in attempt(PASSWORD)
    clock.advance(30 * 60)  # an hour after the first failures of the hour
    response = log_in(client_from("198.51.100.250"), user.email, PASSWORD)
    assert logged_in(response)


def test_a_right_password_does_not_reset_the_count_of_wrong_ones(region):
    # allauth rolls back only the successful attempt, so an attacker who knows one account's
    # password cannot interleave it to keep guessing another's from the same address.
    user = person(region)
    client = client_from("198.51.100.70")
    for _ in range(4):
        log_in(client, user.email, "wrong-password-1")
    assert logged_in(log_in(client, user.email, PASSWORD))
    client.logout()
    log_in(client, user.email, "wrong-password-1")
    assert REFUSED in page_text(log_in(client, user.email, PASSWORD))


# --- the second factor (TOTP) -------------------------------------------------------------------


def test_wrong_totp_codes_are_refused_and_audited(region):
    officer = person(region, Role.INTAKE_OFFICER)
    authenticator = enrol_totp(officer)
    client = client_from("198.51.100.80")
    response = log_in(client, officer.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    right = current_totp_code(authenticator)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        page = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert page.status_code == 200
        assert WRONG_CODE in page_text(page)
    refused = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(authenticator)})
    assert refused.status_code == 200
    assert REFUSED in page_text(refused)
    # Not logged in: the start page sends to the login.
    assert client.get(reverse("accounts:start")).status_code == 302
    entry = refusals().get()
    assert entry.object_id == str(officer.pk)
    assert entry.data == {"step": "code", "address": "198.51.100.80"}


def test_the_refusal_message_is_in_swedish_too(region):
    user = person(region)
    client = client_from("198.51.100.90", HTTP_ACCEPT_LANGUAGE="sv")
    for _ in range(5):
        log_in(client, user.email, "wrong-password-1")
    text = page_text(log_in(client, user.email, PASSWORD))
    assert "För många misslyckade försök att logga in." in text


def test_too_many_login_requests_from_one_address_get_a_clear_page(region, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    client = client_from("198.51.100.95")
    user = person(region)
    for _ in range(3):
        log_in(client, user.email, "wrong-password-1")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "We received too many requests from your network" in page_text(response)
    assert "Content-Security-Policy" in response.headers


def test_the_proxy_count_comes_from_the_environment():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "1"


def test_the_region_admin_sees_the_refusal_in_the_audit_log(region):
    user = person(region)
    client = client_from("198.51.100.96")
    for _ in range(6):
        log_in(client, user.email, "wrong-password-1")
    admin = person(region, Role.REGION_ADMIN)
    enrol_totp(admin)
    staff = client_from("198.51.100.97")
    staff.force_login(admin)
    page = page_text(staff.get(reverse("accounts:audit_log"), {"action": "login."}))
    assert "login.refused" in page
    assert str(user) in page
