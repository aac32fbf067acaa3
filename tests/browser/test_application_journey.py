"""Issue 3, item 13: the whole way from the catalogue to an intake officer's decision, in Chromium.

A new applicant finds an offering, registers and confirms the e-mail address, fills in the form
with one mistake that is then corrected, ranks three courses at three centres, uploads a PDF and
submits; a receipt page and e-mail follow. An intake officer logs in with password and TOTP,
finds the application, marks its choices eligible and sets a selection group. axe-core checks
every page on the way; its serious and critical findings are collected and reported together.

English is used throughout and elements are found by field names, ids and URLs, so that the
Swedish catalogue can change without breaking the journey.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    EligibilityDecision,
    SelectionGroupDecision,
)
from tests import sample_files
from tests.browser.support import PASSWORD, Axe, make_user, path_of, screenshot, totp_code
from tests.factories import OfferingFactory

pytestmark = pytest.mark.browser

APPLICANT_EMAIL = "nadia.haddad@example.test"
APPLICANT_PASSWORD = "Lång-och-ovanlig-fras-42"
BORN = dt.date(1987, 4, 23)
PDF = sample_files.PDF


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Uploads must not land in the project's var/ directory.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


@pytest.fixture
def offerings(site):
    """Three open offerings of one intake period, each at its own centre."""
    first = site["offering"]
    others = [
        OfferingFactory(
            region=site["region"],
            intake_period=first.intake_period,
            centre__name=centre,
            programme__name=programme,
        )
        for centre, programme in [
            ("Yrkescenter Kristinehamn", "CNC-operatör"),
            ("Yrkescenter Arvika", "Underhållstekniker"),
        ]
    ]
    return [first, *others]


def submit(page, form_selector: str = "main form.form") -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()


def test_an_applicant_applies_and_an_intake_officer_decides(site, offerings, new_page, axe_source):
    axe = Axe(axe_source, "journey")
    wanted, kristinehamn, arvika = offerings
    good_number = pnr.build(BORN, 482)
    typed_number = f"{good_number[:8]}-{good_number[8:]}"
    wrong_check_digit = f"{typed_number[:-1]}{(int(typed_number[-1]) + 1) % 10}"
    page = new_page(lang="en")

    # --- 1. The catalogue, filtered by centre; the offering; Apply; sign up; confirm. ---------
    page.goto(path_of("yrkescenter:offering_list"))
    results = page.locator("#catalogue-results")
    expect(results.locator(".card")).to_have_count(3)
    axe.check(page, "catalogue")
    # Choosing is enough: htmx replaces the results and puts the filter in the address.
    page.locator("#id_centre").select_option(str(wanted.centre_id))
    page.wait_for_url(re.compile(rf"[?&]centre={wanted.centre_id}\b"))
    expect(results.locator(".card")).to_have_count(1)
    screenshot(page, "journey-catalogue-filtered")
    results.locator(f"a[href='{path_of('yrkescenter:offering_detail', pk=wanted.pk)}']").click()
    page.wait_for_url(f"**{path_of('yrkescenter:offering_detail', pk=wanted.pk)}")
    axe.check(page, "offering")

    start_url = path_of("admissions:apply_start", offering_pk=wanted.pk)
    page.locator(f"main a[href='{start_url}']").click()
    # Not logged in: the login page, which offers to create an account and keeps where to go.
    page.wait_for_url(re.compile(re.escape(reverse("account_login")) + r"\?next="))
    page.locator(f"main a[href^='{reverse('account_signup')}']").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_signup")) + r"\?next="))
    page.locator("#id_email").fill(APPLICANT_EMAIL)
    page.locator("#id_password1").fill(APPLICANT_PASSWORD)
    page.locator("#id_password2").fill(APPLICANT_PASSWORD)
    submit(page)
    page.wait_for_url(f"**{reverse('account_email_verification_sent')}")
    screenshot(page, "journey-verification-sent")

    [confirmation] = [m for m in mail.outbox if m.to == [APPLICANT_EMAIL]]
    confirm_path = reverse("account_confirm_email", args=["KEY"]).removesuffix("KEY/")
    link = re.search(rf"https?://\S+{re.escape(confirm_path)}\S+/", confirmation.body)
    assert link, confirmation.body
    page.goto(link.group())
    submit(page, "main form")
    # Confirming in the same browser logs the applicant in and resumes where they were going.
    page.wait_for_url(f"**{start_url}")
    screenshot(page, "journey-apply-start")
    submit(page, "main form")

    application = Application.objects.get(applicant__email=APPLICANT_EMAIL)

    def step_url(step: str) -> str:
        return path_of("admissions:application_step", pk=application.pk, step=step)

    # --- 2. The form: identity, with a wrong check digit that is then corrected. ------------
    page.wait_for_url(f"**{step_url('identity')}")
    axe.check(page, "step-identity")
    page.locator("#id_first_name").fill("Nadia")
    page.locator("#id_last_name").fill("Haddad")
    number = page.locator("#id_personnummer")
    number.fill(wrong_check_digit)
    submit(page)

    expect(page.locator(".error-summary")).to_be_visible()
    expect(number).to_have_attribute("aria-invalid", "true")
    error_id = number.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("check digit")
    # What was typed is all still there, the mistake included, to be corrected in place.
    expect(page.locator("#id_first_name")).to_have_value("Nadia")
    expect(page.locator("#id_last_name")).to_have_value("Haddad")
    expect(number).to_have_value(wrong_check_digit)
    axe.check(page, "step-identity-with-error")

    number.fill(typed_number)
    submit(page)

    # --- Contact and home municipality; background. -----------------------------------------
    page.wait_for_url(f"**{step_url('contact')}")
    axe.check(page, "step-contact")
    page.locator("#id_email").fill(APPLICANT_EMAIL)
    page.locator("#id_phone").fill("070-123 45 67")
    page.locator("#id_street_address").fill("Drottninggatan 12")
    page.locator("#id_postal_code").fill("652 25")
    page.locator("#id_city").fill("Karlstad")
    page.locator("#id_home_municipality").select_option(str(site["centre"].host_municipality_id))
    submit(page)

    page.wait_for_url(f"**{step_url('background')}")
    axe.check(page, "step-background")
    page.locator("#id_prior_education").select_option("upper_secondary")
    page.locator("#id_situation").select_option("unemployed")
    page.locator("#id_recruitment_channel").select_option("arbetsformedlingen")
    page.locator("#id_combine_with_sas").check()
    submit(page)

    # --- Three courses across centres, reordered once. --------------------------------------
    page.wait_for_url(f"**{step_url('choices')}")
    choices = page.locator("main ol.choice-list > li")
    expect(choices).to_have_count(1)
    axe.check(page, "step-choices")
    for count, offering in enumerate([kristinehamn, arvika], start=2):
        page.locator("#id_offering").select_option(str(offering.pk))
        page.locator("main button[name=action][value=add]").click()
        expect(choices).to_have_count(count)
    # Arvika is wanted before Kristinehamn: move it up one place.
    choices.nth(2).locator("button[name=action][value=up]").click()
    expect(choices.nth(1)).to_contain_text("Yrkescenter Arvika")
    expect(choices.nth(2)).to_contain_text("Yrkescenter Kristinehamn")
    axe.check(page, "step-choices-three")
    page.locator("main button[name=action][value=continue]").click()

    page.wait_for_url(f"**{step_url('validation')}")
    axe.check(page, "step-validation")
    submit(page)

    # --- Documents: one PDF. -----------------------------------------------------------------
    page.wait_for_url(f"**{step_url('documents')}")
    axe.check(page, "step-documents")
    page.locator("#id_kind").select_option("grades")
    page.locator("#id_file").set_input_files(
        files=[{"name": "slutbetyg.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("main button[name=action][value=upload]").click()
    expect(page.locator("main .document-list")).to_contain_text("slutbetyg.pdf")
    axe.check(page, "step-documents-uploaded")
    page.locator("main button[name=action][value=continue]").click()

    # --- Review, consent, submit. ------------------------------------------------------------
    page.wait_for_url(f"**{step_url('review')}")
    # Nothing is left to fill in: the list of what is missing is not shown.
    expect(page.locator("main .message--warning a[href*='/steg/']")).to_have_count(0)
    axe.check(page, "step-review")
    page.locator("#id_consent").check()
    submit(page)

    # --- 3. The receipt page and e-mail. -----------------------------------------------------
    page.wait_for_url(f"**{path_of('admissions:application_receipt', pk=application.pk)}")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.personnummer == good_number
    assert list(application.choices.order_by("rank").values_list("offering", flat=True)) == [
        wanted.pk,
        arvika.pk,
        kristinehamn.pk,
    ]
    reference = application.reference
    assert reference
    expect(page.locator("main .lead strong")).to_have_text(reference)
    axe.check(page, "receipt")

    [receipt] = [m for m in mail.outbox if m.to == [APPLICANT_EMAIL] and m is not confirmation]
    assert reference in receipt.subject
    assert reference in receipt.body
    for shown in (good_number, typed_number, good_number[2:], f"{good_number[2:8]}-"):
        assert shown not in receipt.subject + receipt.body, shown

    status_url = path_of("admissions:application_detail", pk=application.pk)
    page.locator(f"main a[href='{status_url}']").click()
    page.wait_for_url(f"**{status_url}")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("slutbetyg.pdf")
    axe.check(page, "status")

    # --- 4. An intake officer: password and TOTP, the queue, the application, decisions. ----
    officer = make_user(site["region"], Role.INTAKE_OFFICER, totp=True)
    desk = new_page(lang="en")
    desk.goto(reverse("account_login"))
    desk.locator("#id_login").fill(officer.email)
    desk.locator("#id_password").fill(PASSWORD)
    submit(desk)
    desk.wait_for_url(f"**{reverse('mfa_authenticate')}")
    desk.locator("#id_code").fill(totp_code(officer))
    submit(desk)
    desk.wait_for_url(f"**{reverse('accounts:start')}")

    desk.goto(path_of("admissions:intake_queue"))
    axe.check(desk, "queue")
    desk.locator("#id_q").fill(reference)
    desk.locator("main form[role=search] button[type=submit]").click()
    desk.wait_for_url(re.compile(r"[?&]search="))
    detail_url = path_of("admissions:intake_application", pk=application.pk)
    rows = desk.locator("main table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Haddad, Nadia")
    # Masked in the list: the date of birth, never the last four digits.
    expect(rows.first).not_to_contain_text(good_number[8:])
    axe.check(desk, "queue-search")
    rows.first.locator(f"a[href='{detail_url}']").click()
    desk.wait_for_url(f"**{detail_url}")
    axe.check(desk, "intake-application")

    evidence = "Inskriven som arbetssökande hos Arbetsförmedlingen sedan mars."
    for choice in application.choices.order_by("rank"):
        section = desk.locator(f"#choice-{choice.pk}")
        prefix = f"choice-{choice.pk}"
        section.locator(f"input[name='{prefix}-eligible'][value=yes]").check()
        section.locator("form[action$='/behorighet/'] button[type=submit]").click()
        expect(section.locator("table.decisions").first).to_contain_text("Eligible")

        section = desk.locator(f"#choice-{choice.pk}")
        section.locator(f"input[name='{prefix}-group'][value='3']").check()
        section.locator(f"#id_{prefix}-evidence").fill(evidence)
        section.locator("form[action$='/urvalsgrupp/'] button[type=submit]").click()
        expect(section.locator("table.decisions").nth(1)).to_contain_text(evidence)
    screenshot(desk, "journey-intake-decided")

    for choice in application.choices.all():
        [eligibility] = EligibilityDecision.objects.filter(choice=choice)
        assert eligibility.eligible is True
        assert eligibility.decided_by == officer
        [group] = SelectionGroupDecision.objects.filter(choice=choice)
        assert group.group == 3
        assert group.evidence == evidence
        assert group.decided_by == officer

    # The queue now shows the decisions too.
    desk.goto(path_of("admissions:intake_queue"))
    queued = desk.locator("main table.queue tbody tr").filter(has_text=reference)
    expect(queued.locator(".queue__choices li")).to_have_count(3)
    for item in queued.locator(".queue__choices li").all():
        expect(item.locator(".tag")).to_have_text(["eligible", "group 3"])

    # --- 5. axe-core: nothing serious or critical on any page of the journey. ---------------
    assert not axe.found, "axe-core found serious or critical violations:\n" + axe.report()
