"""The centre's pages: the queue with its filters, opening cases, the case page's steps, the
calendar, and who may see them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.applications import personnummer as pnr
from admissions.enrolment.models import StudyPathCredit
from tests.factories import CentreFactory
from tests.validation import cases_support as support
from validation import services
from validation.models import (
    Appointment,
    AreaResult,
    CaseSource,
    CaseStatus,
    Method,
    Outcome,
    SignOff,
    ValidationCase,
)

QUEUE = reverse("validation:case_queue")


@pytest.fixture
def welding(region):
    return support.standard(region, four_eyes=True)


@pytest.fixture
def assessor(region):
    return support.assessor(region)


@pytest.fixture
def client(assessor):
    return support.client_for(assessor)


def _detail(case):
    return reverse("validation:case_detail", kwargs={"pk": case.pk})


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_open_cases_with_masked_numbers(region, welding, client):
    number = pnr.build(dt.date(1979, 3, 2), 123)
    case = support.direct_case(region, welding, personnummer=number)
    response = client.get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    assert pnr.mask(number) in page
    assert number not in page


def test_the_queue_filters_by_status_standard_source_and_assessor(
    region, welding, assessor, client
):
    cnc = support.standard(region, code="cnc")
    mine = support.direct_case(region, welding, first_name="Mina")
    services.case_assign(acting_user=assessor, case=mine, assessor=assessor)
    theirs = support.direct_case(
        region, cnc, source=CaseSource.EMPLOYER, referrer="Volvo CE", first_name="Deras"
    )
    closed = support.direct_case(region, welding, first_name="Stängd")
    services.case_close(acting_user=assessor, case=closed, reason="Flyttade.")

    def listed(**params):
        page = client.get(QUEUE, params).content.decode()
        return {c.reference for c in (mine, theirs, closed) if f">{c.reference}<" in page}

    assert listed() == {mine.reference, theirs.reference}
    assert listed(status=CaseStatus.CLOSED) == {closed.reference}
    assert listed(standard=cnc.pk) == {theirs.reference}
    assert listed(source=CaseSource.EMPLOYER) == {theirs.reference}
    assert listed(assessor="mine") == {mine.reference}
    assert listed(assessor=str(assessor.pk)) == {mine.reference}


def test_the_queue_searches_names_and_references_by_token_not_identity_numbers(
    region, welding, client
):
    number = pnr.build(dt.date(1979, 3, 2), 123)
    amira = support.direct_case(region, welding, first_name="Amira", personnummer=number)
    other = support.direct_case(region, welding, first_name="Bengt", last_name="Ek")
    response = client.post(QUEUE, {"q": "amira"})
    assert response.status_code == 302
    assert "amira" not in response.url.lower()
    page = client.get(response.url).content.decode()
    assert amira.reference in page and other.reference not in page
    page = client.get(client.post(QUEUE, {"q": other.reference}).url).content.decode()
    assert other.reference in page and amira.reference not in page
    # An identity number matches nothing here and never reaches the URL.
    response = client.post(QUEUE, {"q": number})
    assert number not in response.url
    page = client.get(response.url).content.decode()
    assert amira.reference not in page


def test_the_queue_lists_applications_asking_for_validation_without_a_case(
    region, welding, client, assessor
):
    waiting = support.application(region)
    done = support.application(region)
    services.case_open_from_application(acting_user=assessor, application=done, standard=welding)
    support.application(region, validation_requested=False)
    page = client.get(QUEUE).content.decode()
    section = page.split('id="awaiting"')[1]
    assert waiting.reference in section
    assert done.reference not in section


def test_the_queue_pages_and_does_not_query_per_row(region, welding, client):
    for _ in range(3):
        support.direct_case(region, welding)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for _ in range(30):
        support.direct_case(region, welding)
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert len(many) == len(few)
    assert "Page 1 of 2" in response.content.decode()


# --- opening ---------------------------------------------------------------------------------


def test_opening_a_direct_case_from_the_form(region, welding, client):
    response = client.post(
        reverse("validation:case_new"),
        {
            "standard": welding.pk,
            "source": CaseSource.EMPLOYER,
            "referrer": "Stora Enso Skoghall",
            "first_name": "Lena",
            "last_name": "Berg",
            "personnummer": "",
            "language": "sv",
        },
    )
    case = ValidationCase.objects.get()
    assert response.status_code == 302 and response.url == _detail(case)
    assert (case.source, case.referrer, case.opened_by) == (
        CaseSource.EMPLOYER,
        "Stora Enso Skoghall",
        client.user,
    )


def test_the_open_form_keeps_input_and_shows_errors_by_the_fields(region, welding, client):
    response = client.post(
        reverse("validation:case_new"),
        {
            "standard": welding.pk,
            "source": CaseSource.ARBETSFORMEDLINGEN,
            "referrer": "",
            "first_name": "Lena",
            "last_name": "Berg",
            "personnummer": "19790302-1235",
            "language": "sv",
            "description": "Svetsat i Gdansk",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_referrer_error"' in page
    assert 'id="id_personnummer_error"' in page
    assert "The check digit does not match" in page
    assert 'value="Lena"' in page and "Svetsat i Gdansk" in page
    assert not ValidationCase.objects.exists()


def test_opening_a_case_from_an_application(region, welding, client):
    application = support.application(region)
    url = reverse("validation:case_open_from_application", kwargs={"pk": application.pk})
    response = client.post(url, {"standard": welding.pk})
    case = ValidationCase.objects.get()
    assert response.url == _detail(case)
    assert case.application == application and case.source == CaseSource.APPLICATION
    # Without a standard nothing opens.
    other = support.application(region)
    url = reverse("validation:case_open_from_application", kwargs={"pk": other.pk})
    assert client.post(url, {}).status_code == 302
    assert ValidationCase.objects.count() == 1


def test_an_application_without_a_request_cannot_be_opened(region, welding, client):
    application = support.application(region, validation_requested=False)
    url = reverse("validation:case_open_from_application", kwargs={"pk": application.pk})
    assert client.post(url, {"standard": welding.pk}).status_code == 404


# --- the case page ---------------------------------------------------------------------------


def test_the_case_page_walks_through_mapping_booking_results_and_decision(
    region, welding, assessor, client
):
    second = support.assessor(region)
    case = support.direct_case(region, welding, by=assessor)
    areas = list(welding.areas.order_by("position"))
    response = client.post(
        reverse("validation:case_map", kwargs={"pk": case.pk}),
        {"map-areas": [str(a.pk) for a in areas], f"map-note_{areas[0].pk}": "Tio år i yrket."},
    )
    assert response.status_code == 302
    day = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        reverse("validation:appointment_book", kwargs={"pk": case.pk}),
        {
            "book-date": day.isoformat(),
            "book-starts": "09:00",
            "book-ends": "12:00",
            "book-place": "Svetshallen",
            "book-method": Method.PRACTICAL_CENTRE,
            "book-assessor": assessor.pk,
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get().assessor == assessor
    case_areas = list(case.areas.order_by("area__position"))
    for case_area in case_areas:
        response = client.post(
            reverse("validation:result_record", kwargs={"pk": case_area.pk}),
            {
                f"area-{case_area.pk}-outcome": Outcome.VALIDATED,
                f"area-{case_area.pk}-evidence": "Provsvetsning godkänd.",
                f"area-{case_area.pk}-method": Method.PRACTICAL_CENTRE,
            },
        )
        assert response.status_code == 302
    page = client.get(_detail(case)).content.decode()
    assert "Waiting for a second assessor" in page
    # The own assessor gets no sign-off form, and deciding is refused with the reason.
    assert "Sign off as second assessor" not in page
    response = client.post(reverse("validation:case_decide", kwargs={"pk": case.pk}))
    assert response.status_code == 400
    assert "need a second assessor" in response.content.decode()

    other = support.client_for(second)
    for result in AreaResult.objects.all():
        assert "Sign off as second assessor" in other.get(_detail(case)).content.decode()
        response = other.post(
            reverse("validation:result_sign_off", kwargs={"pk": result.pk}),
            {f"sign-{result.pk}-note": "Granskat."},
        )
        assert response.status_code == 302
    assert SignOff.objects.count() == 2
    response = other.post(reverse("validation:case_decide", kwargs={"pk": case.pk}))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_a_result_form_keeps_input_and_shows_the_error_by_the_field(
    region, welding, assessor, client
):
    case = support.mapped_case(region, welding, by=assessor)
    case_area = case.areas.get(area__code="mig")
    response = client.post(
        reverse("validation:result_record", kwargs={"pk": case_area.pk}),
        {
            f"area-{case_area.pk}-outcome": Outcome.PARTLY,
            f"area-{case_area.pk}-evidence": "Kälsvets godkänd",
            f"area-{case_area.pk}-method": Method.INTERVIEW,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_area-{case_area.pk}-credited_courses_error"' in page
    assert "Kälsvets godkänd" in page
    assert f'value="{Method.INTERVIEW}" selected' in page
    assert not AreaResult.objects.exists()


def test_a_correction_through_the_page_withdraws_a_credit(region, assessor, client):
    plain = support.standard(region, code="cnc")
    case = support.application_case(region, plain, by=assessor)
    case = services.case_map(acting_user=assessor, case=case, areas=plain.areas.all())
    results = support.record_all(case, assessor)
    services.case_decide(acting_user=assessor, case=case)
    result = results[0]
    response = client.post(
        reverse("validation:result_correct", kwargs={"pk": result.pk}),
        {
            f"correct-{result.pk}-outcome": Outcome.NOT_VALIDATED,
            f"correct-{result.pk}-evidence": "Omprov underkänt.",
            f"correct-{result.pk}-method": Method.PRACTICAL_CENTRE,
            f"correct-{result.pk}-reason": "Fel mall.",
        },
    )
    assert response.status_code == 302
    assert AreaResult.objects.filter(replaces=result).exists()
    assert StudyPathCredit.objects.filter(withdrawn_at__isnull=False).count() == 1
    page = client.get(_detail(case)).content.decode()
    assert "replaced" in page and "Fel mall." in page


def test_a_double_booking_shows_the_clash_next_to_the_assessor(region, welding, assessor, client):
    case = support.mapped_case(region, welding, by=assessor)
    other = support.mapped_case(region, welding, by=assessor)
    services.appointment_book(
        acting_user=assessor,
        case=other,
        starts_at=support.at(7, 9),
        ends_at=support.at(7, 12),
        place="Hall 1",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )
    response = client.post(
        reverse("validation:appointment_book", kwargs={"pk": case.pk}),
        {
            "book-date": support.at(7).date().isoformat(),
            "book-starts": "10:00",
            "book-ends": "11:00",
            "book-place": "Hall 2",
            "book-method": Method.PRACTICAL_CENTRE,
            "book-assessor": assessor.pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_book-assessor_error"' in page and other.reference in page
    assert 'value="Hall 2"' in page


def test_cancelling_and_closing_from_the_page(region, welding, assessor, client):
    case = support.mapped_case(region, welding, by=assessor)
    appointment = services.appointment_book(
        acting_user=assessor,
        case=case,
        starts_at=support.at(7, 9),
        ends_at=support.at(7, 12),
        place="Hall 1",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )
    client.post(
        reverse("validation:appointment_cancel", kwargs={"pk": appointment.pk}), {"reason": "Sjuk"}
    )
    appointment.refresh_from_db()
    assert appointment.cancelled_at is not None
    response = client.post(reverse("validation:case_close", kwargs={"pk": case.pk}), {})
    assert response.status_code == 400
    response = client.post(
        reverse("validation:case_close", kwargs={"pk": case.pk}), {"close-reason": "Fick jobb."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_viewing_a_case_is_logged_and_its_queries_do_not_grow_with_areas(region, assessor, client):
    small = support.standard(region, code="liten", areas=(("a", 1),))
    large = support.standard(region, code="stor", areas=tuple((f"a{n}", 2) for n in range(6)))
    counts = []
    for standard in (small, large):
        case = support.mapped_case(region, standard, by=assessor)
        support.record_all(case, assessor)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_detail(case)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert AuditEntry.objects.filter(action="validation_case.view").count() == 2


# --- scope -----------------------------------------------------------------------------------


def test_a_case_of_another_region_is_a_404(region, foreign_region, client):
    case = support.direct_case(foreign_region, support.standard(foreign_region))
    assert client.get(_detail(case)).status_code == 404
    assert client.post(reverse("validation:case_decide", kwargs={"pk": case.pk})).status_code == (
        404
    )


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.APPLICANT, Role.COUNCIL_MEMBER, Role.INTAKE_OFFICER]
)
def test_other_roles_get_403(region, welding, role):
    scope = {"scope_centre": CentreFactory(region=region)} if role == Role.COORDINATOR else {}
    client = support.client_for(support.member(region, role, **scope))
    case = support.direct_case(region, welding)
    for url in (QUEUE, _detail(case), reverse("validation:calendar")):
        assert client.get(url).status_code == 403


def test_a_region_admin_runs_cases_but_records_no_results(region, welding):
    admin = support.client_for(support.member(region, Role.REGION_ADMIN))
    case = support.mapped_case(region, welding)
    page = admin.get(_detail(case)).content.decode()
    assert "Book an appointment" in page
    assert "Record the result" not in page
    case_area = case.areas.first()
    url = reverse("validation:result_record", kwargs={"pk": case_area.pk})
    assert admin.post(url, {}).status_code == 403


# --- the calendar ----------------------------------------------------------------------------


def test_the_calendar_shows_the_assessors_week_and_moves_between_weeks(
    region, welding, assessor, client
):
    case = support.mapped_case(region, welding, by=assessor)
    start = support.at(14, 9)
    services.appointment_book(
        acting_user=assessor,
        case=case,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Hall 7",
        method=Method.PRACTICAL_CENTRE,
        assessor=assessor,
    )
    someone_else = support.assessor(region)
    services.appointment_book(
        acting_user=assessor,
        case=support.mapped_case(region, welding, by=assessor),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Hall 9",
        method=Method.PRACTICAL_CENTRE,
        assessor=someone_else,
    )
    url = reverse("validation:calendar")
    this_week = client.get(url).content.decode()
    assert "Hall 7" not in this_week
    page = client.get(url, {"week": start.date().isoformat()}).content.decode()
    assert "Hall 7" in page and case.reference in page
    # Assessors see their own calendar only, whatever they ask for.
    assert (
        "Hall 9"
        not in client.get(
            url, {"week": start.date().isoformat(), "assessor": someone_else.pk}
        ).content.decode()
    )
    monday = start.date() - dt.timedelta(days=start.date().weekday())
    assert f"week={(monday + dt.timedelta(days=7)).isoformat()}" in page
    assert f"week={(monday - dt.timedelta(days=7)).isoformat()}" in page


def test_a_region_admin_picks_the_assessor_in_the_calendar(region, welding, assessor):
    start = support.at(3, 13)
    services.appointment_book(
        acting_user=assessor,
        case=support.mapped_case(region, welding, by=assessor),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place="Verkstaden i Hagfors",
        method=Method.PRACTICAL_WORKPLACE,
        assessor=assessor,
    )
    admin = support.client_for(support.member(region, Role.REGION_ADMIN))
    support.assessor(region)
    page = admin.get(
        reverse("validation:calendar"),
        {"week": start.date().isoformat(), "assessor": assessor.pk},
    ).content.decode()
    assert "Verkstaden i Hagfors" in page
