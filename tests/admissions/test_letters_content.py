"""What a decision letter says: the applicant, each choice's decision and grounds, the answer
deadline, and how to appeal where a decision can be appealed; in the applicant's language."""

import datetime as dt

import pytest
from django.utils import formats, translation

from admissions.rounds import letters
from admissions.rounds.models import Outcome
from tests.admissions.letters_support import ANSWER_DEADLINE, decided_application, pdf_text

ISSUED = dt.date(2027, 6, 1)
BOARD = "Skolväsendets överklagandenämnd"


def _text(decided) -> str:
    data = letters.letter_data(round=decided.round, application=decided.application)
    return pdf_text(letters.letter_pdf(data, issued_on=ISSUED))


def _date(value: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def test_an_offer_letter_names_the_applicant_programme_decision_deadline_and_senders(region):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language="en")

    text = _text(decided)

    assert "Åsa Öberg" in text
    assert decided.application.reference in text
    assert "Svetsare" in text
    assert "Decision: admitted." in text
    assert f"Answer the offer by {_date(ANSWER_DEADLINE, 'en')}" in text
    assert "Intagningsenheten Hemland" in text  # the intake office sends it
    assert "Värdkommun 1" in text  # the centre's host municipality decides
    assert _date(ISSUED, "en") in text
    assert decided.application.personnummer not in text


def test_an_offer_letter_explains_how_to_appeal_acceptance_and_the_cost_commitment(region):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language="en")

    text = _text(decided)

    assert BOARD in text
    assert "within three weeks from the day you received the decision" in text
    assert "send it to the municipality that made the decision" in text
    assert "that is Värdkommun 1" in text
    assert f"your home municipality, {decided.application.home_municipality.name}" in text
    assert "The admission itself" in text and "cannot be appealed" in text
    assert "28 kap. 12 och 18 §§" in text


def test_waiting_and_lower_ranked_choices_are_said_not_to_be_appealable(region):
    decided = decided_application(
        region, outcomes=(Outcome.WAITING, Outcome.BELOW_ASSIGNMENT), language="en"
    )

    text = _text(decided)

    assert "number 7 on the waiting list" in text
    assert "ranked this course below the course you were admitted to" in text
    assert "selection group" in text
    assert BOARD not in text
    assert "Admission cannot be appealed (skollagen 28 kap. 12 och 18 §§)" in text
    assert "Answer the offer" not in text


def test_a_not_eligible_choice_gives_its_ground_and_can_be_appealed(region):
    decided = decided_application(
        region, outcomes=(Outcome.NOT_ELIGIBLE, Outcome.WAITING), language="en"
    )

    text = _text(decided)

    assert "you do not meet the entry requirements" in text
    assert "Lacks the prerequisites of the course" in text
    assert "Svenska 1 saknas." in text
    assert "This decision can be appealed" in text
    assert BOARD in text
    # Only the municipality that decided the appealable choice receives the appeal.
    assert "that is Värdkommun 1." in text


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_letter_is_written_in_the_applicants_language(region, language):
    decided = decided_application(region, outcomes=(Outcome.ADMITTED,), language=language)
    other = "en" if language == "sv" else "sv"

    text = _text(decided)

    assert _date(ISSUED, language) in text
    if language == "sv":
        assert _date(ISSUED, other) not in text
    else:
        # A translated letter is followed by the Swedish text, the binding one (issue 13.2).
        assert text.index(_date(ISSUED, language)) < text.index(_date(ISSUED, other))
    with translation.override(language):
        assert translation.gettext("Reference") in text
    if language == "sv":
        assert "Referens" in text
    else:
        assert "Reference" in text
