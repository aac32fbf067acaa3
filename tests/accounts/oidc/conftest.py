"""A real OpenID Connect provider for the e-ID tests (provider.mjs), and a browser's part of the
flow: following redirects between our app (Django's test client) and the provider (requests)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("provider.mjs")
HOST = "hemland.example.test"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
PERSONNUMMER = "198503121231"
PERSONNUMMER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
# Two brokers of the region, both served by the one provider under their own client.
BROKERS = {
    "broker": {"client_id": "yrkesporten", "client_secret": "test-secret-one"},
    "other-broker": {"client_id": "yrkesporten-two", "client_secret": "test-secret-two"},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def person(sub="person-1", number=PERSONNUMMER, email="eva@example.test", **extra) -> dict:
    """The claims of a person the provider logs in (OidcProvider.next_login)."""
    claims = {
        "sub": sub,
        "given_name": "Eva",
        "family_name": "Lind",
        "email": email,
        "email_verified": True,
        **extra,
    }
    if number is not None:
        claims[PERSONNUMMER_CLAIM] = number
    return claims


@dataclass
class OidcProvider:
    issuer: str

    def next_login(self, account: dict, spoil: str = "") -> None:
        """Who logs in at the provider next, and how its next ID token is spoiled (if at all)."""
        response = requests.post(
            f"{self.issuer}/_test/next", json={"account": account, "spoil": spoil}, timeout=10
        )
        response.raise_for_status()


@pytest.fixture(scope="session")
def oidc_server():
    node = shutil.which("node")
    if node is None:
        need_service("node is not installed: the e-ID tests run a real OpenID Connect provider")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        need_service("node_modules/oidc-provider is missing: run `npm ci`")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [
        {
            **broker,
            "redirect_uris": [f"http://{HOST}/accounts/oidc/{provider_id}/login/callback/"],
        }
        for provider_id, broker in BROKERS.items()
    ]
    env = {**os.environ, "PORT": str(port), "CLIENTS": json.dumps(clients)}
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(issuer, process, output)
            yield OidcProvider(issuer=issuer)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(issuer: str, process: subprocess.Popen, output) -> None:
    # Waits for the provider to answer; a provider that dies says why.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            pytest.fail(f"the OpenID Connect provider exited: {output.read().decode()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail("the OpenID Connect provider did not start within 30 s")


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache key prefix of its own per test: the audit log writes a refusal from one address
    once a minute, and the cache (Redis in CI) outlives a test."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"eid-test-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def oidc_provider(oidc_server, settings, region):
    """The home region's brokers point at the running provider."""
    settings.EID_PROVIDERS = {
        region.slug: [
            {
                "id": provider_id,
                "name": "Test e-ID" if provider_id == "broker" else "Other e-ID",
                "issuer": oidc_server.issuer,
                "client_id": broker["client_id"],
                "secret": broker["client_secret"],
                "secret_env": "",
                "scope": [
                    "openid",
                    "profile",
                    "email",
                    "https://id.oidc.se/scope/naturalPersonNumber",
                ],
                "personnummer_claim": "https://id.oidc.se/claim/personalIdentityNumber",
                "acr_values": [LOA3] if provider_id == "broker" else [],
            }
            for provider_id, broker in BROKERS.items()
        ]
    }
    return oidc_server


@dataclass
class Flow:
    """One login as a browser does it: every URL it was sent to, and our app's last answer."""

    locations: list[str] = field(default_factory=list)
    callback_url: str = ""
    response: object = None


def eid_login(client: Client, provider: OidcProvider, provider_id: str = "broker") -> Flow:
    flow = Flow()
    response = client.post(f"/accounts/oidc/{provider_id}/login/")
    browser = requests.Session()  # the provider's cookies: a fresh browser for each login
    provider_netloc = urlsplit(provider.issuer).netloc
    while response.status_code in (301, 302, 303):
        location = response["Location"]
        flow.locations.append(location)
        parts = urlsplit(location)
        if parts.netloc == provider_netloc:
            answer = browser.get(location, allow_redirects=False, timeout=10)
            assert answer.status_code in (302, 303), answer.text
            response = _Redirect(urljoin(location, answer.headers["Location"]))
            continue
        assert parts.netloc in ("", HOST), location
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.endswith("/login/callback/"):
            flow.callback_url = path
        response = client.get(path)
    flow.response = response
    return flow


class _Redirect:
    status_code = 302

    def __init__(self, location: str):
        self._location = location

    def __getitem__(self, key):
        assert key == "Location"
        return self._location
