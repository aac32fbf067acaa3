"""The header's form and the first page's picker switch the language, and the choice sticks."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_the_language_form_switches_between_swedish_and_english(site, new_page):
    page = new_page("sv")
    page.goto(reverse("yrkescenter:centre_list"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Yrkescenter"

    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Vocational centres"
    # Back on the page the user was on, and the choice sticks for the next page.
    assert page.url.endswith(reverse("yrkescenter:centre_list"))
    page.goto(reverse("home"))
    assert page.locator("h1").inner_text() == "Vocational education in Värmland"

    page.get_by_role("button", name="Svenska", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Yrkesutbildning i Värmland"


def test_a_browser_without_swedish_or_english_gets_swedish(site, browser, live_server, csp_watch):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    csp_watch.watch(context)
    try:
        page = context.new_page()
        page.goto(reverse("home"))
        assert page.locator("html").get_attribute("lang") == "sv"
        assert not csp_watch.violations(), csp_watch.report()
    finally:
        context.close()


def test_the_first_page_switches_to_tigrinya_and_the_header_to_easy_to_read_swedish(site, new_page):
    page = new_page("sv")
    page.goto(reverse("home"))
    page.get_by_role("button", name="ትግርኛ").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ti"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("h1").inner_text() == "ሞያዊ ትምህርቲ ኣብ Värmland"

    page.goto(reverse("yrkescenter:centre_list"))
    page.get_by_label("ቋንቋ", exact=True).select_option("sv-ll")
    page.get_by_role("button", name="ቋንቋ ቀይሩ").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sv-ll"
    assert page.locator("h1").inner_text() == "Yrkescenter"
    # the lättläst catalogue, not the Swedish one
    assert page.locator(".lead").inner_text() == (
        "Du kan söka utbildningar på alla yrkescenter i Värmland. "
        "Det spelar ingen roll i vilken kommun du bor."
    )
