"""Keyboard users: a skip link first, and a focus ring they can see on everything they reach."""

import pytest
from django.urls import reverse

from tests.browser.support import screenshot

pytestmark = pytest.mark.browser

ACTIVE_ELEMENT = """() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return {tag: el.tagName, id: el.id, cls: el.className, href: el.getAttribute('href'),
            text: el.innerText, top: box.top, bottom: box.bottom, height: box.height};
}"""

OUTLINE = """() => {
    const s = getComputedStyle(document.activeElement);
    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
            shadow: s.boxShadow};
}"""

# Blurs the focused element to read its resting style, then focuses it again so the next Tab
# carries on from it.
WITHOUT_FOCUS = """() => {
    const el = document.activeElement;
    el.blur();
    const s = getComputedStyle(el);
    const resting = {style: s.outlineStyle, shadow: s.boxShadow};
    el.focus();
    return resting;
}"""


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(site, new_page):
    page = new_page("sv")
    page.goto(reverse("home"))
    page.keyboard.press("Tab")
    focused = page.evaluate(ACTIVE_ELEMENT)
    assert focused["href"] == "#main"
    assert focused["text"] == "Hoppa till huvudinnehållet"
    # Hidden until focused, then on screen.
    assert focused["top"] >= 0 and focused["height"] > 0

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("url_name", ["home", "account_login"])
def test_every_focused_element_shows_an_outline(site, new_page, url_name):
    page = new_page("en")
    page.goto(reverse(url_name))
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE_ELEMENT)
        if focused["tag"] == "BODY":
            break
        outline = page.evaluate(OUTLINE)
        label = f"{focused['tag']} {focused['text'] or focused['id']!r}"
        assert outline["style"] == "solid", label
        assert outline["width"] >= 3, label
        unfocused = page.evaluate(WITHOUT_FOCUS)
        # The ring comes from the focus: without focus the same element shows none.
        assert unfocused != {"style": outline["style"], "shadow": outline["shadow"]}, label
        seen.append(label)
        screenshot(page, f"focus-{url_name}-{len(seen)}", full_page=False)
    assert len(seen) >= 5, seen
