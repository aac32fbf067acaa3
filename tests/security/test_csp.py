"""The Content-Security-Policy: on every response, and nothing in the templates that it refuses.

The browser tests (tests/browser/) prove the other half: no violation in Chromium's console on
the journeys they drive.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path, reverse

from config import urls as config_urls

ROOT = Path(__file__).resolve().parents[2]
HOST = "hemland.example.test"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


def assert_strict(response):
    found = policy(response)
    assert found["default-src"] == ["'self'"]
    assert found["script-src"] == ["'self'"]
    assert found["style-src"] == ["'self'"]
    assert found["object-src"] == ["'none'"]
    assert found["frame-ancestors"] == ["'none'"]
    every_source = [s for sources in found.values() for s in sources]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(every_source)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),  # an HTML page
        ("/accounts/login/", 200),  # allauth
        ("/statistik/", 200),  # the public statistics with the charts
        ("/no/such/page/", 404),  # Django's error page
        ("/admin/login/", 302),  # a redirect (the admin sends to the site login)
        ("/healthz", 200),  # a plain-text response
    ],
)
def test_every_kind_of_response_carries_the_policy(region, url, status):
    response = Client(HTTP_HOST=HOST).get(url)
    assert response.status_code == status
    assert_strict(response)


def test_a_forbidden_page_carries_the_policy(region):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(user=user, region=region, role="applicant")
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    response = client.get(reverse("accounts:audit_log"))
    assert response.status_code == 403
    assert_strict(response)


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", login_not_required(_boom)), *config_urls.urlpatterns]


def test_a_server_error_page_carries_the_policy(region, settings):
    settings.ROOT_URLCONF = __name__  # the site's URLs plus one that fails
    response = Client(HTTP_HOST=HOST, raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_strict(response)


def test_hsts_and_secure_cookies_with_the_production_settings(region, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client(HTTP_HOST=HOST).get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_strict(response)


# --- The templates: what the policy would refuse, found before a browser does -------------------

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# WeasyPrint renders these to PDF in the worker; no browser ever receives them.
PDF_TEMPLATES = {"admissions/appeals/case_file.html"}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_EVAL = re.compile(r"""\shx-on[:-]|hx-(vals|headers)\s*=\s*["']\s*js:""", re.IGNORECASE)


def template_files():
    for folder in TEMPLATE_DIRS:
        for file in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
            name = file.relative_to(folder).as_posix()
            if name not in PDF_TEMPLATES:
                yield name, file.read_text(encoding="utf-8")


def test_the_template_folders_are_found():
    names = [name for name, _ in template_files()]
    assert "base.html" in names
    assert len(names) > 50


def test_no_template_has_an_inline_script():
    found = []
    for name, text in template_files():
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            # A script with src runs from a static file; a JSON data block (json_script,
            # allauth's) is not run at all.
            if "src=" in attributes or "application/json" in attributes:
                continue
            found.append(f"{name}: {match.group(0)}")
    assert not found, "inline <script> (move it to static/js/):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an on*= event handler", EVENT_HANDLER),
        ("a style attribute", STYLE_ATTRIBUTE),
        ("a javascript: URL", JS_URL),
        ("htmx code that needs eval", HTMX_EVAL),
    ],
)
def test_no_template_has(what, pattern):
    found = [name for name, text in template_files() if pattern.search(text)]
    assert not found, f"{what} in: {', '.join(found)}"


def test_the_grep_would_catch_what_it_looks_for():
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert EVENT_HANDLER.search('<body\n  onload="x()">')
    assert not EVENT_HANDLER.search('<button data-action="go">')
    assert STYLE_ATTRIBUTE.search('<div style="color: red">')
    assert JS_URL.search('<a href="javascript:void(0)">')
    assert HTMX_EVAL.search('<div hx-on:click="x()">')
    assert SCRIPT_TAG.search("<script>alert(1)</script>")


def test_htmx_is_told_to_add_no_inline_style_and_no_eval():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base


def test_the_csp_middleware_is_installed():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
