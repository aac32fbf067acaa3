"""Issue 4, item 12: an admission round from the intake office's desk to the applicant's letter,
in Chromium.

The demo data (seed_demo) is judged through the review services; one applicant whose name we
know applies for a course with seats to spare. The demo intake officer logs in with password
and TOTP, creates the main round of the demo period, previews its inputs, runs it, finds the
known applicant on the admitted list of their course and publishes. The applicant logs in,
sees the offer on the status page, accepts it and downloads the decision letter, whose text
names them, the programme and the decision. axe-core checks the round pages and the status page.

English is used throughout (the letter too: the applicant's preferred language) and elements
are found by ids, names, URLs and attributes, so the Swedish catalogue can change freely.
"""

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Region, Role, User
from admissions.applications import personnummer as pnr
from admissions.applications.models import ApplicationStatus, Choice
from admissions.applications.services.applications import ApplicantDetails, application_submit
from admissions.applications.services.review import (
    eligibility_decide,
    selection_group_decide,
    selection_group_suggest,
)
from admissions.demo import DEMO_PASSWORD, DEMO_USERS, INTAKE_PERIOD, REGION_SLUG
from admissions.rounds.models import (
    AdmissionRound,
    DecisionLetter,
    Offer,
    OfferAnswerKind,
    Outcome,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from config import celery_app
from tests.browser.support import PASSWORD, Axe, make_user, path_of, totp_code
from tests.conftest import need_service
from yrkescenter.models import IntakePeriod, Municipality, Offering

pytestmark = pytest.mark.browser

FIRST_NAME, LAST_NAME = "Elsa", "Åkerlund"
BORN = dt.date(1990, 2, 14)
# Publishing renders every letter of the round inside the request (tasks run in process).
PUBLISH_SECONDS = 60


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Letters must not land in the project's var/ directory.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def eager_tasks():
    """The live server runs the round and the letters in process, as the embedded default does.

    With REDIS_URL set (as in CI) the tasks would otherwise go to a Redis with no worker. The
    Celery app reads Django settings once, so the `settings` fixture cannot change this.
    """
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def demo(transactional_db):
    """seed_demo's region (the live server's host, localhost, falls back to it), judged: every
    choice of a submitted application is eligible, in the group its answers suggest."""
    assert settings.DEFAULT_REGION_SLUG == REGION_SLUG
    call_command("seed_demo", "--applicants", "40", stdout=io.StringIO())
    region = Region.objects.get(slug=REGION_SLUG)
    period = IntakePeriod.objects.get(region=region, code=INTAKE_PERIOD["code"])
    [intake] = [demo for demo in DEMO_USERS if demo.role == Role.INTAKE_OFFICER]
    officer = User.objects.get(email=intake.email)
    choices = Choice.objects.filter(
        application__intake_period=period, application__status=ApplicationStatus.SUBMITTED
    ).select_related("application__region", "offering")
    for choice in choices:
        eligibility_decide(acting_user=officer, choice=choice, eligible=True)
        selection_group_decide(
            acting_user=officer,
            choice=choice,
            group=selection_group_suggest(choice.application),
            evidence="Uppgifter i ansökan.",
        )
    return {"region": region, "period": period, "officer": officer}


@pytest.fixture
def known(demo):
    """An applicant we know, with one choice: the demo course the fewest applicants want, which
    has more seats than applicants, so whatever the lottery draws, they are admitted."""
    region, period, officer = demo["region"], demo["period"], demo["officer"]
    offering = (
        Offering.objects.filter(intake_period=period)
        .annotate(wanted=Count("choices"))
        .select_related("programme", "centre")
        .order_by("wanted", "-seats", "pk")
        .first()
    )
    assert offering.seats > offering.wanted + 1, "the demo data has no course with free seats"
    user = make_user(region, Role.APPLICANT)
    user.full_name = f"{FIRST_NAME} {LAST_NAME}"
    # The letter is written in the applicant's language: English, to assert English words.
    user.preferred_language = "en"
    user.save(update_fields=["full_name", "preferred_language"])
    application = application_submit(
        acting_user=user,
        region=region,
        intake_period=period,
        applicant=user,
        details=ApplicantDetails(
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            birth_date=BORN,
            home_municipality=Municipality.objects.for_region(region).get(code="1780"),
            email=user.email,
            phone="070-174 06 42",
            personnummer=pnr.build(BORN, 426),
        ),
        offerings=[offering],
    )
    [choice] = application.choices.all()
    eligibility_decide(acting_user=officer, choice=choice, eligible=True)
    selection_group_decide(
        acting_user=officer, choice=choice, group=3, evidence="Inskriven på Arbetsförmedlingen."
    )
    return {"user": user, "application": application, "offering": offering}


def log_in(page, email: str, password: str) -> None:
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form.form button[type=submit]").first.click()


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        need_service("pdftotext (poppler-utils) is needed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=30,
    )
    # Line breaks fall wherever the layout puts them.
    return " ".join(done.stdout.decode().split())


def test_an_officer_runs_and_publishes_a_round_and_the_applicant_accepts_and_gets_the_letter(
    demo, known, new_page, axe_source, tmp_path
):
    axe = Axe(axe_source, "round-journey")
    officer, period = demo["officer"], demo["period"]
    application, offering = known["application"], known["offering"]
    full_name = f"{FIRST_NAME} {LAST_NAME}"

    # --- 1. The demo intake officer: password and TOTP through the real forms. --------------
    desk = new_page(lang="en")
    log_in(desk, officer.email, DEMO_PASSWORD)
    desk.wait_for_url(f"**{reverse('mfa_authenticate')}")
    desk.locator("#id_code").fill(totp_code(officer))
    desk.locator("main form button[type=submit]").first.click()
    desk.wait_for_url(f"**{reverse('accounts:start')}")

    # --- 2. A new main round of the demo period, with an answer deadline. ------------------
    desk.goto(path_of("admissions:round_list"))
    axe.check(desk, "round-list")
    desk.locator(f"main a[href='{path_of('admissions:round_create')}']").click()
    desk.wait_for_url(f"**{path_of('admissions:round_create')}")
    axe.check(desk, "round-create")
    deadline = timezone.localdate() + dt.timedelta(days=14)
    desk.locator("#id_intake_period").select_option(str(period.pk))
    desk.locator("#id_kind").select_option(RoundKind.MAIN.value)
    desk.locator("#id_answer_deadline").fill(deadline.isoformat())
    desk.locator("main form.form button[type=submit]").click()
    desk.wait_for_url(re.compile(re.escape(path_of("admissions:round_list")) + r"\d+/$"))
    round_ = AdmissionRound.objects.get(intake_period=period)
    assert (round_.kind, round_.number, round_.status) == (RoundKind.MAIN, 1, RoundStatus.DRAFT)
    assert round_.answer_deadline == deadline
    assert round_.created_by == officer
    detail_url = path_of("admissions:round_detail", pk=round_.pk)
    assert desk.url.endswith(detail_url)

    # --- 3. The preview: every choice judged, the known course among the seats. ------------
    submitted = period.applications.filter(status=ApplicationStatus.SUBMITTED).count()
    preview = desk.locator("main dl.summary-list").nth(1)
    expect(preview.locator("dd").first).to_have_text(str(submitted))
    expect(desk.locator("main table:has(#preview-caption)")).to_contain_text(str(offering))
    # Nothing is left undecided, so the preview has no warnings to show.
    expect(desk.locator("main .message--warning")).to_have_count(0)
    axe.check(desk, "round-preview")

    # --- 4. Run it; the results are preliminary. ---------------------------------------------
    desk.locator(
        f"#round-status form[action='{path_of('admissions:round_run', pk=round_.pk)}'] button"
    ).click()
    results_url = path_of("admissions:round_results", pk=round_.pk)
    results_link = desk.locator(f"#round-status a[href='{results_url}']")
    # In process the run is over by the redirect; polling would also get there.
    expect(results_link).to_be_visible(timeout=30_000)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PRELIMINARY
    assert round_.snapshot_sha256
    expect(desk.locator("#round-status")).to_contain_text(round_.snapshot_sha256)
    axe.check(desk, "round-preliminary")

    # --- 5. Inspect: the known applicant is on their course's admitted list. ---------------
    results_link.click()
    desk.wait_for_url(f"**{results_url}")
    axe.check(desk, "round-results")
    desk.locator(f"main a[href='?offering={offering.pk}#offering-lists']").click()
    desk.wait_for_url(re.compile(rf"\?offering={offering.pk}"))
    lists = desk.locator("#offering-lists")
    admitted, waiting = lists.locator("ol").nth(0), lists.locator("ol").nth(1)
    expect(admitted).to_contain_text(f"{application.reference} · {full_name}")
    expect(waiting).not_to_contain_text(application.reference)
    axe.check(desk, "round-results-offering")
    # The explanation of one application: its one choice, admitted.
    desk.locator("#id_reference").fill(application.reference)
    desk.locator("main form[role=search] button[type=submit]").click()
    desk.wait_for_url(re.compile(r"[?&]reference="))
    explained = desk.locator("main table:not(:has(#cutoffs-caption))").first
    expect(explained.locator("tbody tr")).to_have_count(1)
    expect(explained.locator("tbody tr")).to_contain_text(str(Outcome.ADMITTED.label))
    axe.check(desk, "round-results-application")
    assert RoundResult.objects.get(round=round_, application=application).outcome == (
        Outcome.ADMITTED
    )

    # --- 6. Publish: the offers are made and every letter is written. ---------------------
    desk.goto(detail_url)
    desk.locator(
        f"#round-status form[action='{path_of('admissions:round_publish', pk=round_.pk)}'] button"
    ).click(timeout=PUBLISH_SECONDS * 1000)
    close_url = path_of("admissions:round_close", pk=round_.pk)
    expect(desk.locator(f"#round-status form[action='{close_url}']")).to_be_visible(
        timeout=PUBLISH_SECONDS * 1000
    )
    axe.check(desk, "round-published")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    assert round_.published_by == officer
    offer = Offer.objects.get(round=round_, application=application)
    assert offer.choice.offering_id == offering.pk
    assert offer.answer_deadline == deadline
    with_results = RoundResult.objects.filter(round=round_).values("application").distinct()
    assert DecisionLetter.objects.filter(round=round_).count() == with_results.count()
    letter = DecisionLetter.objects.get(round=round_, application=application)
    assert letter.language == "en"
    letter_url = path_of("admissions:letter_download", pk=letter.pk)
    # The applicant is told by e-mail, with a link and without the decision.
    [notice] = [m for m in mail.outbox if m.to == [known["user"].email]]
    assert letter_url in notice.body
    assert offering.programme.name not in notice.subject + notice.body

    # --- 7. The applicant: the offer on the status page; accept it. ------------------------
    page = new_page(lang="en")
    log_in(page, known["user"].email, PASSWORD)
    page.wait_for_url(f"**{reverse('accounts:start')}")
    status_url = path_of("admissions:application_detail", pk=application.pk)
    page.goto(status_url)
    offers = page.locator("section[aria-labelledby=offers-title]")
    expect(offers).to_contain_text(offering.programme.name)
    expect(offers).to_contain_text(offering.centre.name)
    axe.check(page, "status-offer")
    answer_url = path_of("admissions:offer_answer", pk=offer.pk)
    offers.locator(f"form[action='{answer_url}'] button[name=answer][value=accepted]").click()
    page.wait_for_url(f"**{status_url}")
    # Answered: the buttons are gone, the answer is shown.
    expect(offers.locator(f"form[action='{answer_url}']")).to_have_count(0)
    expect(offers.locator(".tag")).to_have_text(str(OfferAnswerKind.ACCEPTED.label))
    offer.refresh_from_db()
    assert offer.answer.kind == OfferAnswerKind.ACCEPTED
    assert offer.answer.answered_by == known["user"]

    # --- 8. The letter in the list; download it; read it. ------------------------------------
    letters = page.locator("section[aria-labelledby=decision-letters-title]")
    link = letters.locator(f"a[href='{letter_url}']")
    expect(link).to_have_count(1)
    axe.check(page, "status-accepted")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"beslut-{application.reference}-v1.pdf"
    saved = tmp_path / "letter.pdf"
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    letter.refresh_from_db()
    assert letter.sha256 == hashlib.sha256(pdf).hexdigest()

    text = pdf_text(saved)
    assert full_name in text
    assert offering.programme.name in text
    assert f"You are admitted to {offering.programme.name} at {offering.centre.name}" in text
    assert "Decision: admitted." in text
    assert application.reference in text

    # --- 9. axe-core: nothing serious or critical on any page of the journey. ---------------
    assert not axe.found, "axe-core found serious or critical violations:\n" + axe.report()
