"""Issue 12, items 5-7 in Chromium: an applicant appeals a decision from the status page with an
attachment; an intake officer finds the appeal in the queue and forwards it to Skolväsendets
överklagandenämnd with the case file. axe-core finds nothing serious on any of the pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from admissions.appeals.models import Appeal, AppealState
from admissions.rounds.models import Outcome
from admissions.rounds.services.letters import letter_create
from tests.admissions.appeals_support import pdf_bytes, result_of
from tests.admissions.letters_support import decided_application
from tests.browser.support import Axe, make_user, session_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


def test_an_applicant_appeals_and_an_officer_forwards_the_appeal(
    site, new_page, axe_source, tmp_path
):
    axe = Axe(axe_source, "appeal")
    region = site["region"]
    decided = decided_application(
        region, outcomes=(Outcome.NOT_ELIGIBLE, Outcome.WAITING), language="en"
    )
    letter_create(round=decided.round, application=decided.application)
    applicant = decided.application.applicant
    MembershipFactory(region=region, role=Role.APPLICANT, user=applicant)
    not_eligible = result_of(decided, Outcome.NOT_ELIGIBLE)
    attachment = tmp_path / "intyg-svenska-1.pdf"
    attachment.write_bytes(pdf_bytes())

    # --- the applicant ------------------------------------------------------------------------
    page = new_page("en", session_key=session_for(applicant))
    page.goto(reverse("admissions:application_detail", args=[decided.application.pk]))
    appeals = page.locator("section[aria-labelledby='appeals-title']")
    expect(appeals).to_contain_text("cannot be appealed")
    expect(appeals).to_contain_text("skollagen 28 kap. 12 och 18 §§")
    # One button: the waiting list decision has none.
    expect(appeals.get_by_role("link", name="Appeal the decision on")).to_have_count(1)
    axe.check(page, "status")
    appeals.get_by_role("link", name="Appeal the decision on Svetsare").click()
    page.wait_for_url(f"**{reverse('admissions:appeal_lodge', args=[not_eligible.pk])}")
    axe.check(page, "lodge")

    # Sent without the grounds first: the error is shown and what was typed is kept.
    page.locator("#id_requested_change").fill("That I am found eligible for Svetsare.")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_requested_change")).to_have_value(
        "That I am found eligible for Svetsare."
    )
    axe.check(page, "lodge-error")
    page.locator("#id_grounds").fill(
        "I have passed Svenska 1 at Komvux; the certificate is attached."
    )
    page.locator("#id_files").set_input_files(str(attachment))
    page.get_by_role("button", name="Send the appeal").click()

    appeal = Appeal.objects.get()
    page.wait_for_url(f"**{reverse('admissions:appeal_detail', args=[appeal.pk])}")
    expect(page.locator("main")).to_contain_text("Your appeal has been received.")
    expect(page.get_by_role("link", name="intyg-svenska-1.pdf")).to_be_visible()
    axe.check(page, "detail")

    # --- the intake officer -------------------------------------------------------------------
    officer = make_user(region, Role.INTAKE_OFFICER, totp=True)
    desk = new_page("en", session_key=session_for(officer))
    desk.goto(reverse("admissions:appeal_queue"))
    axe.check(desk, "queue")
    desk.get_by_role("link", name=decided.application.reference).click()
    desk.wait_for_url(f"**{reverse('admissions:appeal_review', args=[appeal.pk])}")
    expect(desk.locator("main")).to_contain_text("I have passed Svenska 1 at Komvux")
    axe.check(desk, "review")
    desk.get_by_role("button", name="Make the case file and mark as sent").click()
    expect(desk.locator("main")).to_contain_text("marked as sent to Skolväsendets")
    download = desk.get_by_role("link", name="Download the case file (PDF)")
    expect(download).to_be_visible()
    axe.check(desk, "forwarded")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FORWARDED and appeal.case_file_sha256

    # The applicant sees that the appeal went to the board.
    page.reload()
    expect(page.locator("main")).to_contain_text("has been sent to Skolväsendets")

    assert not axe.found, axe.report()
