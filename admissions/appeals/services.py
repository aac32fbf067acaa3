"""Appeals (överklagande): the applicant lodges one against a decision their letter says can be
appealed; the deciding municipality's officer reconsiders it (a new decision and a new letter),
or forwards it with the case file to Skolväsendets överklagandenämnd and records the board's
decision. Every step is an event the applicant sees and an entry in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from admissions.appeals import case_file as appeal_documents
from admissions.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    AppealEventKind,
    AppealReconsideration,
    AppealState,
    AppealSubject,
    BoardOutcome,
)
from admissions.appeals.selectors import get_decision_for_appeal
from admissions.applications.models import Application, EligibilityDecision
from admissions.files import uploads
from admissions.files.stored import save_with_file, sha256_of_upload
from admissions.rounds.models import RoundResult

MAX_ATTACHMENTS = 5
TEXT_MAX = 5000


def _stored_attachment(appeal: Appeal, file: UploadedFile) -> AppealAttachment:
    content_type = uploads.check_upload(file)
    attachment = AppealAttachment(
        appeal=appeal,
        original_name=uploads.masked_name(file.name, content_type),
        content_type=content_type,
        size=file.size,
        sha256=sha256_of_upload(file),
    )
    save_with_file(attachment, "file", "upload", file)
    return attachment


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: _("Write at most %(max)s characters.") % {"max": TEXT_MAX}}, code="too_long"
        )
    return value


@transaction.atomic
def appeal_lodge(
    *,
    acting_user: User,
    application: Application,
    result: RoundResult,
    requested_change: str,
    grounds: str,
    files: Sequence[UploadedFile] = (),
) -> Appeal:
    """The applicant's appeal of one decision of a published letter. Received whenever it comes:
    after the three weeks it is marked late, and the deciding municipality decides whether to
    dismiss it (förvaltningslagen 45 §)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if result.application_id != application.pk:
        raise ValueError("The decision belongs to another application")
    decision = get_decision_for_appeal(application, result.pk)
    if decision is None or not decision.appealable:
        raise ValidationError(
            _("This decision cannot be appealed (skollagen 28 kap. 12 och 18 §§)."),
            code="not_appealable",
        )
    if decision.appeal is not None:
        raise ValidationError(_("You have already appealed this decision."), code="appealed")
    requested_change = _required_text(
        requested_change, "requested_change", _("Say how you want the decision changed.")
    )
    grounds = _required_text(grounds, "grounds", _("Say why the decision should be changed."))
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"files": _("Attach at most %(max)s files.") % {"max": MAX_ATTACHMENTS}},
            code="too_many",
        )
    now = timezone.now()
    appeal = Appeal(
        region=application.region,
        application=application,
        result=result,
        letter=decision.letter,
        subject=decision.subject,
        deciding_municipality=decision.deciding_municipality,
        requested_change=requested_change,
        grounds=grounds,
        lodged_by=acting_user,
        lodged_at=now,
        deadline=decision.deadline,
        is_late=timezone.localdate(now) > decision.deadline,
    )
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError as error:
        raise ValidationError(
            _("You have already appealed this decision."), code="appealed"
        ) from error
    stored: list[AppealAttachment] = []
    try:
        for file in files:
            stored.append(_stored_attachment(appeal, file))
    except (ValidationError, IntegrityError):
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    AppealEvent.objects.create(appeal=appeal, kind=AppealEventKind.LODGED, actor=acting_user)
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="appeal.lodge",
        target=appeal,
        data={
            "application": application.pk,
            "result": result.pk,
            "subject": appeal.subject,
            "late": appeal.is_late,
            "attachments": len(stored),
        },
    )
    return appeal


def _locked_open(appeal: Appeal) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != AppealState.RECEIVED:
        raise ValidationError(
            _("This appeal has already been dealt with (%(state)s).")
            % {"state": appeal.get_state_display()},
            code="not_open",
        )
    return appeal


