"""The centre's enrolment pages: coordinators see and record their own centre's students only;
intake officers and region admins read; forms keep what was typed; the applicant's status page
shows the studies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from accounts.models import AuditEntry, Role
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from admissions.enrolment.services import (
    enrolment_complete,
    enrolment_interrupt,
    enrolment_start,
)
from tests.admissions.enrolment_support import (
    END,
    START,
    admit,
    applicant_client,
    client_of,
    coordinator,
    past_term,
)
from tests.factories import CentreFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(region):
    return CentreFactory(region=region, name="Yrkescenter Hemby")


@pytest.fixture
def term(region, centre):
    """Two courses at the centre; three students accepted on the first, one left the offer
    open; one course at another centre with one accepted student."""
    period, (welding, cnc) = past_term(region, 10, 2, centre=centre)
    welding.programme.name = "Svetsare"
    welding.programme.save(update_fields=["name"])
    _other_period, (elsewhere,) = past_term(region, 2)
    students = admit(region, period, [welding], [welding], [welding])
    students.sort(key=lambda a: (a.last_name, a.first_name, a.pk))
    (undecided,) = admit(region, period, [cnc], answer=None)
    # A name none of the students has, so the test can look for it in the page.
    undecided.last_name = "Obesvaradsson"
    undecided.save(update_fields=["last_name"])
    (far_away,) = admit(region, elsewhere.intake_period, [elsewhere])
    return {
        "welding": welding,
        "cnc": cnc,
        "elsewhere": elsewhere,
        "students": students,
        "undecided": undecided,
        "far_away": far_away,
    }


@pytest.fixture
def client(region, centre):
    return client_of(region, Role.COORDINATOR, scope_centre=centre)


def start(application, on=START):
    user = coordinator(application.region, application.choices.get().offering.centre)
    return enrolment_start(acting_user=user, choice=application.choices.get(), started_on=on)


def offering_url(offering):
    return reverse("admissions:enrolment_offering", args=[offering.pk])


def test_the_index_shows_the_centres_courses_with_their_counts(client, term):
    first, second, _third = term["students"]
    start(first)
    enrolment_interrupt(
        acting_user=None,
        enrolment=start(second),
        ended_on=dt.date(2025, 10, 3),
        reason="work",
    )

    response = client.get(reverse("admissions:enrolment_index"))

    page = response.content.decode()
    assert response.status_code == 200
    assert offering_url(term["welding"]) in page
    assert offering_url(term["cnc"]) in page
    assert offering_url(term["elsewhere"]) not in page
    rows = {
        item.offering: item for group in response.context["periods"] for item in group.offerings
    }
    welding = rows[term["welding"]]
    # Three accepted seats; one studying, one stopped, none completed.
    assert (welding.admitted, welding.studying, welding.stopped, welding.completed) == (3, 1, 1, 0)
    # The open offer is not an admitted student yet.
    assert rows[term["cnc"]].admitted == 0


def test_the_offering_page_lists_the_admitted_students_masked(client, term):
    response = client.get(offering_url(term["welding"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert [row.application for row in response.context["rows"]] == term["students"]
    for application in term["students"]:
        assert application.last_name in page
        assert application.masked_personnummer in page
        assert application.personnummer not in page
        assert application.home_municipality.name in page
        assert reverse("admissions:enrolment_start", args=[application.choices.get().pk]) in page
    assert term["undecided"].last_name not in page
    assert AuditEntry.objects.filter(action="enrolment.list.view").count() == 1


def test_a_student_from_outside_the_agreement_is_marked(region, client, term):
    student = term["students"][0]
    student.home_municipality = MunicipalityFactory(region=region, is_party=False)
    student.save(update_fields=["home_municipality"])

    page = client.get(offering_url(term["welding"])).content.decode()

    assert "outside the agreement" in page


def test_another_centres_offering_and_student_are_404_for_a_coordinator(client, term):
    far_away = term["far_away"]
    enrolment = start(far_away)

    assert client.get(offering_url(term["elsewhere"])).status_code == 404
    start_url = reverse("admissions:enrolment_start", args=[far_away.choices.get().pk])
    assert client.post(start_url, {}).status_code == 404
    for name in ("enrolment_interrupt", "enrolment_complete", "enrolment_correct"):
        url = reverse(f"admissions:{name}", args=[enrolment.pk])
        assert client.post(url, {}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.STARTED


def test_another_regions_offering_is_404(client, foreign_region):
    _period, (foreign,) = past_term(foreign_region, 2)

    assert client.get(offering_url(foreign)).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.COUNCIL_MEMBER, Role.ASSESSOR, Role.RECTOR, Role.COUNSELLOR]
)
def test_other_roles_are_refused(region, term, role):
    scope = {}
    if role in (Role.RECTOR, Role.COUNSELLOR):
        # Even the municipality of the centre's students: their figures are the settlement's.
        scope["scope_municipality"] = term["students"][0].home_municipality
    client = client_of(region, role, **scope)

    assert client.get(reverse("admissions:enrolment_index")).status_code == 403
    assert client.get(offering_url(term["welding"])).status_code == 403


def test_the_intake_office_reads_every_centre_without_forms(region, term):
    client = client_of(region, Role.INTAKE_OFFICER)

    index = client.get(reverse("admissions:enrolment_index")).content.decode()
    response = client.get(offering_url(term["welding"]))

    assert offering_url(term["elsewhere"]) in index
    assert response.status_code == 200
    assert term["students"][0].last_name in response.content.decode()
    assert "<form" not in response.content.decode().split("<main", 1)[1]
    choice = term["students"][0].choices.get()
    assert client.post(reverse("admissions:enrolment_start", args=[choice.pk])).status_code == 403


def test_recording_a_start_redirects_back_with_a_message(client, term):
    student = term["students"][0]
    choice = student.choices.get()
    prefix = f"start-{choice.pk}"

    response = client.post(
        reverse("admissions:enrolment_start", args=[choice.pk]),
        {f"{prefix}-started_on": "2025-08-18"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == offering_url(term["welding"])
    enrolment = Enrolment.objects.get(choice=choice)
    assert (enrolment.started_on, enrolment.recorded_by) == (START, client.user)
    assert f"The start of {student.full_name} is recorded." in response.content.decode()


def test_a_refused_start_keeps_the_date_and_shows_the_error_at_the_field(client, term):
    choice = term["students"][0].choices.get()
    prefix = f"start-{choice.pk}"

    response = client.post(
        reverse("admissions:enrolment_start", args=[choice.pk]),
        {f"{prefix}-started_on": "2999-01-01"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not Enrolment.objects.exists()
    assert "The start date cannot be in the future." in page
    assert 'value="2999-01-01"' in page
    # The error is next to its field (aria-describedby names the error) and in the summary.
    assert f'id="id_{prefix}-started_on_error"' in page
    assert f'href="#id_{prefix}-started_on"' in page


def test_a_start_without_an_accepted_seat_is_refused_with_the_reason_on_top(client, term):
    choice = term["undecided"].choices.get()
    prefix = f"start-{choice.pk}"

    response = client.post(
        reverse("admissions:enrolment_start", args=[choice.pk]),
        {f"{prefix}-started_on": "2025-08-18"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Only a student who has accepted a seat on this course can be started." in page
    assert not Enrolment.objects.exists()


def test_stopping_without_a_reason_keeps_the_input(client, term):
    enrolment = start(term["students"][0])
    prefix = f"interrupt-{enrolment.pk}"

    response = client.post(
        reverse("admissions:enrolment_interrupt", args=[enrolment.pk]),
        {f"{prefix}-ended_on": "2025-10-03", f"{prefix}-reason": "", f"{prefix}-note": "Ny anst"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert 'value="2025-10-03"' in page
    assert "Ny anst</textarea>" in page
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.STARTED


def test_stopping_and_completing_on_the_page(client, term):
    first, second, _third = term["students"]
    stopping, completing = start(first), start(second)

    client.post(
        reverse("admissions:enrolment_interrupt", args=[stopping.pk]),
        {
            f"interrupt-{stopping.pk}-ended_on": "2025-11-14",
            f"interrupt-{stopping.pk}-reason": "other_studies",
        },
    )
    client.post(
        reverse("admissions:enrolment_complete", args=[completing.pk]),
        {f"complete-{completing.pk}-ended_on": END.isoformat()},
    )

    stopping.refresh_from_db()
    completing.refresh_from_db()
    assert (stopping.status, stopping.ended_on) == ("interrupted", dt.date(2025, 11, 14))
    assert stopping.interruption_reason == "other_studies"
    assert (completing.status, completing.ended_on) == ("completed", END)


def test_a_correction_needs_a_reason_and_then_reopens(client, term):
    enrolment = start(term["students"][0])
    enrolment_interrupt(
        acting_user=None, enrolment=enrolment, ended_on=dt.date(2025, 10, 3), reason="absence"
    )
    url = reverse("admissions:enrolment_correct", args=[enrolment.pk])
    data = {"status": "started", "started_on": "2025-08-18", "ended_on": "", "reason": ""}

    form_page = client.get(url)
    refused = client.post(url, data)
    done = client.post(url, {**data, "reason": "Fel elev markerad."})

    assert form_page.status_code == 200
    assert 'value="2025-10-03"' in form_page.content.decode()
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert done.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on) == ("started", None)


def test_the_offering_page_needs_no_query_per_student(
    region, client, term, django_assert_max_num_queries
):
    welding = term["welding"]
    for student in term["students"][:2]:
        start(student)
    with django_assert_max_num_queries(40) as few:
        client.get(offering_url(welding))
    # Five more students, two of them started and one stopped: the same number of queries.
    more = admit(region, welding.intake_period, *[[welding]] * 5)
    # The new round moved nobody; its offers went to the new applications only.
    for student in more[:2]:
        start(student)
    enrolment_interrupt(
        acting_user=None,
        enrolment=Enrolment.objects.get(application=more[0]),
        ended_on=dt.date(2025, 9, 1),
        reason="moved",
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(offering_url(welding))
    assert len(response.context["rows"]) == 8


def test_the_status_page_shows_the_studies(term):
    first, second, third = term["students"]
    start(first)
    enrolment_interrupt(
        acting_user=None, enrolment=start(second), ended_on=dt.date(2025, 10, 3), reason="work"
    )
    enrolment_complete(acting_user=None, enrolment=start(third), ended_on=END)

    pages = [
        applicant_client(application)
        .get(reverse("admissions:application_detail", args=[application.pk]))
        .content.decode()
        for application in (first, second, third)
    ]

    with translation.override("en"):
        started_on = formats.date_format(START, "DATE_FORMAT")
        stopped_on = formats.date_format(dt.date(2025, 10, 3), "DATE_FORMAT")
        completed_on = formats.date_format(END, "DATE_FORMAT")
    assert f"Studying since {started_on}" in pages[0]
    assert f"Stopped early on {stopped_on} (Got a job)" in pages[1]
    assert f"Completed on {completed_on}" in pages[2]


def test_the_status_page_says_nothing_of_studies_before_the_start(term):
    page = (
        applicant_client(term["students"][0])
        .get(reverse("admissions:application_detail", args=[term["students"][0].pk]))
        .content.decode()
    )

    assert "Your studies" not in page
