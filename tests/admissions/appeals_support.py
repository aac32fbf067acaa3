"""Shared set-up of the appeal tests: a published letter with decisions that can and cannot be
appealed, made through the letter service (so the letter is a real PDF), and small files."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from admissions.rounds.models import DecisionLetter, Outcome, RoundResult
from admissions.rounds.services.letters import letter_create
from tests.admissions.letters_support import Decided, decided_application
from tests.factories import MembershipFactory

HOST = "hemland.example.test"
OUTCOMES = (Outcome.NOT_ELIGIBLE, Outcome.ADMITTED, Outcome.WAITING)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def png_bytes() -> bytes:
    # A real (if tiny) PNG: the upload check decodes it.
    from tests.sample_files import PNG

    return PNG


def pdf_upload(name: str = "intyg.pdf", pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def png_upload(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def published(region, *, outcomes=OUTCOMES, days_ago: int = 0) -> tuple[Decided, DecisionLetter]:
    """An application with a letter published `days_ago` days ago."""
    decided = decided_application(region, outcomes=outcomes)
    letter = letter_create(round=decided.round, application=decided.application)
    if days_ago:
        DecisionLetter.objects.filter(pk=letter.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        letter.refresh_from_db()
    return decided, letter


def result_of(decided: Decided, outcome: str) -> RoundResult:
    return RoundResult.objects.get(
        round=decided.round, application=decided.application, outcome=outcome
    )


def applicant_client(user, region, host=HOST) -> Client:
    MembershipFactory(region=region, role=Role.APPLICANT, user=user)
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
