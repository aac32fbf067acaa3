"""Decision letters as documents: what a letter says (read from the round's rows) and how it
becomes a PDF/A-3b (an HTML template rendered by WeasyPrint).

Writing and storing letters is admissions.rounds.services.letters; this module only reads and
renders.
"""

from __future__ import annotations

import atexit
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from admissions.applications.models import Application, EligibilityDecision, IneligibilityGround
from admissions.rounds.models import AdmissionRound, DecisionLetter, Offer, Outcome, RoundResult
from yrkescenter.models import IntakeOffice, Municipality

# Every language of the applicant's side; a letter in another language than Swedish also
# carries the Swedish text, which is the legally binding one.
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
BINDING_LANGUAGE = "sv"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
# The compact fonts vendored under static/fonts/ (see static/vendor/README.md). A glyph they lack
# (a name in another script) falls back to the system's fonts through fontconfig.
LETTER_FONTS = {
    "regular": FONT_DIR / "DejaVuSans-Latin.ttf",
    "bold": FONT_DIR / "DejaVuSans-Bold-Latin.ttf",
    "cyrillic_regular": FONT_DIR / "DejaVuSans-Cyrillic.ttf",
    "cyrillic_bold": FONT_DIR / "DejaVuSans-Bold-Cyrillic.ttf",
    "arabic_regular": FONT_DIR / "NotoSansArabic-Regular-Subset.ttf",
    "arabic_bold": FONT_DIR / "NotoSansArabic-Bold-Subset.ttf",
    "ethiopic_regular": FONT_DIR / "NotoSansEthiopic-Regular-Subset.ttf",
    "ethiopic_bold": FONT_DIR / "NotoSansEthiopic-Bold-Subset.ttf",
}

# Decisions on these outcomes are about mottagande (whether the applicant is received at all),
# which can be appealed; the others are about urval among eligible applicants, which cannot
# (skollagen 28 kap. 12 och 18 §§).
APPEALABLE_OUTCOMES = frozenset({Outcome.ADMITTED, Outcome.NOT_ELIGIBLE})


@dataclass(frozen=True)
class ChoiceDecision:
    rank: int
    programme: str
    centre: str
    starts_on: dt.date
    # The municipality that hosts the centre and decides for this offering.
    deciding_municipality: str
    outcome: str
    waiting_position: int | None
    group: int | None
    ineligibility_ground: str
    ineligibility_explanation: str
    answer_deadline: dt.date | None

    @property
    def appealable(self) -> bool:
        return self.outcome in APPEALABLE_OUTCOMES

    @property
    def ground_label(self) -> str:
        if not self.ineligibility_ground:
            return ""
        return str(IneligibilityGround(self.ineligibility_ground).label)


@dataclass(frozen=True)
class LetterData:
    """Everything a letter says, loaded in a fixed number of queries."""

    round: AdmissionRound
    application: Application
    intake_office: IntakeOffice | None
    home_municipality: Municipality | None
    decisions: tuple[ChoiceDecision, ...]
    offer: ChoiceDecision | None
    language: str

    @property
    def deciding_municipalities(self) -> list[str]:
        return sorted({d.deciding_municipality for d in self.decisions})

    @property
    def appeal_municipalities(self) -> list[str]:
        """Where an appeal against a decision of this letter is lodged."""
        return sorted({d.deciding_municipality for d in self.decisions if d.appealable})

    @property
    def any_appealable(self) -> bool:
        return any(d.appealable for d in self.decisions)


def letter_language(application: Application) -> str:
    """The applicant's own choice of language, else the region's; one of the applicant side's."""
    applicant = application.applicant
    language = (applicant.preferred_language if applicant else "") or application.region.language
    language = (language or "").lower()
    if language not in LANGUAGES:
        language = language.split("-")[0]
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def letter_data(*, round: AdmissionRound, application: Application) -> LetterData:
    application = Application.objects.select_related(
        "region__intake_office__host_municipality",
        "home_municipality",
        "applicant",
        "intake_period",
    ).get(pk=application.pk)
    results = list(
        RoundResult.objects.filter(round=round, application=application)
        .select_related("choice", "offering__programme", "offering__centre__host_municipality")
        .order_by("choice__rank")
    )
    offer = (
        Offer.objects.filter(round=round, application=application).only(
            "choice_id", "answer_deadline"
        )
    ).first()
    not_eligible = [r.choice_id for r in results if r.outcome == Outcome.NOT_ELIGIBLE]
    latest_eligibility: dict[int, EligibilityDecision] = {}
    if not_eligible:
        # Ordered newest first: the first row seen per choice is its current decision.
        for decision in EligibilityDecision.objects.filter(choice_id__in=not_eligible).order_by(
            "choice_id", "-decided_at", "-id"
        ):
            latest_eligibility.setdefault(decision.choice_id, decision)
    decisions = []
    offered = None
    for result in results:
        eligibility = latest_eligibility.get(result.choice_id)
        is_offer = offer is not None and offer.choice_id == result.choice_id
        ground = eligibility.ground if eligibility and not eligibility.eligible else ""
        decision = ChoiceDecision(
            rank=result.choice.rank,
            programme=result.offering.programme.name,
            centre=result.offering.centre.name,
            starts_on=result.offering.starts_on,
            deciding_municipality=result.offering.centre.host_municipality.name,
            outcome=result.outcome,
            waiting_position=result.waiting_position,
            group=result.group,
            ineligibility_ground=ground,
            ineligibility_explanation=eligibility.explanation if eligibility else "",
            answer_deadline=offer.answer_deadline if is_offer else None,
        )
        decisions.append(decision)
        if is_offer:
            offered = decision
    region = application.region
    return LetterData(
        round=round,
        application=application,
        intake_office=getattr(region, "intake_office", None),
        home_municipality=application.home_municipality,
        decisions=tuple(decisions),
        offer=offered,
        language=letter_language(application),
    )


