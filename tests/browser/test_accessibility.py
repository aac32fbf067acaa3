"""axe-core finds nothing to report, at any impact, on the public pages and the account forms."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.browser.support import (
    PASSWORD,
    axe_violations,
    make_user,
    screenshot,
    session_for,
)
from tests.factories import code_for_secret

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": lambda site: reverse("home"),
    "centre_list": lambda site: reverse("yrkescenter:centre_list"),
    "centre_detail": lambda site: reverse("yrkescenter:centre_detail", args=[site["centre"].pk]),
    "login": lambda site: reverse("account_login"),
    "signup": lambda site: reverse("account_signup"),
    "password_reset": lambda site: reverse("account_reset_password"),
}


def assert_no_violations(page, axe_source):
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{page.url}: {violations}"


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_axe_violations(site, new_page, axe_source, name, lang):
    page = new_page(lang)
    page.goto(PUBLIC_PAGES[name](site))
    assert page.locator("html").get_attribute("lang") == lang
    # Each page names itself first, then the region and the service (WCAG 2.4.2).
    dash = "\N{EN DASH}"
    title = page.title()
    assert title.endswith(f" {dash} Värmland {dash} Yrkesporten"), title
    assert not title.startswith(dash), title
    screenshot(page, f"{name}-{lang}")
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_forms_with_errors_have_no_axe_violations(site, new_page, axe_source, lang):
    page = new_page(lang)
    page.goto(reverse("account_signup"))
    page.locator("#id_email").fill("not-an-address")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("different")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    screenshot(page, f"signup-errors-{lang}")
    assert_no_violations(page, axe_source)

    page.goto(reverse("account_login"))
    page.locator("#id_login").fill("nobody@example.test")
    page.locator("#id_password").fill("wrong-password-1")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize(
    "url_name", ["accounts:start", "accounts:audit_log", "mfa_index", "account_email"]
)
def test_signed_in_pages_have_no_axe_violations(site, new_page, axe_source, url_name):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("sv", session_key=session_for(admin))
    page.goto(reverse(url_name))
    assert page.url.endswith(reverse(url_name))
    assert_no_violations(page, axe_source)


def test_the_two_factor_pages_have_no_axe_violations(site, new_page, axe_source):
    """A new staff member's first visit: log in, set up the app, see the codes, log in again."""
    officer = make_user(site["region"], Role.INTAKE_OFFICER)
    page = new_page("sv")

    def log_in():
        page.goto(reverse("account_login"))
        page.get_by_label("E-postadress").fill(officer.email)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()

    log_in()
    # The MFA rule sends staff without an authenticator to set one up, which allauth guards by
    # asking for the password once more.
    page.wait_for_url(f"**{reverse('account_reauthenticate')}*")
    screenshot(page, "reauthenticate-sv")
    assert_no_violations(page, axe_source)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('mfa_activate_totp')}*")
    screenshot(page, "totp-activate-sv")
    assert_no_violations(page, axe_source)

    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Autentiseringskod").fill(code_for_secret(secret))
    page.get_by_role("button", name="Aktivera").click()
    page.wait_for_url(f"**{reverse('mfa_view_recovery_codes')}")
    screenshot(page, "recovery-codes-sv")
    assert_no_violations(page, axe_source)

    page.goto(reverse("mfa_index"))
    assert_no_violations(page, axe_source)

    page.goto(reverse("account_logout"))
    screenshot(page, "logout-sv")
    assert_no_violations(page, axe_source)
    page.locator("main").get_by_role("button", name="Logga ut").click()

    log_in()
    page.wait_for_url(f"**{reverse('mfa_authenticate')}")
    screenshot(page, "mfa-authenticate-sv")
    assert_no_violations(page, axe_source)
