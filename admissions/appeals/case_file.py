"""The printed documents of an appeal: the letter with a decision on reconsideration, and the
case file (akt) sent to Skolväsendets överklagandenämnd as one PDF.

The case file is a WeasyPrint document (the application, the decision appealed, the appeal, the
reconsiderations, the attachments' list with images embedded) followed by the decision letter
and the PDF attachments, merged page by page with pypdf. It is in Swedish: the board works in
Swedish. Only reads and renders; storing is admissions.appeals.services.
"""

from __future__ import annotations

import base64
import datetime as dt
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation

from admissions.appeals.models import Appeal
from admissions.applications.models import Application, EligibilityDecision
from admissions.rounds.letters import letter_language, pdf_from_html
from admissions.rounds.models import Outcome, RoundResult

BOARD = "Skolväsendets överklagandenämnd"
CASE_FILE_LANGUAGE = "sv"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


def _office(application: Application):
    return getattr(application.region, "intake_office", None)


def reconsideration_html(
    *, appeal: Appeal, fully_changed: bool, decision: str, reasons: str, decided_on: dt.date
) -> tuple[str, str]:
    application = appeal.application
    language = letter_language(application)
    with translation.override(language):
        html = render_to_string(
            "admissions/appeals/reconsideration_letter.html",
            {
                "appeal": appeal,
                "application": application,
                "office": _office(application),
                "fully_changed": fully_changed,
                "decision": decision,
                "reasons": reasons,
                "decided_on": decided_on,
                "made_known_on": timezone.localdate(appeal.letter.created_at),
                "language": language,
                "board": BOARD,
            },
        )
    return language, html


def reconsideration_pdf(**kwargs) -> tuple[str, bytes]:
    """(language, PDF/A bytes) of the letter with the new decision."""
    language, html = reconsideration_html(**kwargs)
    return language, pdf_from_html(html)


def _readable_pdf(content: bytes):
    """A pypdf reader of the bytes, or None when pypdf cannot read them (a damaged or
    encrypted file: it is then listed in the case file as sent separately)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        len(reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError):
        return None
    return reader


def _decision_grounds(result: RoundResult) -> EligibilityDecision | None:
    if result.outcome != Outcome.NOT_ELIGIBLE:
        return None
    # The eligibility decision in force when the round decided: the latest made before it was
    # published (a later one, e.g. on reconsideration, is listed with the reconsiderations).
    decisions = EligibilityDecision.objects.filter(choice_id=result.choice_id)
    if result.round.published_at:
        decisions = decisions.filter(decided_at__lte=result.round.published_at)
    return decisions.order_by("-decided_at", "-id").first()


def case_file_html(appeal: Appeal, attachments: list[dict]) -> str:
    application = (
        Application.objects.select_related("home_municipality", "intake_period", "region")
        .prefetch_related("choices__offering__programme", "choices__offering__centre")
        .get(pk=appeal.application_id)
    )
    result = RoundResult.objects.select_related(
        "round__intake_period",
        "choice",
        "offering__programme",
        "offering__centre__host_municipality",
    ).get(pk=appeal.result_id)
    with translation.override(CASE_FILE_LANGUAGE):
        return render_to_string(
            "admissions/appeals/case_file.html",
            {
                "appeal": appeal,
                "application": application,
                "office": _office(application),
                "result": result,
                "grounds": _decision_grounds(result),
                "letter": appeal.letter,
                "made_known_on": timezone.localdate(appeal.letter.created_at),
                "reconsiderations": list(appeal.reconsiderations.select_related("decided_by")),
                "attachments": attachments,
                "made_on": timezone.localdate(),
                "language": CASE_FILE_LANGUAGE,
                "board": BOARD,
            },
        )


def case_file_pdf(*, appeal: Appeal) -> bytes:
    """The whole case as one PDF: the case file's own pages, then the decision letter, then each
    PDF attachment; image attachments are printed on the case file's pages."""
    from pypdf import PdfWriter

    appeal = Appeal.objects.select_related("letter", "region", "deciding_municipality").get(
        pk=appeal.pk
    )
    attachments = []
    appended = []
    with appeal.letter.file.open("rb") as stored:
        letter_reader = _readable_pdf(stored.read())
    for attachment in appeal.attachments.all():
        with attachment.file.open("rb") as stored:
            content = stored.read()
        row = {"attachment": attachment, "image": None, "appended": False}
        if attachment.content_type in IMAGE_TYPES:
            encoded = base64.b64encode(content).decode("ascii")
            row["image"] = f"data:{attachment.content_type};base64,{encoded}"
        elif attachment.content_type == "application/pdf":
            reader = _readable_pdf(content)
            if reader is not None:
                row["appended"] = True
                appended.append(reader)
        attachments.append(row)
    html = case_file_html(appeal, attachments)
    writer = PdfWriter()
    writer.append(io.BytesIO(pdf_from_html(html)))
    if letter_reader is not None:
        writer.append(letter_reader)
    for reader in appended:
        writer.append(reader)
    writer.add_metadata({"/Title": f"Överklagande {appeal.application.reference}"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