# --- rendering ---------------------------------------------------------------------------------


@cache
def _has_fast_subsetter() -> bool:
    from weasyprint.pdf import fonts

    return fonts.harfbuzz_subset is not None and bool(fonts.harfbuzz.hb_version_atleast(4, 1, 0))


@cache
def _font_configuration():
    # Imported here: WeasyPrint loads Pango and fontconfig, which only the renderer needs.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


LETTER_STYLESHEET = "admissions/letters/letter.css"


@cache
def _stylesheet(use_vendored_font: bool, template: str = LETTER_STYLESHEET):
    from weasyprint import CSS

    css = render_to_string(
        template,
        {"fonts": {k: v.as_uri() for k, v in LETTER_FONTS.items()} if use_vendored_font else None},
    )
    return CSS(string=css, font_config=_font_configuration())


@dataclass(frozen=True)
class Correction:
    """What a corrected letter says about the letter it replaces."""

    replaces_version: int
    replaces_date: dt.date
    reason: str


@atexit.register
def _release_renderer() -> None:
    # While the interpreter still works: WeasyPrint's font configuration removes its temporary
    # folder when it is collected, which fails noisily during shutdown.
    _stylesheet.cache_clear()
    _font_configuration.cache_clear()


def letter_html(
    data: LetterData, *, issued_on: dt.date, correction: Correction | None = None
) -> str:
    """The letter in the applicant's language; in any other than Swedish, followed by the
    Swedish text, which the letter says is the binding one."""
    languages = [data.language]
    if data.language != BINDING_LANGUAGE:
        languages.append(BINDING_LANGUAGE)
    versions = []
    for language in languages:
        with translation.override(language):
            versions.append(
                {
                    "language": language,
                    "rtl": translation.get_language_bidi(),
                    "translated": language != BINDING_LANGUAGE,
                    "body": render_to_string(
                        "admissions/letters/_letter_body.html",
                        {
                            "letter": data,
                            "issued_on": issued_on,
                            "correction": correction,
                            "binding": language == BINDING_LANGUAGE and len(languages) > 1,
                            "translated": language != BINDING_LANGUAGE,
                        },
                    ),
                }
            )
    with translation.override(data.language):
        return render_to_string(
            "admissions/letters/letter.html",
            {"letter": data, "language": data.language, "versions": versions},
        )


def letter_pdf(
    data: LetterData,
    *,
    issued_on: dt.date | None = None,
    correction: Correction | None = None,
    use_vendored_font: bool = True,
    full_fonts: bool | None = None,
) -> bytes:
    """The letter as PDF/A-3b bytes. The font configuration and stylesheet are made once per
    process and reused: parsing them again per letter is wasted work in a worker.

    Fonts: the compact vendored ones. Where WeasyPrint has HarfBuzz's subsetter
    (libharfbuzz-subset0) it subsets them in a few milliseconds; without it, it falls back to
    fontTools, which takes longer than embedding the 30 kB fonts whole (~50 kB a letter instead
    of ~20 kB, and about 95 ms instead of 170 ms a letter on the development machine)."""
    issued_on = issued_on or timezone.localdate()
    html = letter_html(data, issued_on=issued_on, correction=correction)
    return pdf_from_html(html, use_vendored_font=use_vendored_font, full_fonts=full_fonts)


def pdf_from_html(
    html: str,
    *,
    stylesheet: str = LETTER_STYLESHEET,
    use_vendored_font: bool = True,
    full_fonts: bool | None = None,
) -> bytes:
    """A PDF/A-3b document from an HTML page (its <title>, <html lang> and author meta become
    the PDF's metadata), printed with the stylesheet template `stylesheet`, which is rendered
    with `fonts` (the vendored fonts' file URLs, or None for the system's). Shared by letters
    and other printed documents (validation certificates), so they all get the same fonts and
    PDF/A setup, made once per process."""
    from weasyprint import HTML

    if full_fonts is None:
        full_fonts = use_vendored_font and not _has_fast_subsetter()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[_stylesheet(use_vendored_font, stylesheet)],
        font_config=_font_configuration(),
        pdf_variant="pdf/a-3b",
        full_fonts=full_fonts,
    )


# --- scoped reads for the pages ------------------------------------------------------------------


def get_letter_for(request, pk) -> DecisionLetter:
    """A letter the acting membership may see: the applicant's own, or staff's whose scope
    includes the application (Application.objects.visible_to). Anything else is a 404."""
    from accounts.tenancy import get_scoped_or_404

    return get_scoped_or_404(
        DecisionLetter.objects.visible_to(request.membership).select_related("application"),
        pk=pk,
    )


def letters_of(application: Application) -> list[DecisionLetter]:
    """The application's letters, newest round first, each round's versions newest first. The
    caller has already fetched the application through its scope."""
    return list(
        DecisionLetter.objects.filter(application=application)
        .select_related("round__intake_period", "replaced_by")
        .order_by("-round__intake_period__starts_on", "-round__number", "-version")
    )


def download_name(letter: DecisionLetter) -> str:
    # The reference identifies the case; nothing personal goes into a file name.
    return f"beslut-{letter.application.reference}-v{letter.version}.pdf"
