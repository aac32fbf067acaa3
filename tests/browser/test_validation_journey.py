"""Issue 6: a validation from the request in an application to the downloaded certificate, in
Chromium.

An applicant's submitted application asks for validation. An assessor logs in with password
and TOTP, opens a case from the application in the centre's queue against a four-eyes standard,
maps its areas and records a result for each; deciding is refused while the results wait for a
second assessor. A second assessor logs in and signs the results off; the case is decided and
the certificate issued in English. The intake office sees the results, with the sentence to
cite, on the application page (an htmx fragment). The applicant logs in, finds the case on
their validation page and downloads the certificate, whose text names them and the standard. An
anonymous visitor checks the code on the public page, which confirms it and refuses a forged
one. The second assessor then revokes the certificate with a reason, and the public page says
so. axe-core checks every page visited; the follow-up page is checked too.

English is used throughout, and elements are found by ids, names, URLs and attributes, so the
Swedish catalogue can change freely.
"""

import datetime as dt
import hashlib
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from admissions.applications import personnummer as pnr
from tests.browser.support import PASSWORD, Axe, make_user, path_of, totp_code
from tests.conftest import need_service
from tests.factories import ApplicationFactory, CourseFactory, MunicipalityFactory
from validation.models import (
    CaseStatus,
    Certificate,
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
    SignOff,
    ValidationCase,
    ValidationCentre,
)

pytestmark = pytest.mark.browser

FIRST_NAME, LAST_NAME = "Tomasz", "Wiśniewski-Berg"
BORN = dt.date(1986, 6, 21)
STANDARD_NAME, STANDARD_NAME_EN = "Svetsare – grundnivå", "Welder – basic level"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Certificates must not land in the project's var/ directory.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


@pytest.fixture
def centre(site):
    """The default region's validation centre, with a four-eyes welding standard of two areas,
    each replacing one course."""
    region = site["region"]
    ValidationCentre.objects.create(
        region=region,
        name="Valideringscentrum Värmland",
        host_municipality=MunicipalityFactory(region=region, name="Karlstad", code="1780"),
        address="Verkstadsgatan 1, 652 21 Karlstad",
    )
    standard = CompetenceStandard.objects.create(
        region=region,
        code="svets-grund",
        name=STANDARD_NAME,
        name_en=STANDARD_NAME_EN,
        branch="Svetsning",
        owner="Svetskommissionen",
        four_eyes=True,
    )
    for position, (code, name, course_code) in enumerate(
        [("mma", "Manual metal arc welding", "SVEMMA01"), ("mig", "MIG welding", "SVEMIG01")],
        start=1,
    ):
        area = CompetenceArea.objects.create(
            standard=standard,
            code=code,
            name=f"Svets {code.upper()}",
            name_en=name,
            method=Method.PRACTICAL_CENTRE,
            position=position,
        )
        area.courses.set(
            [CourseFactory(region=region, code=course_code, name=f"{name} 1", points=100)]
        )
    return {"region": region, "standard": standard}


@pytest.fixture
def people(centre):
    region = centre["region"]
    applicant = make_user(region, Role.APPLICANT)
    applicant.full_name = f"{FIRST_NAME} {LAST_NAME}"
    applicant.preferred_language = "en"
    applicant.save(update_fields=["full_name", "preferred_language"])
    application = ApplicationFactory(
        region=region,
        applicant=applicant,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        birth_date=BORN,
        personnummer=pnr.build(BORN, 318),
        validation_requested=True,
        validation_description="Eight years of welding at a shipyard in Gdańsk.",
    )
    first = make_user(region, Role.ASSESSOR, totp=True)
    second = make_user(region, Role.ASSESSOR, totp=True)
    officer = make_user(region, Role.INTAKE_OFFICER, totp=True)
    for user, name in ((first, "Anna Bedömare"), (second, "Bertil Granskare")):
        user.full_name = name
        user.save(update_fields=["full_name"])
    return {
        "applicant": applicant,
        "application": application,
        "first": first,
        "second": second,
        "officer": officer,
    }


