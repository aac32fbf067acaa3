"""The menu shows each role what it may use."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.browser.support import PASSWORD, make_user, screenshot, session_for, totp_code

pytestmark = pytest.mark.browser


def main_menu(page):
    return page.get_by_role("navigation", name="Main menu")


def test_a_region_admin_logs_in_with_a_code_and_sees_the_audit_log(site, new_page):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en")
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"**{reverse('mfa_authenticate')}")
    page.get_by_label("Code", exact=True).fill(totp_code(admin))
    page.locator("form.form button[type=submit]").first.click()

    page.wait_for_url(f"**{reverse('accounts:start')}")
    screenshot(page, "start-region-admin-en")
    audit = main_menu(page).get_by_role("link", name="Audit log")
    assert audit.is_visible()
    assert main_menu(page).get_by_role("link", name="Administration").is_visible()
    audit.click()
    page.wait_for_url(f"**{reverse('accounts:audit_log')}")
    assert page.locator("h1").inner_text() == "Audit log"
    assert audit.get_attribute("aria-current") == "page"


def test_an_applicant_sees_no_audit_log(site, new_page):
    applicant = make_user(site["region"], Role.APPLICANT)
    page = new_page("en", session_key=session_for(applicant))
    page.goto(reverse("accounts:start"))
    menu = main_menu(page)
    assert menu.get_by_role("link", name="My pages").is_visible()
    assert menu.get_by_role("link", name="Audit log").count() == 0
    assert menu.get_by_role("link", name="Administration").count() == 0
    assert menu.get_by_role("button", name="Log out").is_visible()


def test_a_visitor_is_offered_to_log_in_or_create_an_account(site, new_page):
    page = new_page("en")
    page.goto(reverse("home"))
    menu = main_menu(page)
    assert menu.get_by_role("link", name="Log in").is_visible()
    assert menu.get_by_role("link", name="Create account").is_visible()
    assert menu.get_by_role("link", name="My pages").count() == 0


def test_logging_out_from_the_menu_takes_one_click(site, new_page):
    applicant = make_user(site["region"], Role.APPLICANT)
    page = new_page("en", session_key=session_for(applicant))
    page.goto(reverse("accounts:start"))
    main_menu(page).get_by_role("button", name="Log out").click()
    page.wait_for_url(f"**{reverse('home')}")
    assert main_menu(page).get_by_role("link", name="Log in").is_visible()
