"""The menu shows each role what it may use, its longer lists in groups that open and close
(the disclosure navigation pattern) by mouse and keyboard, and without JavaScript."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.browser.support import (
    PASSWORD,
    Axe,
    make_user,
    screenshot,
    session_for,
    totp_code,
)

pytestmark = pytest.mark.browser

FOCUSED = "() => document.activeElement.innerText.trim()"


def main_menu(page):
    return page.get_by_role("navigation", name="Main menu")


def group_button(page, name):
    return main_menu(page).get_by_role("button", name=name, exact=True)


def list_of(page, button):
    return page.locator(f"#{button.get_attribute('aria-controls')}")


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
    assert not audit.is_visible()
    group_button(page, "Administration").click()
    assert audit.is_visible()
    assert main_menu(page).get_by_role("link", name="Administration").is_visible()
    audit.click()
    page.wait_for_url(f"**{reverse('accounts:audit_log')}")
    assert page.locator("h1").inner_text() == "Audit log"
    # The group holding the page is marked, and so is the link, as before the groups.
    administration = group_button(page, "Administration")
    assert administration.get_attribute("aria-current") == "true"
    assert administration.get_attribute("aria-expanded") == "false"
    link = main_menu(page).locator(f"a[href='{reverse('accounts:audit_log')}']")
    assert link.get_attribute("aria-current") == "page"


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


def test_a_keyboard_user_opens_a_group_reaches_its_links_and_closes_it_with_escape(site, new_page):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", session_key=session_for(admin))
    page.goto(reverse("accounts:start"))
    admissions = group_button(page, "Admissions")
    links = list_of(page, admissions)
    assert admissions.get_attribute("aria-expanded") == "false"
    assert links.is_hidden()

    # Tab from the skip link through the header and the plain links to the first group.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == "Admissions":
            break
    assert page.evaluate("() => document.activeElement.getAttribute('aria-controls')")
    page.keyboard.press("Enter")
    assert admissions.get_attribute("aria-expanded") == "true"
    assert links.is_visible()
    screenshot(page, "menu-admissions-open-en", full_page=False)

    # The next Tab goes into the open list, through its links in order.
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    assert reached == ["Applications", "Import/export", "Admission rounds", "Students"]

    page.keyboard.press("Escape")
    assert admissions.get_attribute("aria-expanded") == "false"
    assert links.is_hidden()
    assert page.evaluate(FOCUSED) == "Admissions"

    # Space opens as well; Tab past the last link closes the group it leaves.
    page.keyboard.press(" ")
    assert links.is_visible()
    for _ in range(5):
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "Grant and costs"
    assert links.is_hidden()


def test_opening_a_group_closes_the_other_and_a_click_outside_closes_it(site, new_page):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", session_key=session_for(admin))
    page.goto(reverse("accounts:start"))
    admissions, validation = group_button(page, "Admissions"), group_button(page, "Validation")

    admissions.click()
    assert list_of(page, admissions).is_visible()
    validation.click()
    assert list_of(page, validation).is_visible()
    assert list_of(page, admissions).is_hidden()
    assert admissions.get_attribute("aria-expanded") == "false"

    validation.click()  # its button closes it again
    assert list_of(page, validation).is_hidden()
    validation.click()
    page.locator("h1").click()
    assert list_of(page, validation).is_hidden()
    assert validation.get_attribute("aria-expanded") == "false"


def test_a_region_admin_reaches_the_cost_settlement_through_its_group(site, new_page):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", session_key=session_for(admin))
    page.goto(reverse("accounts:start"))
    grant = group_button(page, "Grant and costs")
    assert grant.get_attribute("aria-current") is None
    grant.click()
    main_menu(page).get_by_role("link", name="Cost settlement").click()
    page.wait_for_url(f"**{reverse('admissions:settlement_index')}")
    assert group_button(page, "Grant and costs").get_attribute("aria-current") == "true"
    assert group_button(page, "Admissions").get_attribute("aria-current") is None
    settlement = main_menu(page).locator(f"a[href='{reverse('admissions:settlement_index')}']")
    assert settlement.get_attribute("aria-current") == "page"


def test_an_assessor_with_three_links_of_their_own_sees_no_groups(site, new_page):
    assessor = make_user(site["region"], Role.ASSESSOR, totp=True)
    page = new_page("en", session_key=session_for(assessor))
    page.goto(reverse("accounts:start"))
    menu = main_menu(page)
    assert menu.locator("button[aria-expanded]").count() == 0
    for name in ["Validation", "Calendar", "Validation follow-up"]:
        assert menu.get_by_role("link", name=name, exact=True).is_visible()


def test_without_javascript_the_groups_open_as_details(site, browser, live_server):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    try:
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_for(admin),
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(reverse("accounts:start"))
        settlement = main_menu(page).get_by_role("link", name="Cost settlement")
        assert not settlement.is_visible()
        main_menu(page).locator("summary", has_text="Grant and costs").click()
        settlement.click()
        page.wait_for_url(f"**{reverse('admissions:settlement_index')}")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_an_open_group_has_no_axe_violations(site, new_page, axe_source, width):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", width=width, session_key=session_for(admin))
    page.goto(reverse("admissions:settlement_index"))
    axe = Axe(axe_source, f"menu-{width}")
    axe.check(page, "closed")
    grant = group_button(page, "Grant and costs")
    grant.click()
    axe.check(page, "grant-open")
    assert not axe.found, axe.report()
    links = list_of(page, grant)
    if width == 375:
        # On a phone the open list flows in the page and pushes the content down.
        assert links.evaluate("el => getComputedStyle(el).position") == "static"
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
    else:
        assert links.evaluate("el => getComputedStyle(el).position") == "absolute"
