"""Decision letters: one immutable PDF/A per applicant and published round, corrected only by a
new version that points at the one it replaces."""

from __future__ import annotations

import hashlib
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.models import User
from accounts.services import audit_record
from admissions.applications.models import Application
from admissions.files.stored import save_with_file
from admissions.rounds import letters
from admissions.rounds.models import AdmissionRound, DecisionLetter, RoundResult, RoundStatus

# Letters are written for rounds whose results are public.
LETTER_ROUND_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.CLOSED)
_EMAIL = "admissions/letters/email/letter"


def _first_version(round: AdmissionRound, application: Application) -> DecisionLetter | None:
    return DecisionLetter.objects.filter(round=round, application=application, version=1).first()


def _checked(round: AdmissionRound, application: Application) -> None:
    if round.status not in LETTER_ROUND_STATUSES:
        raise ValidationError(
            _("Decision letters are written only for published rounds."), code="not_published"
        )
    if application.region_id != round.region_id:
        raise ValueError("The application belongs to another region than the round")
    if not RoundResult.objects.filter(round=round, application=application).exists():
        raise ValidationError(
            _("The round has no decision for this application."), code="no_results"
        )


def _stored(
    *,
    round: AdmissionRound,
    application: Application,
    pdf: bytes,
    language: str,
    version: int,
    replaces: DecisionLetter | None = None,
    correction_reason: str = "",
) -> DecisionLetter:
    """Insert the letter row with its file. The caller's savepoint decides whether it stays;
    on failure the stored file is removed, so no orphan is left behind."""
    letter = DecisionLetter(
        round=round,
        application=application,
        version=version,
        replaces=replaces,
        correction_reason=correction_reason,
        language=language,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    save_with_file(letter, "file", "letter.pdf", ContentFile(pdf))
    return letter


def letter_create(
    *, round: AdmissionRound, application: Application, acting_user: User | None = None
) -> DecisionLetter:
    """The round's letter to the applicant, made once: if it exists it is returned as it is,
    never rendered again. Safe to call twice at once: the loser of the race finds the winner's
    letter through the unique (round, application, version) constraint."""
    existing = _first_version(round, application)
    if existing is not None:
        return existing
    _checked(round, application)
    data = letters.letter_data(round=round, application=application)
    # Rendered outside the transaction: it takes a tenth of a second and holds no rows.
    pdf = letters.letter_pdf(data)
    try:
        with transaction.atomic():
            letter = _stored(
                round=round,
                application=application,
                pdf=pdf,
                language=data.language,
                version=1,
            )
            audit_record(
                acting_user=acting_user,
                region=round.region,
                action="letter.create",
                target=letter,
                data={"round": round.pk, "application": application.pk, "sha256": letter.sha256},
            )
            transaction.on_commit(partial(_send_letter_email, letter.pk))
    except IntegrityError:
        existing = _first_version(round, application)
        if existing is None:
            raise
        return existing
    return letter


def letter_correct(
    *, letter: DecisionLetter, reason: str, acting_user: User | None
) -> DecisionLetter:
    """A corrected letter: a new version rendered from the rows as they are now, that says
    which letter it replaces and why. The old letter and its file stay as they were."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the letter is corrected.")}, code="reason_required"
        )
    if DecisionLetter.objects.filter(replaces=letter).exists():
        raise ValidationError(
            _("This letter has already been corrected; correct the latest version."),
            code="already_corrected",
        )
    round, application = letter.round, letter.application
    _checked(round, application)
    data = letters.letter_data(round=round, application=application)
    correction = letters.Correction(
        replaces_version=letter.version,
        replaces_date=timezone.localdate(letter.created_at),
        reason=reason,
    )
    pdf = letters.letter_pdf(data, correction=correction)
    version = (
        DecisionLetter.objects.filter(round=round, application=application).aggregate(
            Max("version")
        )["version__max"]
        or 0
    ) + 1
    try:
        with transaction.atomic():
            corrected = _stored(
                round=round,
                application=application,
                pdf=pdf,
                language=data.language,
                version=version,
                replaces=letter,
                correction_reason=reason,
            )
            audit_record(
                acting_user=acting_user,
                region=round.region,
                action="letter.correct",
                target=corrected,
                data={"replaces": letter.pk, "version": version, "sha256": corrected.sha256},
            )
            transaction.on_commit(partial(_send_letter_email, corrected.pk))
    except IntegrityError as error:
        # Someone corrected the same letter at the same moment (replaces is one-to-one).
        raise ValidationError(
            _("This letter has already been corrected; correct the latest version."),
            code="already_corrected",
        ) from error
    return corrected


def letters_enqueue_for_round(*, round_id: int) -> int:
    """One letter task per application with results in the round, started after the commit.
    Applications that already have their letter are skipped; the task would return it anyway."""

    done = DecisionLetter.objects.filter(round_id=round_id, version=1).values("application_id")
    application_ids = list(
        RoundResult.objects.filter(round_id=round_id)
        .exclude(application_id__in=done)
        .values_list("application_id", flat=True)
        .distinct()
        .order_by("application_id")
    )
    for application_id in application_ids:
        outbox.enqueue_on_commit("admissions.tasks.letter_generate", round_id, application_id)
    return len(application_ids)


def letter_generate_for(*, round_id: int, application_id: int) -> DecisionLetter:
    """The task's one call: load by ids, then letter_create."""
    round = AdmissionRound.objects.select_related("region", "intake_period").get(pk=round_id)
    application = Application.objects.get(pk=application_id, region_id=round.region_id)
    return letter_create(round=round, application=application)


def _letter_url(letter: DecisionLetter) -> str:
    host = letter.round.region.hosts.values_list("host", flat=True).first()
    path = reverse("admissions:letter_download", args=[letter.pk])
    return f"https://{host}{path}" if host else path


def _send_letter_email(letter_pk: int) -> None:
    """Tell the applicant that a letter is there, with a link to it. The mail says nothing of
    the decision and carries no identity number: e-mail is not a safe channel for either."""
    letter = DecisionLetter.objects.select_related("application__applicant", "round__region").get(
        pk=letter_pk
    )
    application = letter.application
    applicant = application.applicant
    recipient = application.email or (applicant.email if applicant else "")
    if not recipient:
        # A paper application without an address: the office posts the letter.
        return
    with translation.override(letter.language):
        context = {
            "first_name": application.first_name,
            "region": letter.round.region.name,
            "url": _letter_url(letter),
            "corrected": letter.version > 1,
        }
        subject = render_to_string(f"{_EMAIL}_subject.txt", context)
        body = render_to_string(f"{_EMAIL}_message.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [recipient])