def log_in(page, user, *, with_totp: bool) -> None:
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form.form button[type=submit]").first.click()
    if with_totp:
        page.wait_for_url(f"**{reverse('mfa_authenticate')}")
        page.locator("#id_code").fill(totp_code(user))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{reverse('accounts:start')}")


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        need_service("pdftotext (poppler-utils) is needed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    # Line breaks fall wherever the layout puts them.
    return " ".join(done.stdout.decode().split())


def record_result(page, case_area_pk: int) -> None:
    area = page.locator(f"section#area-{case_area_pk}")
    area.locator(f"input[name$='outcome'][value='{Outcome.VALIDATED.value}']").check()
    area.locator("textarea[name$='evidence']").fill(
        "Test weld passed the branch's assessment template; bend test approved."
    )
    area.locator("select[name$='method']").select_option(Method.PRACTICAL_CENTRE.value)
    form = area.locator(f"form[action='{path_of('validation:result_record', pk=case_area_pk)}']")
    form.locator("button[type=submit]").click()
    # Back on the case page, the area shows its result instead of the form.
    expect(form).to_have_count(0)
    expect(area).to_contain_text(str(Outcome.VALIDATED.label))


def test_from_the_request_in_an_application_to_the_downloaded_certificate(
    centre, people, new_page, axe_source, tmp_path
):
    axe = Axe(axe_source, "validation-journey")
    standard, application = centre["standard"], people["application"]
    full_name = f"{FIRST_NAME} {LAST_NAME}"

    # --- 1. The first assessor: password and TOTP; the request waits in the queue. ----------
    desk = new_page(lang="en")
    log_in(desk, people["first"], with_totp=True)
    desk.goto(path_of("validation:case_queue"))
    awaiting = desk.locator(
        f"form[action='{path_of('validation:case_open_from_application', pk=application.pk)}']"
    )
    expect(awaiting).to_have_count(1)
    axe.check(desk, "queue")

    # --- 2. Open the case from the application, against the welding standard. --------------
    awaiting.locator("select[name=standard]").select_option(str(standard.pk))
    awaiting.locator("button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/validering/arenden/\d+/$"))
    case = ValidationCase.objects.get(application=application)
    assert case.person == people["applicant"]
    assert (case.status, case.standard) == (CaseStatus.MAPPING, standard)
    case_url = path_of("validation:case_detail", pk=case.pk)
    axe.check(desk, "case-opened")

    # --- 3. Map both areas; record a validated result for each. ------------------------------
    mapping = desk.locator(f"form[action='{path_of('validation:case_map', pk=case.pk)}']")
    for area in standard.areas.all():
        mapping.locator(f"input[name$='areas'][value='{area.pk}']").check()
    mapping.locator("button[type=submit]").click()
    expect(desk.locator("#results form")).to_have_count(2)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    case_areas = list(case.areas.order_by("area__position"))
    assert len(case_areas) == 2
    for case_area in case_areas:
        record_result(desk, case_area.pk)
    assert case.results.count() == 2
    axe.check(desk, "case-results-recorded")

    # --- 4. Four eyes: one assessor cannot decide alone. -------------------------------------
    decide = desk.locator(f"form[action='{path_of('validation:case_decide', pk=case.pk)}']")
    decide.locator("button[type=submit]").click()
    expect(desk.locator("#decision .error-summary")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    # Nor sign off their own results: the page offers them no sign-off form.
    for result in case.results.all():
        sign_off_url = path_of("validation:result_sign_off", pk=result.pk)
        expect(desk.locator(f"form[action='{sign_off_url}']")).to_have_count(0)
    axe.check(desk, "case-decide-refused")

    # --- 5. The second assessor signs off both results and decides. -------------------------
    second = new_page(lang="en")
    log_in(second, people["second"], with_totp=True)
    second.goto(case_url)
    for result in case.results.order_by("id"):
        sign_off_url = path_of("validation:result_sign_off", pk=result.pk)
        second.locator(f"form[action='{sign_off_url}'] button[type=submit]").click()
        expect(second.locator(f"form[action='{sign_off_url}']")).to_have_count(0)
    assert SignOff.objects.filter(result__case=case, assessor=people["second"]).count() == 2
    decide_url = path_of("validation:case_decide", pk=case.pk)
    second.locator(f"form[action='{decide_url}'] button[type=submit]").click()
    certificates_url = path_of("validation:case_certificates", pk=case.pk)
    expect(second.locator(f"#decision a[href='{certificates_url}']")).to_have_count(1)
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    axe.check(second, "case-decided")

    # --- 6. The certificate, issued in English from the case's certificates. -----------------
    second.locator(f"#decision a[href='{certificates_url}']").click()
    second.wait_for_url(f"**{certificates_url}")
    axe.check(second, "certificates-before")
    second.locator("#id_language").select_option("en")
    second.locator(
        f"form[action='{path_of('validation:certificate_issue', pk=case.pk)}'] button"
    ).click()
    expect(second.locator("#certificates ul li")).to_have_count(1)
    certificate = Certificate.objects.get(case=case)
    assert (certificate.version, certificate.language) == (1, "en")
    expect(second.locator("#certificates")).to_contain_text(certificate.verification_code)
    axe.check(second, "certificates-issued")

    # --- 7. The intake office sees the results on the application, ready to cite. ------------
    office = new_page(lang="en")
    log_in(office, people["officer"], with_totp=True)
    office.goto(path_of("admissions:intake_application", pk=application.pk))
    results = office.locator("#validation-results")
    # Loaded by htmx: the table of the case replaces the placeholder.
    expect(results.locator("table")).to_have_count(1)
    expect(results).to_contain_text(case.reference)
    expect(results).to_contain_text(
        f"Validation {case.reference}, {STANDARD_NAME_EN}: Manual metal arc welding validated, "
        f"MIG welding validated (certificate {certificate.verification_code})"
    )
    axe.check(office, "intake-application")

    # --- 8. The applicant: their validation page; download the certificate; read it. ---------
    page = new_page(lang="en")
    log_in(page, people["applicant"], with_totp=False)
    page.goto(path_of("validation:my_validations"))
    case_panel = page.locator(f"section[aria-labelledby='case-{case.pk}-title']")
    expect(case_panel).to_contain_text(STANDARD_NAME_EN)
    expect(case_panel).to_contain_text(str(CaseStatus.DECIDED.label))
    expect(case_panel).to_contain_text("Credited in total: 200 vp.")
    axe.check(page, "my-validations")
    link = case_panel.locator(
        f"a[href='{path_of('validation:certificate_download', pk=certificate.pk)}']"
    )
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"intyg-{case.reference}-v1.pdf"
    saved = tmp_path / "certificate.pdf"
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    text = pdf_text(saved)
    assert full_name in text
    assert STANDARD_NAME_EN in text
    assert "Svetskommissionen" in text
    assert "Signed off by Bertil Granskare (second assessor)" in text
    assert certificate.verification_code in text
    assert application.personnummer not in text

    # --- 9. Anyone checks the code on the public page; a forged one is refused. --------------
    visitor = new_page(lang="en")
    verify_url = path_of("validation:verify")
    visitor.goto(verify_url)
    axe.check(visitor, "verify-form")
    visitor.locator("#id_code").fill(certificate.verification_code.lower())
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url(re.compile(re.escape(verify_url) + r"\?code="))
    verdict = visitor.locator("#verification")
    expect(verdict).to_contain_text("The certificate is genuine")
    expect(verdict).to_contain_text(full_name)
    expect(verdict).to_contain_text(STANDARD_NAME_EN)
    expect(verdict).not_to_contain_text("Manual metal arc welding")
    axe.check(visitor, "verify-genuine")
    last = certificate.verification_code[-1]
    forged = certificate.verification_code[:-1] + ("Z" if last != "Z" else "Y")
    visitor.locator("#id_code").fill(forged)
    visitor.locator("main form button[type=submit]").click()
    expect(verdict).to_contain_text("No certificate has this code.")
    expect(verdict).not_to_contain_text(LAST_NAME)
    axe.check(visitor, "verify-forged")

    # --- 10. The centre revokes the certificate; the public check says so. -------------------
    second.goto(certificates_url)
    revoke_url = path_of("validation:certificate_revoke", pk=certificate.pk)
    revoke_form = second.locator(f"form[action='{revoke_url}']")
    second.locator("#certificates details summary").click()
    axe.check(second, "certificates-revoke-form")
    revoke_form.locator("textarea").fill("Issued to the wrong standard.")
    revoke_form.locator("button[type=submit]").click()
    second.wait_for_url(f"**{certificates_url}")
    expect(second.locator("#certificates")).to_contain_text("Issued to the wrong standard.")
    expect(second.locator(f"form[action='{revoke_url}']")).to_have_count(0)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    axe.check(second, "certificates-revoked")
    visitor.locator("#id_code").fill(certificate.verification_code)
    visitor.locator("main form button[type=submit]").click()
    expect(verdict).to_contain_text("The certificate is genuine but has been revoked")
    expect(verdict).not_to_contain_text("Issued to the wrong standard.")
    axe.check(visitor, "verify-revoked")

    # --- 11. The centre's follow-up counts the case. -----------------------------------------
    desk.goto(path_of("validation:stats"))
    cases_row = desk.locator(f"#cases-{standard.pk}")
    expect(cases_row.locator("td").nth(0)).to_have_text("1")  # opened
    expect(cases_row.locator("td").nth(3)).to_have_text("1")  # decided
    results_row = desk.locator(f"#results-{standard.pk}")
    expect(results_row.locator("td").nth(0)).to_have_text("2")  # areas validated
    expect(results_row.locator("td").nth(5)).to_have_text("200")  # credited vp
    axe.check(desk, "stats")

    # --- 12. axe-core: nothing serious or critical on any page of the journey. ---------------
    assert not axe.found, "axe-core found serious or critical violations:\n" + axe.report()
