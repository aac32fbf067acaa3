"""A region admin approves a term's cost settlement in Chromium; after a student stops early the
detail page lists what changed since the approved version, and the version page keeps the
figures as approved. axe-core finds nothing on any of the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.funding.models import SettlementApproval
from tests.admissions.settlement_support import small_region
from tests.browser.support import axe_violations, make_user, session_for

pytestmark = pytest.mark.browser


def test_a_region_admin_approves_the_settlement_and_sees_what_changed(site, new_page, axe_source):
    world = small_region(site["region"])
    admin = make_user(site["region"], Role.REGION_ADMIN, totp=True)
    page = new_page("en", session_key=session_for(admin))
    detail = reverse("admissions:settlement_detail", args=[world.period.pk])

    page.goto(detail)
    approval = page.locator("section[aria-labelledby='approval-title']")
    expect(approval).to_contain_text("Preliminary: not approved.")
    assert axe_violations(page, axe_source) == []
    approval.locator("#id_note").fill("Sent to the finance offices.")
    approval.get_by_role("button", name="Approve the settlement").click()

    expect(page.locator("main")).to_contain_text("The settlement is approved as version 1.")
    expect(approval).to_contain_text("Approved as version 1")
    # The figures on screen are version 1's: nothing to approve again.
    expect(approval.get_by_role("button")).to_have_count(0)
    (stored,) = SettlementApproval.objects.all()
    assert (stored.version, stored.note) == (1, "Sent to the finance offices.")

    # s4 stops after 60 of the offering's 120 days: the agreement charges half the course.
    Enrolment.objects.filter(pk=world.students["s4"].pk).update(
        status=EnrolmentStatus.INTERRUPTED,
        ended_on=dt.date(2026, 10, 18),
        interruption_reason="work",
    )
    page.goto(detail)
    changes = page.locator("#changes-title")
    expect(changes).to_have_text(
        "Changed since version 1: 1 student's line added, changed or removed"
    )
    expect(page.locator("main table").first).to_contain_text(world.application("s4").reference)
    expect(
        approval.get_by_role("button", name="Approve these figures as a new version")
    ).to_be_visible()
    assert axe_violations(page, axe_source) == []

    approval.get_by_role("link", name="Open version 1").click()
    page.wait_for_url(f"**{reverse('admissions:settlement_approval', args=[world.period.pk, 1])}")
    expect(page.locator("h1")).to_contain_text("approved version 1")
    expect(page.locator("main")).to_contain_text("Sent to the finance offices.")
    assert axe_violations(page, axe_source) == []
