"""Issue 13.4: the application journey in Arabic and in Somali on a phone, in Chromium.

The applicant picks the language on the first page, finds a course, creates an account and
confirms the e-mail address, fills in the form, uploads a document, submits and sees the status
of the application. On every page: the page is in the chosen language (lang, dir, a translated
string), axe-core finds nothing serious or critical, and no text overflows its box nor any
element the phone's width. A screenshot of every page is kept beside the test's temporary files
(or in BROWSER_SCREENSHOTS) and named in the failure message.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus
from tests import sample_files
from tests.browser.support import BLOCKING_IMPACTS, axe_violations, path_of, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
PASSWORD = "Lång-och-ovanlig-fras-42"
BORN = dt.date(1987, 4, 23)
PDF = sample_files.PDF

# Every element whose content is wider than its box (text or a child sticking out), and every
# element reaching past the sides of the viewport. Boxes that scroll or clip on purpose are left
# out: form controls (an input scrolls its own value), overflow auto/scroll (a wide table in a
# scrolling wrapper) and the visually hidden text for screen readers.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) {
      name += "." + el.className.trim().split(/\\s+/).join(".");
    }
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return text ? `${name} "${text}"` : name;
  };
  const skipped = (el) =>
    el.closest(".visually-hidden, .skip-link, [hidden], [aria-hidden=true], select, svg");
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px > ${width}px`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (skipped(el) || ["INPUT", "TEXTAREA", "SELECT", "OPTION"].includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (style.position === "fixed" || style.position === "absolute") {
      // Pulled out of the flow on purpose (e.g. a skip link waiting off screen until focused).
      if (style.clip !== "auto" || style.clipPath !== "none") continue;
    }
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    if (box.right > width + 1 || box.left < -1) {
      found.push(`${describe(el)} reaches outside the viewport (${Math.round(box.left)}` +
                 `..${Math.round(box.right)}px of ${width}px)`);
      continue;
    }
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    if (!scrolls && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${describe(el)} overflows its box (${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
  }
  return found;
}"""


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


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


class PageChecks:
    """Checks each page of the journey and keeps what is wrong, to be reported together."""

    def __init__(self, language: str, axe_source, folder: Path):
        self.language = language
        self.direction = "rtl" if language == "ar" else "ltr"
        self.axe_source = axe_source
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.problems: list[str] = []

    def check(self, page, name: str, msgid: str, within: str = "body") -> None:
        picture = self.folder / f"{self.language}-{name}.png"
        page.screenshot(path=str(picture), full_page=True)
        screenshot(page, f"applicant-{self.language}-{name}")
        found = []
        html = page.locator("html")
        if html.get_attribute("lang") != self.language:
            found.append(f"html lang is {html.get_attribute('lang')!r}")
        if html.get_attribute("dir") != self.direction:
            found.append(f"html dir is {html.get_attribute('dir')!r}")
        expected = in_language(self.language, msgid)
        assert expected != msgid, f"{msgid!r} has no {self.language} translation"
        if expected not in page.locator(within).first.inner_text():
            found.append(f"{expected!r} (for {msgid!r}) is not in {within}")
        found += [
            f"axe: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for v in axe_violations(page, self.axe_source)
            if v["impact"] in BLOCKING_IMPACTS
        ]
        found += page.evaluate(OVERFLOW)
        self.problems += [f"{name} ({page.url}, {picture}): {problem}" for problem in found]

    def report(self) -> str:
        return f"{len(self.problems)} problems:\n" + "\n".join(self.problems)


def submit(page, form_selector: str = "main form.form") -> None:
    page.locator(f"{form_selector} button[type=submit]").first.click()


