"""Opening cases, the reference numbers, mapping, appointments and closing."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.applications import personnummer as pnr
from admissions.applications.models import ApplicationStatus
from tests.conftest import need_service
from tests.factories import MunicipalityFactory, UserFactory
from tests.validation import cases_support as support
from validation import services
from validation.models import Appointment, CaseSource, CaseStatus, Method


@pytest.fixture
def welding(region):
    return support.standard(region, four_eyes=True)


def test_a_direct_case_gets_the_next_reference_of_the_region_and_year(
    region, foreign_region, welding
):
    year = timezone.localdate().year
    first = support.direct_case(region, welding)
    second = support.direct_case(region, welding, source=CaseSource.EMPLOYER, referrer="Stora Enso")
    abroad = support.direct_case(foreign_region, support.standard(foreign_region))
    assert first.reference == f"VAL-{year}-0001"
    assert second.reference == f"VAL-{year}-0002"
    # Numbered per region: the foreign region starts at 1 too.
    assert abroad.reference == f"VAL-{year}-0001"
    assert first.status == CaseStatus.MAPPING


def test_numbering_continues_after_the_highest_reference(region, welding):
    year = timezone.localdate().year
    first = support.direct_case(region, welding)
    first.reference = f"VAL-{year}-0041"
    first.save(update_fields=["reference"])
    assert support.direct_case(region, welding).reference == f"VAL-{year}-0042"


def test_a_direct_case_stores_a_checked_personnummer_in_twelve_digits(region, welding):
    number = pnr.build(dt.date(1979, 3, 2), 123)
    case = support.direct_case(region, welding, personnummer=f"{number[2:8]}-{number[8:]}")
    assert case.personnummer == number
    entry = AuditEntry.objects.get(action="validation_case.open", object_id=str(case.pk))
    assert number not in str(entry.data)


def test_a_direct_case_refuses_a_wrong_personnummer_and_a_missing_referrer(region, welding):
    with pytest.raises(ValidationError) as error:
        support.direct_case(region, welding, personnummer="19790302-1235", referrer="")
    assert "personnummer" in error.value.message_dict
    assert "referrer" in error.value.message_dict


def test_a_direct_case_refuses_a_foreign_standard_or_municipality(region, foreign_region, welding):
    with pytest.raises(ValidationError) as error:
        support.direct_case(
            region,
            support.standard(foreign_region),
            home_municipality=MunicipalityFactory(region=foreign_region),
        )
    assert set(error.value.message_dict) == {"standard", "home_municipality"}


def test_a_case_from_an_application_copies_the_person(region, welding):
    application = support.application(region)
    application.applicant.preferred_language = "en"
    application.applicant.save()
    case = services.case_open_from_application(
        acting_user=support.assessor(region), application=application, standard=welding
    )
    assert case.source == CaseSource.APPLICATION
    assert case.application == application
    assert case.person == application.applicant
    assert (case.first_name, case.last_name) == (application.first_name, application.last_name)
    assert case.personnummer == application.personnummer
    assert case.home_municipality == application.home_municipality
    assert case.description == application.validation_description
    assert case.language == "en"
    assert case.requested_at == application.submitted_at


def test_only_a_submitted_application_asking_for_validation_opens_a_case_once(region, welding):
    by = support.assessor(region)
    with pytest.raises(ValidationError, match="does not ask for validation"):
        services.case_open_from_application(
            acting_user=by,
            application=support.application(region, validation_requested=False),
            standard=welding,
        )
    with pytest.raises(ValidationError, match="submitted"):
        services.case_open_from_application(
            acting_user=by,
            application=support.application(
                region, status=ApplicationStatus.DRAFT, submitted_at=None
            ),
            standard=welding,
        )
    application = support.application(region)
    services.case_open_from_application(acting_user=by, application=application, standard=welding)
    with pytest.raises(ValidationError, match="already has an open case"):
        services.case_open_from_application(
            acting_user=by, application=application, standard=welding
        )


def test_mapping_moves_the_case_to_assessment_with_notes(region, welding):
    by = support.assessor(region)
    case = support.direct_case(region, welding, by=by)
    grund = welding.areas.get(code="grund")
    case = services.case_map(
        acting_user=by, case=case, areas=[grund], notes={grund.pk: "Har svetsat i tio år."}
    )
    assert case.status == CaseStatus.ASSESSMENT
    assert [(a.area.code, a.mapping_note) for a in case.areas.all()] == [
        ("grund", "Har svetsat i tio år.")
    ]
    # Mapped again: the other area added, the note changed.
    services.case_map(acting_user=by, case=case, areas=welding.areas.all(), notes={})
    assert sorted(case.areas.values_list("area__code", "mapping_note")) == [
        ("grund", ""),
        ("mig", ""),
    ]


def test_mapping_refuses_no_areas_foreign_areas_and_dropping_an_assessed_area(region, welding):
    by = support.assessor(region)
    case = support.mapped_case(region, welding, by=by)
    with pytest.raises(ValidationError, match="at least one"):
        services.case_map(acting_user=by, case=case, areas=[])
    other = support.standard(region, code="cnc")
    with pytest.raises(ValidationError, match="case's standard"):
        services.case_map(acting_user=by, case=case, areas=other.areas.all())
    support.record_all(case, by)
    with pytest.raises(ValidationError, match="already have a result"):
        services.case_map(acting_user=by, case=case, areas=welding.areas.filter(code="grund"))


def _book(case, assessor, start, end, by=None):
    return services.appointment_book(
        acting_user=by or assessor,
        case=case,
        starts_at=start,
        ends_at=end,
        place="Svetsverkstaden, Karlstad",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )


def test_booking_sets_the_responsible_assessor_and_refuses_a_double_booking(region, welding):
    assessor = support.assessor(region)
    case = support.mapped_case(region, welding, by=assessor)
    other_case = support.mapped_case(region, welding, by=assessor)
    appointment = _book(case, assessor, support.at(3, 9), support.at(3, 12))
    case.refresh_from_db()
    assert case.assessor == assessor
    with pytest.raises(ValidationError) as error:
        _book(other_case, assessor, support.at(3, 11), support.at(3, 13))
    assert "already has an appointment" in error.value.message_dict["assessor"][0]
    # Back to back is not an overlap, and a second assessor is free then.
    _book(other_case, assessor, support.at(3, 12), support.at(3, 14))
    _book(other_case, support.assessor(region), support.at(3, 11), support.at(3, 13))
    # A cancelled appointment frees the time.
    services.appointment_cancel(acting_user=assessor, appointment=appointment, reason="Sjuk")
    _book(other_case, assessor, support.at(3, 9), support.at(3, 11))
    assert Appointment.objects.filter(cancelled_at__isnull=True).count() == 3


def test_booking_needs_an_assessor_of_the_region_and_an_end_after_the_start(
    region, foreign_region, welding
):
    case = support.mapped_case(region, welding)
    with pytest.raises(ValidationError) as error:
        _book(case, support.assessor(foreign_region), support.at(2, 10), support.at(2, 9))
    assert set(error.value.message_dict) == {"assessor", "ends_at"}
    coordinator = support.member(region, Role.INTAKE_OFFICER)
    with pytest.raises(ValidationError, match="assessor of the region"):
        _book(case, coordinator, support.at(2, 9), support.at(2, 10))


def test_cancelling_twice_is_refused(region, welding):
    assessor = support.assessor(region)
    appointment = _book(
        support.mapped_case(region, welding), assessor, support.at(1), support.at(1, 10)
    )
    services.appointment_cancel(acting_user=assessor, appointment=appointment)
    with pytest.raises(ValidationError, match="already cancelled"):
        services.appointment_cancel(acting_user=assessor, appointment=appointment)


def test_closing_cancels_future_appointments_and_stops_further_steps(region, welding):
    assessor = support.assessor(region)
    case = support.mapped_case(region, welding, by=assessor)
    _book(case, assessor, support.at(5), support.at(5, 11))
    with pytest.raises(ValidationError):
        services.case_close(acting_user=assessor, case=case, reason=" ")
    case = services.case_close(acting_user=assessor, case=case, reason="Fick jobb.")
    assert case.status == CaseStatus.CLOSED
    assert not case.appointments.filter(cancelled_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="no longer be changed"):
        services.case_map(acting_user=assessor, case=case, areas=welding.areas.all())
    with pytest.raises(ValidationError):
        services.case_decide(acting_user=assessor, case=case)


def test_assigning_needs_an_assessor(region, welding):
    case = support.direct_case(region, welding)
    with pytest.raises(ValidationError):
        services.case_assign(acting_user=UserFactory(), case=case, assessor=UserFactory())
    assessor = support.assessor(region)
    assert services.case_assign(acting_user=assessor, case=case, assessor=assessor).assessor == (
        assessor
    )


def _at_once(calls):
    """Run the calls in threads released together; returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:  # reported by the caller's assertions
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_cases_opened_at_once_get_different_references(region):
    if connection.vendor != "postgresql":
        need_service("opening cases at once needs PostgreSQL's row locks (DATABASE_URL)")
    welding = support.standard(region)
    by = support.assessor(region)
    cases, errors = _at_once(
        [lambda: support.direct_case(region, welding, by=by) for _ in range(4)]
    )
    assert not errors
    year = timezone.localdate().year
    assert sorted(case.reference for case in cases) == [f"VAL-{year}-000{n}" for n in range(1, 5)]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_assessor_at_once_give_one_appointment(region):
    if connection.vendor != "postgresql":
        need_service("booking at once needs PostgreSQL's row locks (DATABASE_URL)")
    welding = support.standard(region)
    assessor = support.assessor(region)
    cases = [support.mapped_case(region, welding, by=assessor) for _ in range(2)]
    booked, errors = _at_once(
        [
            lambda case=case: _book(case, assessor, support.at(4, 9), support.at(4, 11))
            for case in cases
        ]
    )
    assert len(booked) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Appointment.objects.count() == 1
