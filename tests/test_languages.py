"""The applicant's side in the applicants' languages (issue 13.1-2): right to left where the
script is, staff pages in Swedish or English, the choice remembered and used for letters, and a
translated letter carrying the binding Swedish text, in fonts that cover its script."""

import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from admissions.rounds import letters
from admissions.rounds.models import Outcome
from tests.admissions.intake_support import HOST, staff_client
from tests.admissions.letters_support import (
    decided_application,
    letters_media,  # noqa: F401 - the fixture
    pdf_text,
)
from tests.conftest import need_service
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_media")]

TRANSLATION_NOTE = (
    "This letter is a translation. The Swedish text after it is the legally binding one."
)


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.mark.parametrize(
    ("language", "direction"),
    [
        ("ar", "rtl"),
        ("fa-af", "rtl"),
        ("uk", "ltr"),
        ("so", "ltr"),
        ("ti", "ltr"),
        ("sv-ll", "ltr"),
    ],
)
def test_the_first_page_speaks_the_chosen_language_in_its_direction(region, language, direction):
    client = Client(HTTP_HOST=HOST)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get("/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    chosen = in_language(language, "Choose your language")
    assert chosen != "Choose your language"
    assert chosen in page


def test_the_first_page_offers_every_language_in_its_own_name(region):
    page = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv").get("/").content.decode()
    for name in ("العربيّة", "دری", "Українська", "ትግርኛ", "Lättläst svenska", "Soomaali"):
        assert name in page


def test_pages_that_name_tigrinya_fetch_its_letters_before_the_first_paint(region):
    # Else "ትግርኛ" shows as boxes until the 2 kB font arrives (font-display: swap).
    preload = "fonts/NotoSansEthiopic-LanguageName.ttf"
    page = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv").get("/").content.decode()
    assert f'rel="preload" href="/static/{preload}"' in page
    officer = staff_client(region)
    assert preload not in officer.get(reverse("admissions:intake_queue")).content.decode()


def test_staff_pages_stay_swedish_whatever_the_cookie_says(region):
    officer = staff_client(region)
    officer.cookies["django_language"] = "ar"
    page = officer.get(reverse("admissions:intake_queue"), HTTP_ACCEPT_LANGUAGE="ar")
    html = page.content.decode()
    assert '<html lang="sv" dir="ltr">' in html
    # and their switch offers Swedish and English only
    assert 'value="ar"' not in html


def test_the_choice_is_remembered_on_the_account_and_the_letter_uses_it(region):
    user = MembershipFactory(region=region, role=Role.APPLICANT).user
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fa-af", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "fa-af"

    decided = decided_application(region, language="fa-af")
    data = letters.letter_data(round=decided.round, application=decided.application)
    assert data.language == "fa-af"


@pytest.mark.parametrize("language", ["ar", "fa-af", "uk", "so", "ti", "sv-ll"])
def test_a_translated_letter_carries_the_binding_swedish_text(region, language):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language=language)
    data = letters.letter_data(round=decided.round, application=decided.application)
    html = letters.letter_html(data, issued_on=decided.round.answer_deadline)
    note = in_language(language, TRANSLATION_NOTE)
    assert note != TRANSLATION_NOTE
    assert note in html
    # The Swedish version follows, and says it is the binding one.
    assert (
        in_language("sv", "Swedish text. This is the legally binding version of the decision.")
        in html
    )
    assert html.index(note) < html.index('class="letter-version letter-version--binding" lang="sv"')
    rtl = language in ("ar", "fa-af")
    assert (f'lang="{language}" dir="rtl"' in html) is rtl


def test_an_arabic_letter_embeds_the_vendored_arabic_font_and_a_swedish_one_does_not(region):
    if not shutil.which("pdffonts"):
        need_service("pdffonts (poppler-utils) reads the fonts a PDF embeds")
    arabic = decided_application(region, outcomes=(Outcome.ADMITTED,), language="ar")
    swedish = decided_application(region, outcomes=(Outcome.ADMITTED,), language="sv")

    def fonts(decided) -> str:
        data = letters.letter_data(round=decided.round, application=decided.application)
        pdf = letters.letter_pdf(data, issued_on=decided.round.answer_deadline)
        # the text is really there, not boxes of a font that lacks the script
        if decided is arabic:
            assert "Åsa Öberg" in pdf_text(pdf)
        return subprocess.run(
            ["pdffonts", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()

    assert "Noto-Sans-Arabic-Subset" in fonts(arabic)
    assert "Noto-Sans-Arabic" not in fonts(swedish)


def test_a_tigrinya_letter_renders_its_ethiopic_text_in_the_vendored_font(region):
    if not shutil.which("pdffonts"):
        need_service("pdffonts (poppler-utils) reads the fonts a PDF embeds")
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language="ti")
    data = letters.letter_data(round=decided.round, application=decided.application)
    pdf = letters.letter_pdf(data, issued_on=decided.round.answer_deadline)
    # Ge'ez script text really in the PDF (pdftotext finds it), not boxes of a font lacking it,
    # and the Swedish binding text after it.
    text = pdf_text(pdf)
    for msgid in (TRANSLATION_NOTE, "How to appeal"):
        translated = in_language("ti", msgid)
        assert translated != msgid
        assert any(0x1200 <= ord(c) <= 0x137F for c in translated)
        assert " ".join(translated.split()) in text
    assert in_language("sv", "How to appeal") in text
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    assert "Noto-Sans-Ethiopic-Subset" in fonts.decode()


def test_the_vendored_ethiopic_font_covers_every_character_of_the_tigrinya_catalogue():
    from django.conf import settings
    from fontTools.ttLib import TTFont

    po = settings.BASE_DIR / "locale" / "ti" / "LC_MESSAGES" / "django.po"
    used = {c for c in po.read_text(encoding="utf-8") if 0x1200 <= ord(c) <= 0x139F}
    assert used, "the Tigrinya catalogue has no Ge'ez script"
    for weight in ("regular", "bold"):
        covered = TTFont(letters.LETTER_FONTS[f"ethiopic_{weight}"]).getBestCmap()
        assert sorted(c for c in used if ord(c) not in covered) == [], weight
