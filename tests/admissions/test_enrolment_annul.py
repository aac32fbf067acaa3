"""Removing a start recorded by mistake: the enrolment goes, the accepted seat stays, the audit
log keeps the record as it was; refused without a reason and while an APL booking rests on it;
coordinators of the centre only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry, Role
from admissions.enrolment.models import Enrolment
from admissions.enrolment.selectors import accepted_seats
from admissions.enrolment.services import enrolment_annul, enrolment_start
from industriradet.models import AplBooking, AplOffer, Company
from tests.admissions.enrolment_support import START, admit, client_of, coordinator, past_term
from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(region):
    return CentreFactory(region=region)


@pytest.fixture
def student(region, centre):
    period, (offering,) = past_term(region, 2, centre=centre)
    (application,) = admit(region, period, [offering])
    user = coordinator(region, centre)
    enrolment = enrolment_start(
        acting_user=user, choice=application.choices.get(), started_on=START
    )
    return enrolment


def annul_url(enrolment):
    return reverse("admissions:enrolment_annul", args=[enrolment.pk])


def test_removing_a_start_keeps_the_seat_and_logs_the_record_as_it_was(region, student):
    user = coordinator(region, student.offering.centre)
    application = student.application

    enrolment_annul(acting_user=user, enrolment=student, reason="Kom aldrig till kursstarten.")

    assert not Enrolment.objects.filter(pk=student.pk).exists()
    # Admitted, not started: the accepted seat is still theirs.
    assert application.pk in accepted_seats(offerings=[student.offering_id])
    entry = AuditEntry.objects.get(action="enrolment.annul")
    assert entry.object_id == str(application.pk)
    assert entry.data["enrolment"] == student.pk
    assert entry.data["before"] == {
        "status": "started",
        "started_on": START.isoformat(),
        "ended_on": None,
        "interruption_reason": "",
    }
    assert entry.data["reason"] == "Kom aldrig till kursstarten."


def test_a_reason_is_required(region, student):
    with pytest.raises(ValidationError) as refused:
        enrolment_annul(acting_user=None, enrolment=student, reason="  ")
    assert "reason" in refused.value.error_dict
    assert Enrolment.objects.filter(pk=student.pk).exists()


def test_a_start_with_an_apl_booking_is_kept_with_a_clear_message(region, student):
    company = Company.objects.create(region=region, name="Exempel Verkstads AB")
    offer = AplOffer.objects.create(
        company=company,
        programme=student.offering.programme,
        intake_period=student.offering.intake_period,
        places=1,
    )
    AplBooking.objects.create(
        offer=offer,
        enrolment=student,
        starts_on=START + dt.timedelta(days=7),
        ends_on=START + dt.timedelta(days=11),
    )

    with pytest.raises(ValidationError) as refused:
        enrolment_annul(acting_user=None, enrolment=student, reason="Fel elev.")

    assert refused.value.code == "protected"
    assert Enrolment.objects.filter(pk=student.pk).exists()
    assert not AuditEntry.objects.filter(action="enrolment.annul").exists()


def test_the_coordinator_removes_the_start_from_the_correction_page(region, student):
    client = client_of(region, Role.COORDINATOR, scope_centre=student.offering.centre)
    correction = client.get(reverse("admissions:enrolment_correct", args=[student.pk]))
    assert annul_url(student) in correction.content.decode()

    response = client.post(annul_url(student), {"annul-reason": "Registrerad på fel elev."})

    offering_page = reverse("admissions:enrolment_offering", args=[student.offering_id])
    assert response.status_code == 302 and response.url == offering_page
    assert not Enrolment.objects.filter(pk=student.pk).exists()
    page = client.get(offering_page).content.decode()
    assert "The start of" in page and "is removed: admitted, not started." in page
    assert "Admitted, not started" in page


def test_without_a_reason_the_page_says_so_and_nothing_is_removed(region, student):
    client = client_of(region, Role.COORDINATOR, scope_centre=student.offering.centre)

    response = client.post(annul_url(student), {"annul-reason": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This field is required." in page
    assert Enrolment.objects.filter(pk=student.pk).exists()


def test_only_the_centres_coordinators_may_remove_a_start(region, student):
    officer = client_of(region, Role.INTAKE_OFFICER)
    assert officer.post(annul_url(student), {"annul-reason": "x"}).status_code == 403
    elsewhere = client_of(region, Role.COORDINATOR, scope_centre=CentreFactory(region=region))
    assert elsewhere.post(annul_url(student), {"annul-reason": "x"}).status_code == 404
    assert Enrolment.objects.filter(pk=student.pk).exists()