@pytest.mark.parametrize("language", ["ar", "so"])
def test_the_application_journey_on_a_phone(site, new_page, axe_source, tmp_path, language):
    offering = site["offering"]
    email = f"applicant-{language}@example.test"
    checks = PageChecks(language, axe_source, tmp_path / "screenshots")
    page = new_page(lang="sv", **PHONE)

    # --- The first page: pick the language. ----------------------------------------------------
    page.goto(reverse("home"))
    page.locator(f"button.language-picker__button[value='{language}']").click()
    page.wait_for_load_state()
    checks.check(page, "home", "Choose your language")

    # --- The catalogue and the course; Apply; create an account and confirm it. --------------
    page.goto(path_of("yrkescenter:offering_list"))
    checks.check(page, "catalogue", "Courses you can apply for")
    page.goto(path_of("yrkescenter:offering_detail", pk=offering.pk))
    checks.check(page, "offering", "Who can apply")
    start_url = path_of("admissions:apply_start", offering_pk=offering.pk)
    page.locator(f"main a[href='{start_url}']").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_login")) + r"\?next="))
    checks.check(page, "login", "Log in")
    page.locator(f"main a[href^='{reverse('account_signup')}']").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_signup")) + r"\?next="))
    # The page's own heading (allauth's), not the menu's "Create account".
    checks.check(page, "signup", "Sign Up", within="main h1")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    submit(page)
    page.wait_for_url(f"**{reverse('account_email_verification_sent')}")

    [confirmation] = [m for m in mail.outbox if m.to == [email]]
    confirm_path = reverse("account_confirm_email", args=["KEY"]).removesuffix("KEY/")
    link = re.search(rf"https?://\S+{re.escape(confirm_path)}\S+/", confirmation.body)
    assert link, confirmation.body
    page.goto(link.group())
    submit(page, "main form")
    page.wait_for_url(f"**{start_url}")
    checks.check(page, "apply-start", "Start my application")
    submit(page, "main form")

    application = Application.objects.get(applicant__email=email)

    def step_url(step: str) -> str:
        return path_of("admissions:application_step", pk=application.pk, step=step)

    # --- The form, step by step. -----------------------------------------------------------------
    page.wait_for_url(f"**{step_url('identity')}")
    checks.check(page, "step-identity", "Save and continue")
    page.locator("#id_first_name").fill("Hodan")
    page.locator("#id_last_name").fill("Abdullahi")
    number = pnr.build(BORN, 482)
    page.locator("#id_personnummer").fill(f"{number[:8]}-{number[8:]}")
    submit(page)

    page.wait_for_url(f"**{step_url('contact')}")
    checks.check(page, "step-contact", "Home municipality")
    page.locator("#id_email").fill(email)
    page.locator("#id_phone").fill("070-123 45 67")
    page.locator("#id_street_address").fill("Drottninggatan 12")
    page.locator("#id_postal_code").fill("652 25")
    page.locator("#id_city").fill("Karlstad")
    page.locator("#id_home_municipality").select_option(str(site["centre"].host_municipality_id))
    submit(page)

    page.wait_for_url(f"**{step_url('background')}")
    checks.check(page, "step-background", "Highest completed education")
    page.locator("#id_prior_education").select_option("upper_secondary")
    page.locator("#id_situation").select_option("unemployed")
    page.locator("#id_recruitment_channel").select_option("arbetsformedlingen")
    page.locator("#id_combine_with_sfi").check()
    submit(page)

    page.wait_for_url(f"**{step_url('choices')}")
    checks.check(page, "step-choices", "Continue")
    page.locator("main button[name=action][value=continue]").click()

    page.wait_for_url(f"**{step_url('validation')}")
    checks.check(page, "step-validation", "I want my prior competence validated")
    submit(page)

    page.wait_for_url(f"**{step_url('documents')}")
    checks.check(page, "step-documents", "Upload a document")
    page.locator("#id_kind").select_option("grades")
    page.locator("#id_file").set_input_files(
        files=[{"name": "shahaado.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("main button[name=action][value=upload]").click()
    page.locator("main .document-list").filter(has_text="shahaado.pdf").wait_for()
    checks.check(page, "step-documents-uploaded", "Your documents")
    page.locator("main button[name=action][value=continue]").click()

    page.wait_for_url(f"**{step_url('review')}")
    checks.check(page, "step-review", "Submit my application")
    page.locator("#id_consent").check()
    submit(page)

    # --- The receipt and the status of the application. ----------------------------------------
    page.wait_for_url(f"**{path_of('admissions:application_receipt', pk=application.pk)}")
    checks.check(page, "receipt", "Your application has been received")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.personnummer == number

    status_url = path_of("admissions:application_detail", pk=application.pk)
    page.locator(f"main a[href='{status_url}']").click()
    page.wait_for_url(f"**{status_url}")
    checks.check(page, "status", "Withdraw my application")
    assert application.reference in page.locator("main").inner_text()

    assert not checks.problems, checks.report()
