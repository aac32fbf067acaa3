"""On a phone (375 CSS px) nothing makes the page scroll sideways, and axe still finds nothing."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.browser.support import axe_violations, make_user, screenshot, session_for

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 375, 667
LOAD_FONT = """async ([family, sample]) => {
    const fonts = await document.fonts.load(`1em "${family}"`, sample);
    await document.fonts.load(`bold 1em "${family}"`, sample);
    await document.fonts.ready;
    return fonts.length > 0 && document.fonts.check(`1em "${family}"`, sample);
}"""


def scroll_width(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("url_name", ["home", "account_login", "yrkescenter:centre_list"])
def test_public_pages_fit_a_phone(site, new_page, axe_source, url_name, lang):
    page = new_page(lang, width=WIDTH, height=HEIGHT)
    page.goto(reverse(url_name))
    screenshot(page, f"{url_name.replace(':', '-')}-{lang}-{WIDTH}")
    assert scroll_width(page) <= WIDTH
    assert axe_violations(page, axe_source) == []


def test_centre_detail_fits_a_phone(site, new_page, axe_source):
    page = new_page("sv", width=WIDTH, height=HEIGHT)
    page.goto(reverse("yrkescenter:centre_detail", args=[site["centre"].pk]))
    screenshot(page, f"centre-detail-sv-{WIDTH}")
    assert scroll_width(page) <= WIDTH
    # The offerings table is stacked, not scrolled: its last column is on screen.
    deadline = page.locator("td").last.bounding_box()
    assert deadline["x"] + deadline["width"] <= WIDTH
    assert axe_violations(page, axe_source) == []


def test_a_region_admins_longer_menu_fits_a_phone(site, new_page, axe_source):
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("sv", width=WIDTH, height=HEIGHT, session_key=session_for(admin))
    for url in [reverse("accounts:start"), reverse("accounts:audit_log"), reverse("mfa_index")]:
        page.goto(url)
        assert page.url.endswith(url)
        screenshot(page, f"{url.strip('/').replace('/', '-')}-sv-{WIDTH}")
        assert scroll_width(page) <= WIDTH, url
        assert axe_violations(page, axe_source) == [], url


@pytest.mark.parametrize(("lang", "name"), [("ti", "ትግርኛ"), ("sv-ll", "Lättläst svenska")])
def test_tigrinya_and_easy_to_read_swedish_fit_a_phone(site, new_page, axe_source, lang, name):
    page = new_page("sv", width=WIDTH, height=HEIGHT)
    page.goto(reverse("home"))
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    for url_name in ("home", "yrkescenter:centre_list"):
        page.goto(reverse(url_name))
        assert page.locator("html").get_attribute("lang") == lang
        # Measured in the final fonts: the Ge'ez web fonts of static/css/site.css, not boxes.
        family = "Noto Sans Ethiopic Subset" if lang == "ti" else "Noto Sans Ethiopic Language Name"
        assert page.evaluate(LOAD_FONT, [family, "ትግርኛ"])
        screenshot(page, f"{url_name.replace(':', '-')}-{lang}-{WIDTH}")
        assert scroll_width(page) <= WIDTH
        assert axe_violations(page, axe_source) == []
