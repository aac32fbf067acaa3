"""axe-core finds nothing to report on the open statistics page (with hidden counts) and on the
follow-up pages (the form with its errors), in Swedish and English, in real Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import Role
from industriradet.models import OutcomeStatus, StudentOutcome
from tests.browser.support import axe_violations, session_for
from tests.industriradet.outcomes_support import days_ago, member, past_offering, student

pytestmark = pytest.mark.browser


def assert_no_violations(page, axe_source):
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{page.url}: {violations}"


@pytest.fixture
def followed_up(site):
    region = site["region"]
    offering = past_offering(region, centre=site["centre"], programme=site["offering"].programme)
    students = [student(region, offering, serial=n) for n in range(7)]
    for enrolment in students[:3]:
        StudentOutcome.objects.create(
            enrolment=enrolment,
            status=OutcomeStatus.EMPLOYED,
            followed_up_on=days_ago(5),
            ssyk_code="7212",
        )
    return {"offering": offering, "students": students}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_statistics_page_has_no_axe_violations(
    site,
    followed_up,
    new_page,
    axe_source,
    lang,
):
    page = new_page(lang)
    period = followed_up["offering"].intake_period
    page.goto(f"{reverse('statistik:index')}?period={period.code}")
    assert page.locator("html").get_attribute("lang") == lang
    # Some counts are hidden on this page ("<5"): they must read well too.
    assert page.locator("text=<5").count() > 0
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_follow_up_pages_have_no_axe_violations(
    site,
    followed_up,
    new_page,
    axe_source,
    lang,
):
    coordinator = member(site["region"], Role.COORDINATOR, scope_centre=site["centre"]).user
    EmailAddress.objects.create(
        user=coordinator, email=coordinator.email, verified=True, primary=True
    )
    page = new_page(lang, session_key=session_for(coordinator))
    page.goto(reverse("industriradet:outcome_list"))
    assert_no_violations(page, axe_source)
    enrolment = followed_up["students"][5]
    page.goto(reverse("industriradet:outcome_record", args=[enrolment.pk]))
    page.locator("input[name=status][value=employed]").check()
    page.locator("#id_followed_up_on").fill(days_ago(3).isoformat())
    page.locator("form.form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert_no_violations(page, axe_source)
    page.goto(reverse("industriradet:outcome_import"))
    assert_no_violations(page, axe_source)
