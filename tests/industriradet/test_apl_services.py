"""APL services: companies offer places per programme and term; coordinators book them for
studying students, never beyond the places offered (also when two book at once); a cancelled
booking frees its place."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from accounts.models import AuditEntry, Role
from admissions.enrolment.models import EnrolmentStatus
from industriradet.models import AplBooking, AplOffer
from industriradet.services.apl import apl_book, apl_cancel, apl_offer_create, apl_offer_update
from tests.conftest import need_service
from tests.factories import IntakePeriodFactory, ProgrammeFactory, RegionFactory
from tests.industriradet.members_support import (
    TERM_END,
    TERM_START,
    contact,
    council,
    staff,
    started,
    term,
)

pytestmark = pytest.mark.django_db

FIRST_WEEK = (TERM_START + dt.timedelta(days=60), TERM_START + dt.timedelta(days=88))


def _offer(c, t, places=2, company=None, user=None):
    return apl_offer_create(
        acting_user=user,
        company=company or c.company,
        programme=t.programme,
        intake_period=t.period,
        places=places,
        note="Handledare: Eva",
    )


def _book(offer, enrolment, user=None, dates=FIRST_WEEK):
    return apl_book(
        acting_user=user, offer=offer, enrolment=enrolment, starts_on=dates[0], ends_on=dates[1]
    )


def test_a_company_offers_places_and_it_is_audited(region):
    c = council(region)
    t = term(region)
    user = contact(region, c.company)
    offer = _offer(c, t, places=3, user=user)
    assert (offer.company, offer.programme, offer.intake_period, offer.places) == (
        c.company,
        t.programme,
        t.period,
        3,
    )
    assert offer.created_by == user
    entry = AuditEntry.objects.get(action="apl_offer.create")
    assert entry.data == {
        "company": c.company.pk,
        "programme": t.programme.code,
        "intake_period": t.period.code,
        "places": 3,
    }


def test_one_offer_per_company_programme_and_term(region):
    c = council(region)
    t = term(region)
    _offer(c, t)
    with pytest.raises(ValidationError) as error:
        _offer(c, t)
    assert "already offers places" in error.value.message_dict["programme"][0]
    # Another company may offer for the same programme and term.
    assert _offer(c, t, company=c.other_company).pk


def test_an_offer_needs_a_place_and_the_companys_region(region):
    c = council(region)
    t = term(region)
    with pytest.raises(ValidationError) as error:
        _offer(c, t, places=0)
    assert "places" in error.value.message_dict
    elsewhere = RegionFactory(slug="annan")
    with pytest.raises(ValidationError) as error:
        apl_offer_create(
            acting_user=None,
            company=c.company,
            programme=ProgrammeFactory(region=elsewhere),
            intake_period=IntakePeriodFactory(region=elsewhere),
            places=1,
        )
    assert set(error.value.message_dict) == {"programme", "intake_period"}
    assert not AplOffer.objects.exists()


def test_a_coordinator_books_a_studying_student(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t)
    student = started(t.offering)
    coordinator = staff(region, Role.COORDINATOR, scope_centre=t.centre)
    booking = _book(offer, student, coordinator)
    assert (booking.offer, booking.enrolment, booking.booked_by) == (offer, student, coordinator)
    assert (booking.starts_on, booking.ends_on) == FIRST_WEEK
    entry = AuditEntry.objects.get(action="apl_booking.create")
    assert entry.data["enrolment"] == student.pk
    # Ids and dates only: the student's name is not in the log.
    assert student.application.last_name not in str(entry.data)


def test_an_offer_is_never_overbooked(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t, places=2)
    first, second, third = (started(t.offering) for _ in range(3))
    _book(offer, first)
    _book(offer, second)
    with pytest.raises(ValidationError) as error:
        _book(offer, third)
    assert error.value.message_dict["__all__"] == ["All 2 places of the offer are already booked."]
    assert AplBooking.objects.filter(offer=offer).count() == 2


def test_cancelling_frees_the_place(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t, places=1)
    first, second = started(t.offering), started(t.offering)
    booking = _book(offer, first)
    apl_cancel(acting_user=None, booking=booking)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert _book(offer, second).pk
    # The cancelled booking stays as a record; it cannot be cancelled twice.
    with pytest.raises(ValidationError):
        apl_cancel(acting_user=None, booking=booking)
    assert AuditEntry.objects.filter(action="apl_booking.cancel").count() == 1
    # The first student may be booked again on the same offer once a place is free.
    apl_cancel(acting_user=None, booking=AplBooking.objects.get(enrolment=second))
    assert _book(offer, first).pk


def test_a_student_is_booked_once_per_offer(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t, places=3)
    student = started(t.offering)
    _book(offer, student)
    with pytest.raises(ValidationError) as error:
        _book(offer, student)
    assert error.value.message_dict["enrolment"] == [
        "The student already has a place on this offer."
    ]


@pytest.mark.parametrize("status", [EnrolmentStatus.INTERRUPTED, EnrolmentStatus.COMPLETED])
def test_only_a_studying_student_is_booked(region, status):
    c = council(region)
    t = term(region)
    offer = _offer(c, t)
    with pytest.raises(ValidationError) as error:
        _book(offer, started(t.offering, status=status))
    assert error.value.message_dict["enrolment"] == [
        "Only a student who is studying now can be booked."
    ]


def test_the_student_must_study_the_offers_programme_in_its_term(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t)
    other_programme = term(region, centre=t.centre, period=t.period)
    with pytest.raises(ValidationError) as error:
        _book(offer, started(other_programme.offering))
    assert "does not study" in error.value.message_dict["enrolment"][0]


def test_the_apl_period_lies_within_the_course(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t)
    student = started(t.offering)
    with pytest.raises(ValidationError) as error:
        _book(offer, student, dates=(TERM_START - dt.timedelta(days=1), TERM_START))
    assert "within the course" in error.value.message_dict["starts_on"][0]
    with pytest.raises(ValidationError) as error:
        _book(offer, student, dates=(TERM_END, TERM_END - dt.timedelta(days=1)))
    assert "ends_on" in error.value.message_dict


def test_places_cannot_drop_below_those_booked(region):
    c = council(region)
    t = term(region)
    offer = _offer(c, t, places=3)
    _book(offer, started(t.offering))
    _book(offer, started(t.offering))
    with pytest.raises(ValidationError) as error:
        apl_offer_update(acting_user=None, offer=offer, places=1)
    assert error.value.message_dict["places"] == ["2 places are booked; offer at least that many."]
    apl_offer_update(acting_user=None, offer=offer, places=2, note="Två platser")
    offer.refresh_from_db()
    assert (offer.places, offer.note) == (2, "Två platser")
    entry = AuditEntry.objects.get(action="apl_offer.update")
    assert (entry.data["places_before"], entry.data["places"]) == (3, 2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_booking_the_last_place_at_once_get_one_booking(region):
    if connection.vendor != "postgresql":
        need_service("two bookings at once need PostgreSQL's row locks (DATABASE_URL)")
    c = council(region)
    t = term(region)
    offer = _offer(c, t, places=1)
    students = {"first": started(t.offering), "second": started(t.offering)}
    barrier = threading.Barrier(2)
    booked: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def book(name):
        # A new thread starts in the default language (Swedish); the messages compared are English.
        translation.activate("en")
        try:
            barrier.wait()
            _book(offer, students[name])
            booked.append(name)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(name,)) for name in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(booked) == 1
    assert refused == ["The offer's 1 place is already booked."]
    assert AplBooking.objects.filter(offer=offer, cancelled_at__isnull=True).count() == 1
