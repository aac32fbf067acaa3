"""Issue 7, items 4 and 8: a council member filters a dashboard and downloads the report, in
Chromium.

The region is the small one of tests/industriradet/dashboards_support.py (its docstring lists
every row). The council member logs in with password and TOTP, opens the funnel (the latest
period by default: 16 submitted applications), chooses Yrkescenter Arvika and sees the six
applications of B1-B6 only, with the chart drawn beside the table; then downloads the PDF
report of those filters, whose text has the title, the centre and the figures. axe-core checks
the overview and every dashboard page.

English is used throughout, and elements are found by ids and URLs.
"""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from industriradet.dashboards import DASHBOARDS
from tests.browser.support import PASSWORD, Axe, make_user, totp_code
from tests.conftest import need_service
from tests.factories import RegionFactory
from tests.industriradet.dashboards_support import build_small_region

pytestmark = pytest.mark.browser


@pytest.fixture
def council(transactional_db):
    # The live server's host (localhost) falls back to the default region.
    region = RegionFactory(slug=settings.DEFAULT_REGION_SLUG, name="Värmland")
    small = build_small_region(region)
    member = make_user(region, Role.COUNCIL_MEMBER, totp=True)
    return {"small": small, "member": member}


def log_in(page, user) -> None:
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('mfa_authenticate')}")
    page.locator("#id_code").fill(totp_code(user))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('accounts:start')}")


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        need_service("pdftotext (poppler-utils) is needed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode()


def test_a_council_member_filters_a_dashboard_and_downloads_the_report(
    council, new_page, axe_source
):
    small, member = council["small"], council["member"]
    axe = Axe(axe_source, "council")
    page = new_page(lang="en")
    log_in(page, member)

    page.goto(reverse("industriradet:dashboards"))
    expect(page.locator("h1")).to_have_text("Dashboards")
    axe.check(page, "overview")

    # The funnel of the latest period: all sixteen submitted applications.
    page.goto(reverse("industriradet:dashboard", args=["funnel"]))
    submitted = page.locator("#funnel tbody tr").first
    expect(submitted.locator("th")).to_have_text("Submitted")
    expect(submitted.locator("td").first).to_have_text("16")
    expect(page.locator("#id_period")).to_have_value(str(small.period.pk))

    # Filtered by the Arvika centre: B1-B6 only, and the choice stays in the form.
    page.select_option("#id_centre", label="Yrkescenter Arvika")
    page.locator("#apply-filters").click()
    page.wait_for_url(f"**centre={small.o3.centre.pk}**")
    expect(page.locator("#id_centre")).to_have_value(str(small.o3.centre.pk))
    submitted = page.locator("#funnel tbody tr").first
    expect(submitted.locator("td").first).to_have_text("6")
    # The chart beside the table is drawn (the script shows its figure once it has drawn it).
    expect(page.locator("#funnel figure.chart")).to_be_visible()
    axe.check(page, "funnel-filtered")

    # The report of these filters.
    with page.expect_download() as download_info:
        page.locator("#report-link").click()
    download = download_info.value
    assert download.suggested_filename == "industriradet-rapport-ht2027.pdf"
    path = download.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    text = pdf_text(path)
    assert "Industry council report – Värmland" in text
    assert "Yrkescenter Arvika" in text
    # The funnel's first row: "Submitted  6  100" (the timeline's column is "Submitted
    # applications").
    funnel_rows = [line.split() for line in text.splitlines() if line.split()[:1] == ["Submitted"]]
    assert ["Submitted", "6", "100"] in funnel_rows
    assert "<5" in text or ".." in text

    # Every dashboard passes axe-core (with the filters of the page above).
    for slug in DASHBOARDS:
        page.goto(reverse("industriradet:dashboard", args=[slug]))
        expect(page.locator("h1")).to_be_visible()
        axe.check(page, slug)
    assert not axe.found, axe.report()
