"""Form errors sit next to their field, are tied to it for screen readers, and are summarised."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_a_field_error_is_shown_beside_the_field_and_described_by_it(site, new_page):
    page = new_page("sv")
    page.goto(reverse("account_signup"))
    email = page.get_by_label("E-postadress")
    email.fill("inte-en-adress")
    page.locator("#id_password1").fill("Lång-och-ovanlig-fras-42")
    page.locator("#id_password2").fill("Lång-och-ovanlig-fras-42")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_selector(".error-summary")

    assert email.get_attribute("aria-invalid") == "true"
    described_by = email.get_attribute("aria-describedby").split()
    error = page.locator(f"#{described_by[-1]}")
    assert error.is_visible()
    assert "giltig e-postadress" in error.inner_text()
    # The user's input is kept.
    assert email.input_value() == "inte-en-adress"

    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "id_email"


def test_a_wrong_password_is_reported_at_the_top_of_the_form(site, new_page):
    page = new_page("en")
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    summary = page.locator(".error-summary")
    assert "not correct" in summary.inner_text()
