"""Enrolment services: a start only on an accepted seat and only once; stopping early with a
reason; completing; correcting a mistake with a reason, audit-logged before and after."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import AuditEntry
from admissions.applications.services.applications import application_withdraw
from admissions.enrolment.models import Enrolment, EnrolmentStatus, InterruptionReason
from admissions.enrolment.selectors import accepted_seats, accepted_unstarted_offers
from admissions.enrolment.services import (
    EnrolmentStateError,
    enrolment_complete,
    enrolment_correct,
    enrolment_interrupt,
    enrolment_start,
)
from tests.admissions.enrolment_support import END, START, admit, coordinator, past_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(region):
    period, (offering,) = past_term(region, 3)
    return period, offering


@pytest.fixture
def student(region, course):
    """An application that accepted its seat on the course."""
    period, offering = course
    (application,) = admit(region, period, [offering])
    return application


@pytest.fixture
def user(region, course):
    return coordinator(region, course[1].centre)


def started(user, application, on=START) -> Enrolment:
    return enrolment_start(acting_user=user, choice=application.choices.get(), started_on=on)


def codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list} if hasattr(error, "error_list") else set()


def test_a_student_with_an_accepted_seat_is_started(user, student, course):
    enrolment = started(user, student)

    assert enrolment.status == EnrolmentStatus.STARTED
    assert enrolment.started_on == START
    assert enrolment.offering == course[1]
    assert enrolment.application == student
    assert enrolment.recorded_by == user
    entry = AuditEntry.objects.get(action="enrolment.start")
    assert entry.user == user
    assert entry.data["started_on"] == "2025-08-18"
    # Neither the data nor the entry's label carries the identity number.
    assert student.personnummer
    assert student.personnummer not in json.dumps(entry.data)
    assert student.personnummer not in entry.object_repr


def test_a_start_up_to_two_weeks_before_the_course_is_accepted(user, student):
    # START is 2025-08-18; 14 days earlier is 2025-08-04.
    assert started(user, student, on=dt.date(2025, 8, 4)).started_on == dt.date(2025, 8, 4)


@pytest.mark.parametrize(
    "on, message",
    [
        (dt.date(2025, 8, 3), "more than 14 days before the course starts"),
        (END + dt.timedelta(days=1), "after the course ends"),
        (dt.date(2999, 1, 1), "cannot be in the future"),
    ],
)
def test_a_start_outside_the_course_is_refused(user, student, on, message):
    with pytest.raises(ValidationError) as caught:
        started(user, student, on=on)

    assert message in " ".join(caught.value.message_dict["started_on"])
    assert not Enrolment.objects.exists()


def test_a_start_is_refused_without_an_accepted_offer(region, user, course):
    period, offering = course
    (open_offer,) = admit(region, period, [offering], answer=None)

    with pytest.raises(ValidationError) as caught:
        started(user, open_offer)

    assert "no_accepted_offer" in codes(caught.value)
    assert not Enrolment.objects.exists()


def test_a_start_is_refused_after_the_seat_was_declined(region, user, course):
    period, offering = course
    (declined,) = admit(region, period, [offering], answer="declined")

    with pytest.raises(ValidationError):
        started(user, declined)


def test_a_start_is_refused_on_a_choice_that_was_never_offered(region, user):
    # Two offerings with one seat each: A's first choice is admitted, so the second is not.
    period, (first, second) = past_term(region, 1, 1)
    (application,) = admit(region, period, [first, second])
    other_choice = application.choices.get(offering=second)

    with pytest.raises(ValidationError) as caught:
        enrolment_start(acting_user=user, choice=other_choice, started_on=START)

    assert "no_accepted_offer" in codes(caught.value)


def test_a_withdrawn_application_cannot_be_started(user, student):
    application_withdraw(acting_user=student.applicant, application=student)

    with pytest.raises(ValidationError):
        started(user, student)


def test_a_second_start_is_a_clear_error_not_an_integrity_error(user, student):
    started(user, student)

    with pytest.raises(ValidationError) as caught:
        started(user, student, on=START + dt.timedelta(days=1))

    assert "already_started" in codes(caught.value)
    assert Enrolment.objects.get().started_on == START


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_record_one_and_refuse_the_other_clearly(region, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL (DATABASE_URL)")
    # Publishing the round writes its letters after the commit: not into the project's var/.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    period, (offering,) = past_term(region, 3)
    (application,) = admit(region, period, [offering])
    user = coordinator(region, offering.centre)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            started(user, application)
            outcomes.append("started")
        except EnrolmentStateError as error:
            outcomes.append(error.code)
        except BaseException as error:  # an IntegrityError would land here
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already_started", "started"]
    assert Enrolment.objects.filter(application=application).count() == 1


def test_stopping_early_needs_a_reason(user, student):
    enrolment = started(user, student)

    with pytest.raises(ValidationError) as caught:
        enrolment_interrupt(
            acting_user=user, enrolment=enrolment, ended_on=dt.date(2025, 10, 3), reason=""
        )

    assert "reason" in caught.value.message_dict
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.STARTED


def test_stopping_early_records_the_last_day_and_reason(user, student):
    enrolment = started(user, student)

    enrolment_interrupt(
        acting_user=user,
        enrolment=enrolment,
        ended_on=dt.date(2025, 10, 3),
        reason=InterruptionReason.WORK,
        note="  Anställd på Volvo CE.  ",
    )

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INTERRUPTED
    assert enrolment.ended_on == dt.date(2025, 10, 3)
    assert enrolment.interruption_reason == "work"
    assert enrolment.interruption_note == "Anställd på Volvo CE."
    entry = AuditEntry.objects.get(action="enrolment.interrupt")
    assert entry.data["before"]["status"] == "started"
    assert entry.data["after"] == {
        "status": "interrupted",
        "started_on": "2025-08-18",
        "ended_on": "2025-10-03",
        "interruption_reason": "work",
    }
    # The free-text note stays out of the audit log.
    assert "Volvo" not in json.dumps(entry.data)


def test_an_end_before_the_start_is_refused(user, student):
    enrolment = started(user, student)

    with pytest.raises(ValidationError) as caught:
        enrolment_complete(
            acting_user=user, enrolment=enrolment, ended_on=START - dt.timedelta(days=1)
        )

    assert "before the start" in " ".join(caught.value.message_dict["ended_on"])


def test_completing_records_the_date(user, student):
    enrolment = started(user, student)

    enrolment_complete(acting_user=user, enrolment=enrolment, ended_on=END)

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on) == (EnrolmentStatus.COMPLETED, END)
    assert AuditEntry.objects.filter(action="enrolment.complete").count() == 1


def test_a_stopped_student_cannot_be_stopped_twice_completed_or_started_again(user, student):
    enrolment = started(user, student)
    enrolment_interrupt(
        acting_user=user, enrolment=enrolment, ended_on=dt.date(2025, 10, 3), reason="health"
    )

    with pytest.raises(ValidationError) as twice:
        enrolment_interrupt(
            acting_user=user, enrolment=enrolment, ended_on=dt.date(2025, 10, 9), reason="work"
        )
    with pytest.raises(ValidationError) as completed:
        enrolment_complete(acting_user=user, enrolment=enrolment, ended_on=END)
    with pytest.raises(ValidationError) as again:
        started(user, student)

    assert "ended" in codes(twice.value)
    assert "ended" in codes(completed.value)
    assert "already_started" in codes(again.value)
    enrolment.refresh_from_db()
    assert (enrolment.ended_on, enrolment.interruption_reason) == (dt.date(2025, 10, 3), "health")


def test_a_mistaken_stop_is_reopened_by_a_correction_with_before_and_after(user, student):
    enrolment = started(user, student)
    enrolment_interrupt(
        acting_user=user,
        enrolment=enrolment,
        ended_on=dt.date(2025, 10, 3),
        reason="absence",
        note="Kom inte.",
    )

    enrolment_correct(
        acting_user=user,
        enrolment=enrolment,
        status=EnrolmentStatus.STARTED,
        started_on=START,
        ended_on=dt.date(2025, 10, 3),
        interruption_reason="absence",
        interruption_note="Kom inte.",
        reason="Fel elev markerad.",
    )

    enrolment.refresh_from_db()
    # Studying again: the end, the reason and the note no longer apply.
    assert enrolment.status == EnrolmentStatus.STARTED
    assert enrolment.ended_on is None
    assert (enrolment.interruption_reason, enrolment.interruption_note) == ("", "")
    entry = AuditEntry.objects.get(action="enrolment.correct")
    assert entry.data["before"] == {
        "status": "interrupted",
        "started_on": "2025-08-18",
        "ended_on": "2025-10-03",
        "interruption_reason": "absence",
    }
    assert entry.data["after"] == {
        "status": "started",
        "started_on": "2025-08-18",
        "ended_on": None,
        "interruption_reason": "",
    }
    assert entry.data["reason"] == "Fel elev markerad."
    assert entry.data["note_changed"] is True
    # Reopened, the student can now stop or complete as usual.
    enrolment_complete(acting_user=user, enrolment=enrolment, ended_on=END)


def test_a_correction_changes_a_completion_into_a_stop_and_moves_the_start(user, student):
    enrolment = started(user, student)
    enrolment_complete(acting_user=user, enrolment=enrolment, ended_on=END)

    enrolment_correct(
        acting_user=user,
        enrolment=enrolment,
        status=EnrolmentStatus.INTERRUPTED,
        started_on=dt.date(2025, 8, 25),
        ended_on=dt.date(2026, 3, 13),
        interruption_reason="moved",
        reason="Flyttade i mars, registrerades fel.",
    )

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INTERRUPTED
    assert (enrolment.started_on, enrolment.ended_on) == (
        dt.date(2025, 8, 25),
        dt.date(2026, 3, 13),
    )
    assert enrolment.interruption_reason == "moved"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"reason": "  "}, "reason"),
        ({"status": "interrupted", "ended_on": dt.date(2025, 10, 3)}, "interruption_reason"),
        ({"status": "completed", "ended_on": None}, "ended_on"),
        ({"started_on": dt.date(2025, 7, 1)}, "started_on"),
        ({"status": "completed", "ended_on": dt.date(2025, 8, 1)}, "ended_on"),
    ],
)
def test_a_correction_is_checked_like_a_record(user, student, change, field):
    enrolment = started(user, student)
    values = {
        "status": EnrolmentStatus.STARTED,
        "started_on": dt.date(2025, 8, 19),
        "ended_on": None,
        "reason": "Fel datum.",
        **change,
    }

    with pytest.raises(ValidationError) as caught:
        enrolment_correct(acting_user=user, enrolment=enrolment, **values)

    assert field in caught.value.message_dict
    enrolment.refresh_from_db()
    assert enrolment.started_on == START


def test_a_correction_that_changes_nothing_is_refused(user, student):
    enrolment = started(user, student)

    with pytest.raises(ValidationError, match="Nothing was changed"):
        enrolment_correct(
            acting_user=user,
            enrolment=enrolment,
            status=EnrolmentStatus.STARTED,
            started_on=START,
            ended_on=None,
            reason="Kontroll.",
        )
    assert not AuditEntry.objects.filter(action="enrolment.correct").exists()


def test_the_unstarted_accepted_seats_in_the_database_follow_accepted_seats(region, user, course):
    """accepted_unstarted_offers (counted in SQL by the council's APL balance) and
    accepted_seats (read in Python by the enrolment pages) are one rule: accepted, latest,
    not withdrawn; the started seat drops out of the first."""
    period, offering = course
    first, second = admit(region, period, [offering], [offering])
    (declined,) = admit(region, period, [offering], answer="declined")
    (withdrawn,) = admit(region, period, [offering])
    application_withdraw(acting_user=withdrawn.applicant, application=withdrawn)
    started(user, first)

    unstarted = accepted_unstarted_offers(region)

    assert {offer.application_id for offer in unstarted} == {second.pk}
    held = accepted_seats(offerings=[offering.pk])
    assert set(held) == {first.pk, second.pk}
    assert declined.pk not in held and withdrawn.pk not in held
