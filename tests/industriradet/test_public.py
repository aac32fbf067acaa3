"""The open statistics page: figures computed by hand for a small region, small counts shown as
"<5" with complementary suppression so the totals give no hidden count back, one region's page
never showing another's programmes, and no personal data at all."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from admissions.enrolment.models import EnrolmentStatus
from industriradet.models import OutcomeStatus, StudentOutcome
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    OfferingFactory,
    ProgrammeFactory,
)
from tests.industriradet.outcomes_support import FOREIGN_HOST, HOST, days_ago, student

URL = reverse("statistik:index")


def anonymous(host=HOST) -> Client:
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")


def applicant(offering, *more, status="submitted"):
    application = ApplicationFactory(
        region=offering.region, intake_period=offering.intake_period, status=status
    )
    for rank, chosen in enumerate((offering, *more), start=1):
        ChoiceFactory(application=application, offering=chosen, rank=rank)
    return application


def outcome(enrolment, status=OutcomeStatus.EMPLOYED):
    return StudentOutcome.objects.create(
        enrolment=enrolment,
        status=status,
        followed_up_on=days_ago(10),
        ssyk_code="7212" if status == OutcomeStatus.EMPLOYED else "",
    )


@pytest.fixture
def small_region(region):
    """One intake period, HT 2025: welding at Arvika (10 seats) and Hagfors (8), CNC at Arvika
    with two starts (12 + 6 seats)."""
    period = IntakePeriodFactory(
        region=region, code="ht2025", name="HT 2025", starts_on=dt.date(2025, 8, 18)
    )
    arvika = CentreFactory(region=region, name="Arvika")
    hagfors = CentreFactory(region=region, name="Hagfors")
    welding = ProgrammeFactory(region=region, name="Svetsare", name_en="Welder")
    cnc = ProgrammeFactory(region=region, name="CNC-operatör", name_en="CNC operator")
    ends = days_ago(250)

    def offering(programme, centre, seats, starts):
        return OfferingFactory(
            region=region,
            intake_period=period,
            programme=programme,
            centre=centre,
            seats=seats,
            state_funded_seats=0,
            starts_on=starts,
            ends_on=ends,
        )

    first = ends - dt.timedelta(days=300)
    welding_arvika = offering(welding, arvika, 10, first)
    welding_hagfors = offering(welding, hagfors, 8, first)
    cnc_first = offering(cnc, arvika, 12, first)
    cnc_second = offering(cnc, arvika, 6, first + dt.timedelta(days=14))

    # Welding at Arvika: 7 students (6 completed, 1 stopped early) and 5 more applicants = 12;
    # withdrawn and draft applications do not count.
    people = []
    for serial in range(6):
        people.append(student(region, welding_arvika, serial=serial))
    stopped = student(region, welding_arvika, status=EnrolmentStatus.INTERRUPTED, serial=6)
    for _ in range(5):
        applicant(welding_arvika)
    applicant(welding_arvika, status="withdrawn")
    applicant(welding_arvika, status="withdrawn")
    ApplicationFactory(
        region=region, intake_period=period, status="draft", submitted_at=None
    ).choices.create(offering=welding_arvika, rank=1)
    # Followed up: 5 of the completed (4 employed, 1 job-seeking) and the one who stopped
    # (employed).
    for enrolment in people[:4]:
        outcome(enrolment)
    outcome(people[4], OutcomeStatus.JOB_SEEKING)
    outcome(stopped)

    # Welding at Hagfors: 3 students, all completed, 2 followed up and employed.
    hagfors_students = [student(region, welding_hagfors, serial=10 + n) for n in range(3)]
    outcome(hagfors_students[0])
    outcome(hagfors_students[1])

    # CNC at Arvika: 10 completed and 1 studying at the first start; 5 more applicants of the
    # first start (2 of them also chose the second) and 2 of the second only: 18 distinct
    # applications (11 + 5 + 2), although 20 choices.
    cnc_students = [student(region, cnc_first, serial=20 + n) for n in range(10)]
    student(region, cnc_first, status=EnrolmentStatus.STARTED, serial=30)
    for _ in range(3):
        applicant(cnc_first)
    for _ in range(2):
        applicant(cnc_first, cnc_second)
    for _ in range(2):
        applicant(cnc_second)
    # Followed up: 8, of whom 6 employed.
    for enrolment in cnc_students[:6]:
        outcome(enrolment)
    outcome(cnc_students[6], OutcomeStatus.STUDYING)
    outcome(cnc_students[7], OutcomeStatus.UNKNOWN)
    return {"period": period, "students": people + hagfors_students + cnc_students}


def cells(row) -> list[str]:
    return [
        str(row.applicants),
        str(row.applicants_per_seat),
        str(row.completed),
        str(row.followed_up),
        str(row.employed),
        str(row.share_employed),
    ]


def table_rows(html: str, caption_id: str) -> list[list[str]]:
    """The text of each row of the table with that caption, as a reader sees it (hidden text
    for screen readers left out)."""
    table = re.search(rf'<table[^>]*>\s*<caption id="{caption_id}">.*?</table>', html, re.S)
    assert table, caption_id
    body = re.sub(r'<span class="visually-hidden">.*?</span>', "", table.group(0))
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in texts])
    return rows


def test_the_figures_are_computed_and_suppressed_as_by_hand(small_region):
    response = anonymous().get(URL)
    assert response.status_code == 200
    statistics = response.context["statistics"]
    assert statistics.period == small_region["period"]
    names = [(row.programme_name, row.centre_name) for row in statistics.rows]
    assert names == [("CNC-operatör", "Arvika"), ("Svetsare", "Arvika"), ("Svetsare", "Hagfors")]
    cnc, welding_arvika, welding_hagfors = statistics.rows
    assert (cnc.offerings, cnc.seats) == (2, 18)  # two starts: 12 + 6 seats
    # Applicants column: 18, 12, 3 -> 3 is "<5"; alone in its column it could be worked out
    # from the total (33 - 18 - 12), so the smallest other cell, 12, is hidden too (".."). The
    # total 33 is shown: 33 - 18 = 15 is all it gives of the two hidden cells.
    # CNC: 18 applicants / 18 seats = 1.0.
    # Completed: 10, 6, 3 (total 19) -> 3 "<5", 6 "..".
    # Followed up: 8, 6, 2 (total 16) -> 2 "<5", 6 "..".
    # Employed: 6, 5, 2 (total 13) -> 2 "<5", 5 "..". CNC: 6 / 8 = 75 %.
    assert cells(cnc) == ["18", "1.0", "10", "8", "6", "75"]
    assert cells(welding_arvika) == ["..", "..", "..", "..", "..", ".."]
    assert cells(welding_hagfors) == ["<5", "..", "<5", "<5", "<5", ".."]
    total = statistics.total
    # 33 applicants / 36 seats = 0.92; 13 employed / 16 followed up = 81.25 %.
    assert (total.offerings, total.seats) == (4, 36)
    assert cells(total) == ["33", "0.9", "19", "16", "13", "81"]


def test_the_page_shows_less_than_five_and_never_the_hidden_numbers(small_region):
    html = anonymous().get(URL).content.decode()
    applicants = table_rows(html, "applicants-caption")
    assert applicants == [
        ["CNC operator", "Arvika", "2", "18", "18", "1.0"],
        ["Welder", "Arvika", "1", "10", "..", ".."],
        ["Welder", "Hagfors", "1", "8", "<5", ".."],
        ["All courses", "All centres", "4", "36", "33", "0.9"],
    ]
    outcomes = table_rows(html, "outcomes-caption")
    assert outcomes == [
        ["CNC operator", "Arvika", "10", "8", "6", "75 %"],
        ["Welder", "Arvika", "..", "..", "..", ".."],
        ["Welder", "Hagfors", "<5", "<5", "<5", ".."],
        ["All courses", "All centres", "19", "16", "13", "81 %"],
    ]
    # Screen readers hear the hidden cells in words.
    assert "fewer than 5" in html


def test_the_totals_do_not_give_a_hidden_count_back(small_region):
    statistics = anonymous().get(URL).context["statistics"]
    rows = [*statistics.rows]
    for name in ("applicants", "completed", "followed_up", "employed"):
        column = [getattr(row, name) for row in rows]
        total = getattr(statistics.total, name)
        hidden = [cell for cell in column if cell.hidden]
        # Every column with a hidden cell hides at least two, so the total minus the shown
        # cells is the sum of two or more unknowns.
        assert len(hidden) != 1, name
        if hidden and not total.hidden:
            assert total.value - sum(c.value for c in column if not c.hidden) >= 5


def test_the_period_is_chosen_in_the_form(small_region, region):
    # A later period whose applications have not opened is listed, but not the default.
    later = IntakePeriodFactory(region=region, code="ht2027", name="HT 2027")
    OfferingFactory(
        region=region,
        intake_period=later,
        application_opens=timezone.now() + dt.timedelta(days=30),
        application_closes=timezone.now() + dt.timedelta(days=60),
    )
    client = anonymous()
    assert client.get(URL).context["statistics"].period == small_region["period"]
    chosen = client.get(URL, {"period": "ht2027"})
    assert chosen.context["statistics"].period == later
    assert chosen.context["statistics"].rows[0].applicants.value == 0
    assert "No student of this intake period has finished" in chosen.content.decode()
    wrong = client.get(URL, {"period": "vt1999"})
    assert wrong.status_code == 200
    assert wrong.context["statistics"] is None
    assert "There is a problem" in wrong.content.decode()


def test_one_regions_page_never_shows_another_regions_programmes(small_region, foreign_region):
    period = IntakePeriodFactory(region=foreign_region, code="ht2025", name="HT 2025")
    foreign = OfferingFactory(
        region=foreign_region,
        intake_period=period,
        programme=ProgrammeFactory(region=foreign_region, name="Bortprogrammet"),
        centre=CentreFactory(region=foreign_region, name="Bortcentrum"),
    )
    for _ in range(7):
        applicant(foreign)
    home = anonymous().get(URL).content.decode()
    assert "Bortprogrammet" not in home and "Bortcentrum" not in home
    abroad = anonymous(FOREIGN_HOST).get(URL)
    html = abroad.content.decode()
    assert "Bortprogrammet" in html
    assert "Svetsare" not in html and "Welder" not in html and "Arvika" not in html
    assert [row.applicants.value for row in abroad.context["statistics"].rows] == [7]


def test_the_page_carries_no_personal_data(small_region):
    html = Client(HTTP_HOST=HOST).get(URL).content.decode()
    for enrolment in small_region["students"]:
        application = enrolment.application
        for value in (
            application.reference,
            application.personnummer,
            application.masked_personnummer,
            application.first_name + " " + application.last_name,
            application.email,
        ):
            assert value not in html


def test_the_page_is_public_and_in_swedish_by_default(small_region):
    response = Client(HTTP_HOST=HOST).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # The programme's Swedish name, whatever the English one is.
    assert "CNC-operatör" in html


def test_the_figures_take_a_fixed_number_of_queries(small_region, region):
    client = anonymous()
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    period = small_region["period"]
    offering = OfferingFactory(region=region, intake_period=period, seats=5, state_funded_seats=0)
    for _ in range(6):
        student(region, offering)
    with CaptureQueriesContext(connection) as more:
        client.get(URL)
    assert len(more) == len(few)
