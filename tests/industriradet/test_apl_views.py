"""APL pages: a company contact offers places and sees how many are booked but not by whom; a
centre coordinator books and cancels for the centre's students; another company's offer,
another centre's booking and another region's rows are a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, Role
from industriradet.models import AplBooking, AplOffer
from industriradet.services.apl import apl_book, apl_offer_create
from tests.factories import CentreFactory
from tests.industriradet.members_support import (
    TERM_START,
    client_for,
    contact,
    council,
    staff,
    started,
    term,
)

pytestmark = pytest.mark.django_db

OFFERS = reverse("industriradet:apl_offers")
NEW_OFFER = reverse("industriradet:apl_offer_new")
PLACES = reverse("industriradet:apl_places")
APL = (TERM_START + dt.timedelta(days=60), TERM_START + dt.timedelta(days=88))


def _offer(company, t, places=2):
    return apl_offer_create(
        acting_user=None,
        company=company,
        programme=t.programme,
        intake_period=t.period,
        places=places,
    )


def _book(offer, enrolment):
    return apl_book(
        acting_user=None, offer=offer, enrolment=enrolment, starts_on=APL[0], ends_on=APL[1]
    )


def test_a_contact_offers_places_through_the_form(region):
    c = council(region)
    t = term(region)
    client = client_for(contact(region, c.company))
    data = {
        "company": c.company.pk,
        "programme": t.programme.pk,
        "intake_period": t.period.pk,
        "places": "3",
        "note": "Handledare finns",
    }
    assert client.post(NEW_OFFER, data).status_code == 302
    offer = AplOffer.objects.get()
    assert (offer.company, offer.places, offer.note) == (c.company, 3, "Handledare finns")
    # The same programme and term again: refused with a message, the input kept.
    again = client.post(NEW_OFFER, {**data, "places": "7"})
    assert again.status_code == 200
    assert "already offers places" in again.content.decode()
    assert 'value="7"' in again.content.decode()
    assert AplOffer.objects.count() == 1


def test_a_contact_sees_the_number_booked_but_not_who(region):
    c = council(region)
    t = term(region)
    offer = _offer(c.company, t, places=3)
    student = started(t.offering, first_name="Zlatana", last_name="Bokadsson")
    _book(offer, student)
    _offer(c.other_company, term(region, centre=t.centre, period=t.period))
    page = client_for(contact(region, c.company)).get(OFFERS).content.decode()
    assert "Exempel Verkstads AB" in page
    assert "Exempel Gjuteri AB" not in page
    assert "Bokadsson" not in page and student.application.reference not in page
    row = page[page.index(t.programme.name) :]
    assert '<td data-label="Places">3</td>' in row
    assert '<td data-label="Booked">1</td>' in row


def test_a_contact_changes_their_offer_but_not_below_the_booked(region):
    c = council(region)
    t = term(region)
    offer = _offer(c.company, t, places=2)
    _book(offer, started(t.offering))
    _book(offer, started(t.offering))
    client = client_for(contact(region, c.company))
    url = reverse("industriradet:apl_offer_edit", args=[offer.pk])
    response = client.post(url, {"places": "1", "note": ""})
    assert response.status_code == 200
    assert "2 places are booked; offer at least that many." in response.content.decode()
    assert client.post(url, {"places": "4", "note": ""}).status_code == 302
    offer.refresh_from_db()
    assert offer.places == 4


def test_another_companys_or_regions_offer_is_a_404(region, foreign_region):
    c = council(region)
    t = term(region)
    other = _offer(c.other_company, t)
    abroad = council(foreign_region)
    foreign = _offer(abroad.company, term(foreign_region))
    client = client_for(contact(region, c.company))
    for offer in (other, foreign):
        url = reverse("industriradet:apl_offer_edit", args=[offer.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"places": "9"}).status_code == 404
        offer.refresh_from_db()
        assert offer.places == 2


def test_a_contact_cannot_offer_for_another_company(region):
    c = council(region)
    t = term(region)
    client = client_for(contact(region, c.company))
    response = client.post(
        NEW_OFFER,
        {
            "company": c.other_company.pk,
            "programme": t.programme.pk,
            "intake_period": t.period.pk,
            "places": "1",
        },
    )
    assert response.status_code == 200
    assert not AplOffer.objects.exists()


def test_a_coordinator_sees_offers_for_the_centres_programmes_and_books_a_student(region):
    c = council(region)
    t = term(region)
    offer = _offer(c.company, t, places=1)
    elsewhere = term(region, period=t.period)  # another programme at another centre
    _offer(c.other_company, elsewhere)
    coordinator = staff(region, Role.COORDINATOR, scope_centre=t.centre)
    client = client_for(coordinator)
    page = client.get(PLACES).content.decode()
    assert "Exempel Verkstads AB" in page
    assert "Exempel Gjuteri AB" not in page
    student = started(t.offering, first_name="Alva", last_name="Praktikant")
    book = reverse("industriradet:apl_book", args=[offer.pk])
    form = client.get(book).content.decode()
    assert "Alva Praktikant" in form
    # A wrong date is refused and the input kept.
    bad = client.post(
        book, {"enrolment": student.pk, "starts_on": "2026-08-01", "ends_on": "2026-08-10"}
    )
    assert bad.status_code == 200
    assert "within the course" in bad.content.decode()
    assert 'value="2026-08-01"' in bad.content.decode()
    done = client.post(
        book,
        {"enrolment": student.pk, "starts_on": APL[0].isoformat(), "ends_on": APL[1].isoformat()},
    )
    assert done.status_code == 302
    booking = AplBooking.objects.get()
    assert (booking.enrolment, booking.booked_by) == (student, coordinator)
    assert "Fully booked" in client.get(PLACES).content.decode()
    # The offer's one place is taken: another student is refused.
    other_student = started(t.offering)
    refused = client.post(
        book,
        {
            "enrolment": other_student.pk,
            "starts_on": APL[0].isoformat(),
            "ends_on": APL[1].isoformat(),
        },
    )
    assert refused.status_code == 200
    assert "already booked" in refused.content.decode()
    assert AplBooking.objects.count() == 1


def test_a_coordinator_cancels_a_booking_and_the_place_is_free(region):
    c = council(region)
    t = term(region)
    offer = _offer(c.company, t, places=1)
    booking = _book(offer, started(t.offering))
    client = client_for(staff(region, Role.COORDINATOR, scope_centre=t.centre))
    url = reverse("industriradet:apl_cancel", args=[booking.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert "Book a place" in client.get(PLACES).content.decode()


def test_who_saw_the_centres_students_on_the_apl_pages_is_logged(region):
    c = council(region)
    t = term(region)
    booking = _book(_offer(c.company, t), started(t.offering))
    coordinator = staff(region, Role.COORDINATOR, scope_centre=t.centre)
    client = client_for(coordinator)
    client.get(PLACES)
    client.get(reverse("industriradet:apl_cancel", args=[booking.pk]))
    entries = AuditEntry.objects.filter(action="apl_booking.list.view").order_by("pk")
    assert [(e.user, e.role, e.object_type) for e in entries] == [
        (coordinator, Role.COORDINATOR, "yrkescenter.yrkescenter"),
        (coordinator, Role.COORDINATOR, "industriradet.aplbooking"),
    ]


def test_another_centres_students_and_bookings_are_not_the_coordinators(region, foreign_region):
    c = council(region)
    t = term(region)
    offer = _offer(c.company, t)
    booking = _book(offer, started(t.offering))
    outsider = client_for(
        staff(region, Role.COORDINATOR, scope_centre=CentreFactory(region=region))
    )
    # The offer is for a programme their centre does not give; the booking is not theirs.
    assert outsider.get(reverse("industriradet:apl_book", args=[offer.pk])).status_code == 404
    assert outsider.post(reverse("industriradet:apl_cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    # A coordinator of the right centre cannot book another centre's student on the offer.
    other_centre = term(region, programme=t.programme, period=t.period)
    student_there = started(other_centre.offering)
    client = client_for(staff(region, Role.COORDINATOR, scope_centre=t.centre))
    response = client.post(
        reverse("industriradet:apl_book", args=[offer.pk]),
        {
            "enrolment": student_there.pk,
            "starts_on": APL[0].isoformat(),
            "ends_on": APL[1].isoformat(),
        },
    )
    assert response.status_code == 200
    assert AplBooking.objects.count() == 1


def test_another_regions_offer_and_booking_are_a_404(region, foreign_region):
    abroad = council(foreign_region)
    t = term(foreign_region)
    offer = _offer(abroad.company, t)
    booking = _book(offer, started(t.offering))
    client = client_for(staff(region, Role.COORDINATOR, scope_centre=CentreFactory(region=region)))
    assert client.get(reverse("industriradet:apl_book", args=[offer.pk])).status_code == 404
    assert client.post(reverse("industriradet:apl_cancel", args=[booking.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.COUNCIL_MEMBER, Role.INTAKE_OFFICER, Role.REGION_ADMIN])
def test_apl_pages_are_for_companies_and_coordinators(region, role):
    client = client_for(staff(region, role))
    for url in (OFFERS, NEW_OFFER, PLACES):
        assert client.get(url).status_code == 403