def appeal_reconsider(
    *,
    acting_user: User,
    appeal: Appeal,
    fully_changed: bool,
    decision: str,
    reasons: str,
) -> AppealReconsideration:
    """The deciding municipality changes the appealed decision itself (omprövning,
    förvaltningslagen 38-39 §§). The change is a new decision record with a new letter; the
    appealed decision and its letter stay as they were. Changed as the applicant asked, the
    appeal lapses (förvaltningslagen 46 §); changed in part, it still goes to the board.
    Changing an acceptance decision adds the new eligibility record for the choice."""
    decision = _required_text(decision, "decision", _("Write the new decision."))
    reasons = _required_text(reasons, "reasons", _("Write the grounds of the new decision."))
    # Rendered before the transaction: it takes a tenth of a second and holds no rows.
    appeal = Appeal.objects.select_related(
        "application__applicant", "application__region", "deciding_municipality"
    ).get(pk=appeal.pk)
    decided_at = timezone.now()
    language, pdf = appeal_documents.reconsideration_pdf(
        appeal=appeal,
        fully_changed=fully_changed,
        decision=decision,
        reasons=reasons,
        decided_on=timezone.localdate(decided_at),
    )
    with transaction.atomic():
        locked = _locked_open(appeal)
        eligibility = None
        if fully_changed and locked.subject == AppealSubject.ACCEPTANCE:
            eligibility = EligibilityDecision.objects.create(
                choice_id=locked.result.choice_id,
                eligible=True,
                explanation=_("Changed on reconsideration of an appeal: %(reasons)s")
                % {"reasons": reasons},
                decided_by=acting_user,
            )
        reconsideration = AppealReconsideration(
            appeal=locked,
            fully_changed=fully_changed,
            decision=decision,
            reasons=reasons,
            eligibility=eligibility,
            decided_by=acting_user,
            language=language,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        save_with_file(reconsideration, "file", "letter.pdf", ContentFile(pdf))
        if fully_changed:
            locked.state = AppealState.CHANGED
            locked.save(update_fields=["state"])
        AppealEvent.objects.create(
            appeal=locked, kind=AppealEventKind.RECONSIDERED, actor=acting_user
        )
        audit_record(
            acting_user=acting_user,
            region=locked.region,
            action="appeal.reconsider",
            target=locked,
            data={
                "reconsideration": reconsideration.pk,
                "fully_changed": fully_changed,
                "eligibility": eligibility.pk if eligibility else None,
                "sha256": reconsideration.sha256,
            },
        )
    return reconsideration


def appeal_forward(*, acting_user: User, appeal: Appeal) -> Appeal:
    """Send the appeal on to Skolväsendets överklagandenämnd (förvaltningslagen 46 §): the case
    file (application, decision, letter, appeal, reconsiderations and attachments) is made once
    as one PDF and kept with its hash; the officer sends that file to the board."""
    pdf = appeal_documents.case_file_pdf(appeal=appeal)
    with transaction.atomic():
        locked = _locked_open(appeal)
        locked.state = AppealState.FORWARDED
        locked.forwarded_at = timezone.now()
        locked.forwarded_by = acting_user
        locked.case_file_sha256 = hashlib.sha256(pdf).hexdigest()
        save_with_file(
            locked,
            "case_file",
            "case-file.pdf",
            ContentFile(pdf),
            update_fields=[
                "state",
                "forwarded_at",
                "forwarded_by",
                "case_file",
                "case_file_sha256",
            ],
        )
        AppealEvent.objects.create(appeal=locked, kind=AppealEventKind.FORWARDED, actor=acting_user)
        audit_record(
            acting_user=acting_user,
            region=locked.region,
            action="appeal.forward",
            target=locked,
            data={"sha256": locked.case_file_sha256},
        )
    return locked


@transaction.atomic
def appeal_board_decision_record(
    *,
    acting_user: User,
    appeal: Appeal,
    outcome: str,
    decided_on: dt.date,
    reference: str = "",
    note: str = "",
) -> Appeal:
    """The board's decision on a forwarded appeal, as the officer received it; shown to the
    applicant. Recorded once."""
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.state != AppealState.FORWARDED:
        raise ValidationError(
            _("Only an appeal sent to the board can get the board's decision."),
            code="not_forwarded",
        )
    if outcome not in BoardOutcome.values:
        raise ValidationError({"outcome": _("Choose the board's decision.")}, code="outcome")
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The date cannot be in the future.")}, code="future")
    locked.state = AppealState.DECIDED
    locked.board_outcome = outcome
    locked.board_decided_on = decided_on
    locked.board_reference = (reference or "").strip()[:64]
    locked.board_note = (note or "").strip()[:TEXT_MAX]
    locked.save(
        update_fields=[
            "state",
            "board_outcome",
            "board_decided_on",
            "board_reference",
            "board_note",
        ]
    )
    AppealEvent.objects.create(
        appeal=locked,
        kind=AppealEventKind.BOARD_DECIDED,
        actor=acting_user,
        note=outcome,
    )
    audit_record(
        acting_user=acting_user,
        region=locked.region,
        action="appeal.board_decision",
        target=locked,
        data={"outcome": outcome, "decided_on": decided_on.isoformat()},
    )
    return locked
