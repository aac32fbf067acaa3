"""Enrolment: a centre records that an admitted student started, stopped early or completed.
The cost settlement between municipalities is computed from these rows.

The rules:

- A start is recorded only for a choice whose application holds an accepted seat there now
  (see admissions.enrolment.selectors.accepted_seats) and once per choice: a second start (a
  double submit, two coordinators at once) is refused with a ValidationError, never an
  IntegrityError. A stopped or completed enrolment is not started again: it is corrected.
- Dates: a start no earlier than START_MARGIN before the offering's start (an introduction
  week before the first day), no later than the offering's end; an end no earlier than the
  start. Neither may be in the future: what is recorded has happened (and a mistyped year
  would otherwise pass unnoticed).
- Stopping early needs a reason from InterruptionReason; only a student who is studying can
  stop or complete, so a stop or completion cannot be recorded twice.
- A mistake is corrected with `enrolment_correct`: it sets the enrolment's state as it should
  be (studying again, or stopped or completed on another date, or another start date), with a
  required reason. The row is changed (the settlement reads the current state); the audit log
  keeps what it was and what it became, with the reason.

Audit data carries ids, dates, statuses and reason codes; never a personnummer and never the
free-text note on stopping (it may say something about health).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from admissions.applications.models import Choice
from admissions.enrolment.models import Enrolment, EnrolmentStatus, InterruptionReason
from admissions.enrolment.selectors import holds_accepted_seat
from yrkescenter.models import Offering

# How long before an offering's first day a student may be recorded as started.
START_MARGIN = dt.timedelta(days=14)
ENDED = (EnrolmentStatus.INTERRUPTED, EnrolmentStatus.COMPLETED)


class EnrolmentStateError(ValidationError):
    """The enrolment is not in a state that allows this action."""


def _start_errors(offering: Offering, started_on: dt.date, today: dt.date) -> list[str]:
    errors = []
    if started_on < offering.starts_on - START_MARGIN:
        errors.append(
            _("The start cannot be more than %(days)d days before the course starts (%(date)s).")
            % {"days": START_MARGIN.days, "date": offering.starts_on.isoformat()}
        )
    if started_on > offering.ends_on:
        errors.append(
            _("The start cannot be after the course ends (%(date)s).")
            % {"date": offering.ends_on.isoformat()}
        )
    if started_on > today:
        errors.append(_("The start date cannot be in the future."))
    return errors


def _end_errors(started_on: dt.date, ended_on: dt.date, today: dt.date) -> list[str]:
    errors = []
    if ended_on < started_on:
        errors.append(
            _("The end date cannot be before the start (%(date)s).")
            % {"date": started_on.isoformat()}
        )
    if ended_on > today:
        errors.append(_("The end date cannot be in the future."))
    return errors


def _state(enrolment: Enrolment) -> dict:
    return {
        "status": enrolment.status,
        "started_on": enrolment.started_on.isoformat(),
        "ended_on": enrolment.ended_on.isoformat() if enrolment.ended_on else None,
        "interruption_reason": enrolment.interruption_reason,
    }


def _locked(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update()
        .select_related("offering", "application__region")
        .get(pk=enrolment.pk)
    )


def _region(enrolment: Enrolment):
    return enrolment.application.region


@transaction.atomic
def enrolment_start(*, acting_user: User | None, choice: Choice, started_on: dt.date) -> Enrolment:
    """Record that the admitted student of `choice` started on `started_on`."""
    # The choice's row is the lock: two starts of the same choice queue here, and the second
    # finds the first one's enrolment.
    choice = (
        Choice.objects.select_for_update()
        .select_related("application__region", "offering")
        .get(pk=choice.pk)
    )
    if Enrolment.objects.filter(choice=choice).exists():
        raise EnrolmentStateError(
            _("The start of this student is already recorded; correct it if it is wrong."),
            code="already_started",
        )
    if not holds_accepted_seat(choice):
        raise EnrolmentStateError(
            _("Only a student who has accepted a seat on this course can be started."),
            code="no_accepted_offer",
        )
    errors = _start_errors(choice.offering, started_on, timezone.localdate())
    if errors:
        raise ValidationError({"started_on": errors})
    try:
        # A savepoint, so that a start that slipped past the check above (another database
        # connection inserting at the same moment) ends as the same clear error.
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                application=choice.application,
                choice=choice,
                offering=choice.offering,
                started_on=started_on,
                status=EnrolmentStatus.STARTED,
                recorded_by=acting_user,
            )
    except IntegrityError as error:
        raise EnrolmentStateError(
            _("The start of this student is already recorded; correct it if it is wrong."),
            code="already_started",
        ) from error
    audit_record(
        acting_user=acting_user,
        region=choice.application.region,
        action="enrolment.start",
        target=enrolment,
        data={"choice": choice.pk, "offering": choice.offering_id, **_state(enrolment)},
    )
    return enrolment


def _refuse_unless_studying(enrolment: Enrolment) -> None:
    if enrolment.status != EnrolmentStatus.STARTED:
        raise EnrolmentStateError(
            _("This student has already stopped or completed; correct the record if it is wrong."),
            code="ended",
        )


@transaction.atomic
def enrolment_interrupt(
    *,
    acting_user: User | None,
    enrolment: Enrolment,
    ended_on: dt.date,
    reason: str,
    note: str = "",
) -> Enrolment:
    """Record that the student stopped early, on `ended_on`, for `reason`."""
    enrolment = _locked(enrolment)
    _refuse_unless_studying(enrolment)
    errors = {}
    if reason not in InterruptionReason.values:
        errors["reason"] = [_("Choose the reason for stopping.")]
    end_errors = _end_errors(enrolment.started_on, ended_on, timezone.localdate())
    if end_errors:
        errors["ended_on"] = end_errors
    if errors:
        raise ValidationError(errors)
    before = _state(enrolment)
    enrolment.status = EnrolmentStatus.INTERRUPTED
    enrolment.ended_on = ended_on
    enrolment.interruption_reason = reason
    enrolment.interruption_note = note.strip()
    enrolment.recorded_by = acting_user
    enrolment.save(
        update_fields=[
            "status",
            "ended_on",
            "interruption_reason",
            "interruption_note",
            "recorded_by",
            "updated_at",
        ]
    )
    audit_record(
        acting_user=acting_user,
        region=_region(enrolment),
        action="enrolment.interrupt",
        target=enrolment,
        data={"before": before, "after": _state(enrolment)},
    )
    return enrolment


@transaction.atomic
def enrolment_complete(
    *, acting_user: User | None, enrolment: Enrolment, ended_on: dt.date
) -> Enrolment:
    """Record that the student completed the course on `ended_on`."""
    enrolment = _locked(enrolment)
    _refuse_unless_studying(enrolment)
    end_errors = _end_errors(enrolment.started_on, ended_on, timezone.localdate())
    if end_errors:
        raise ValidationError({"ended_on": end_errors})
    before = _state(enrolment)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.ended_on = ended_on
    enrolment.recorded_by = acting_user
    enrolment.save(update_fields=["status", "ended_on", "recorded_by", "updated_at"])
    audit_record(
        acting_user=acting_user,
        region=_region(enrolment),
        action="enrolment.complete",
        target=enrolment,
        data={"before": before, "after": _state(enrolment)},
    )
    return enrolment


@transaction.atomic
def enrolment_correct(
    *,
    acting_user: User | None,
    enrolment: Enrolment,
    status: str,
    started_on: dt.date,
    ended_on: dt.date | None,
    interruption_reason: str = "",
    interruption_note: str = "",
    reason: str,
) -> Enrolment:
    """Put a mistaken record right: the enrolment becomes `status` with these dates (studying
    again: no end; stopped early: an end and a reason; completed: an end). `reason` says why,
    for the audit log, which keeps the state before and after."""
    enrolment = _locked(enrolment)
    reason = reason.strip()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the record is corrected.")]
    if status not in EnrolmentStatus.values:
        errors["status"] = [_("Choose the status.")]
    start_errors = _start_errors(enrolment.offering, started_on, today)
    if start_errors:
        errors["started_on"] = start_errors
    if status in ENDED:
        if ended_on is None:
            errors["ended_on"] = [_("Enter the end date.")]
        else:
            end_errors = _end_errors(started_on, ended_on, today)
            if end_errors:
                errors["ended_on"] = end_errors
    if status == EnrolmentStatus.INTERRUPTED and interruption_reason not in (
        InterruptionReason.values
    ):
        errors["interruption_reason"] = [_("Choose the reason for stopping.")]
    if errors:
        raise ValidationError(errors)
    # What does not belong to the new status is cleared, so the row says one thing.
    if status == EnrolmentStatus.STARTED:
        ended_on = None
    if status != EnrolmentStatus.INTERRUPTED:
        interruption_reason, interruption_note = "", ""
    interruption_note = interruption_note.strip()
    before = _state(enrolment)
    unchanged = (
        enrolment.status == status
        and enrolment.started_on == started_on
        and enrolment.ended_on == ended_on
        and enrolment.interruption_reason == interruption_reason
        and enrolment.interruption_note == interruption_note
    )
    if unchanged:
        raise ValidationError(_("Nothing was changed: the record already says this."))
    note_changed = enrolment.interruption_note != interruption_note
    enrolment.status = status
    enrolment.started_on = started_on
    enrolment.ended_on = ended_on
    enrolment.interruption_reason = interruption_reason
    enrolment.interruption_note = interruption_note
    enrolment.recorded_by = acting_user
    enrolment.save(
        update_fields=[
            "status",
            "started_on",
            "ended_on",
            "interruption_reason",
            "interruption_note",
            "recorded_by",
            "updated_at",
        ]
    )
    audit_record(
        acting_user=acting_user,
        region=_region(enrolment),
        action="enrolment.correct",
        target=enrolment,
        data={
            "before": before,
            "after": _state(enrolment),
            "note_changed": note_changed,
            "reason": reason,
        },
    )
    return enrolment


@transaction.atomic
def enrolment_annul(*, acting_user: User | None, enrolment: Enrolment, reason: str) -> None:
    """Remove a start recorded by mistake: the person never began (or the start was recorded
    on the wrong student). The accepted seat stays, so the student is "admitted, not started"
    again, and the cost settlement no longer counts them. The record as it was and `reason`
    are kept in the audit log.

    Refused while other records rest on the enrolment (an APL booking, an outcome): those are
    the industry council's, and removing them is a decision of their own. The enrolment's
    foreign keys protect it, so this module need not know those models."""
    enrolment = _locked(enrolment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the start is removed.")]})
    region = _region(enrolment)
    before = _state(enrolment)
    application, enrolment_pk = enrolment.application, enrolment.pk
    try:
        with transaction.atomic():
            enrolment.delete()
    except ProtectedError:
        raise ValidationError(
            _(
                "The start cannot be removed: an APL booking or an outcome is recorded for "
                "this student. Cancel those first, or correct the record instead."
            ),
            code="protected",
        ) from None
    audit_record(
        acting_user=acting_user,
        region=region,
        action="enrolment.annul",
        # The enrolment is gone: the entry hangs on the application it belonged to.
        target=application,
        data={
            "enrolment": enrolment_pk,
            "choice": enrolment.choice_id,
            "before": before,
            "reason": reason,
        },
    )


def enrolment_list_view_log(*, acting_user: User, offering: Offering, role: str) -> None:
    """Who saw which offering's students: one entry each time the list is opened."""
    audit_record(
        acting_user=acting_user,
        region=offering.region,
        action="enrolment.list.view",
        target=offering,
        role=role,
    )
