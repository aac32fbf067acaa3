"""The council's dashboards on the small region of dashboards_support (its docstring lists every
row): hand-computed figures per table, suppression on the page and in the files, scope and
roles, and no person in any response.

Suppression in the expected rows: "<5" is a count of 1-4, ".." a count hidden so the "<5" of its
column cannot be worked out from the column's total."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from admissions.applications import personnummer as pnr
from admissions.enrolment.models import Enrolment, StudyPathCredit
from admissions.funding.settlement import settlement_of
from industriradet.dashboards import Filters, table
from industriradet.dashboards.tables import shown_cells
from industriradet.models import NeedsSurvey
from tests.conftest import need_service
from tests.factories import ApplicationFactory, ChoiceFactory, CourseFactory
from tests.industriradet.dashboards_support import build_small_region
from tests.industriradet.outcomes_support import FOREIGN_HOST, HOST, client_of
from yrkescenter.models import Agreement, EarlyStopRule, Offering, ProgrammeCourse, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(region):
    return build_small_region(region)


@pytest.fixture
def filters(small):
    return Filters(region=small.region, period=small.period, survey=NeedsSurvey.objects.get())


def shown(key, f):
    """The table as printed: [label, *cells] per row, the total last."""
    t = table(key, f)
    rows = [*t.rows, t.total] if t.total else list(t.rows)
    return [[row.label] + [c.text for c in shown_cells(row)] for row in rows]


# --- figures --------------------------------------------------------------------------------


def test_demand_per_occupation(filters):
    assert shown("demand-occupation", filters) == [
        # Needs 12 + 5 = 17. Applicants: A1-A8 (O1) and B1-B6 (O3, O1) = 14. Admitted: A1-A7
        # and B1-B5 accepted = 12. In training: A5, A7, B4, B5 = 4 (<5); the 7223 row's 0
        # cannot reveal it, so the column total (4) is hidden as well. Completed: A1-A4 and
        # B1-B3 = 7. Employed as 7212: A1-A3, B1, B2 = 5.
        ["Svetsare", "17", "14", "12", "<5", "7", "5"],
        # Needs 3. Applicants: A1-A8 (O2 at rank 2) and C1, C2 = 10; nobody admitted to O2.
        ["Maskinställare", "3", "10", "0", "0", "0", "0"],
        # 17 + 3 = 20; 14 + 10 = 24 (an applicant of both occupations counts in each).
        ["Total", "20", "24", "12", "<5", "7", "5"],
    ]


def test_demand_per_municipality(filters):
    assert shown("demand-municipality", filters) == [
        # Needs in Arvika 5 + 3 = 8; B1-B6 live there: 6 applicants, B1-B5 admitted; in
        # training B4, B5 = 2; completed B1-B3 = 3; employed in Arvika B1, B2 = 2.
        ["Arvika", "8", "6", "5", "<5", "<5", "<5"],
        # Needs in Karlstad 12; A1-A8 and C1, C2 = 10 applicants; A1-A7 admitted; in training
        # A5, A7 = 2; completed A1-A4 = 4; employed in Karlstad A1-A3 = 3.
        ["Karlstad", "12", "10", "7", "<5", "<5", "<5"],
        # In training 2 + 2 = 4: the total is small too; completed 3 + 4 = 7 and employed
        # 2 + 3 = 5 are shown, their two cells both hidden.
        ["Total", "20", "16", "12", "<5", "7", "5"],
    ]


def test_applicants_per_seat(filters):
    assert shown("seats", filters) == [
        # O2: A1-A8 (rank 2) and C1, C2 (rank 1): 10 applicants, 2 first choices (<5), 10 / 5
        # seats = 2.0 per seat.
        ["CNC-operatör", "5", "10", "<5", "2.0"],
        # O3: B1-B6, all at rank 1: 6 / 6 = 1.0. Its 6 first choices are hidden ("..") so the
        # 2 above cannot be worked out from the total 16.
        ["Svets och montering", "6", "6", "..", "1.0"],
        # O1: A1-A8 (rank 1) and B1-B6 (rank 2): 14 / 10 = 1.4.
        ["Svets och montering", "10", "14", "8", "1.4"],
        # Seats 5 + 6 + 10 = 21; choices 10 + 6 + 14 = 30; 30 / 21 = 1.43 -> 1.4.
        ["Total", "21", "30", "16", "1.4"],
    ]


def test_applications_over_time(filters):
    assert shown("timeline", filters) == [
        ["Week 9, 2027", "8"],  # A1-A8 on 3 March
        ["Week 10, 2027", ".."],  # B1-B6 on 10 March: 6, hidden to protect week 12
        ["Week 11, 2027", "0"],
        ["Week 12, 2027", "<5"],  # C1, C2 on 24 March
        # Up to the week of the deadline, 15 April.
        ["Week 13, 2027", "0"],
        ["Week 14, 2027", "0"],
        ["Week 15, 2027", "0"],
        ["Total", "16"],  # the draft and the other period's application are not counted
    ]
    t = table("timeline", filters)
    assert "4/15/2027" in t.notes[0]  # the offerings' application deadline


def test_funnel(filters):
    assert shown("funnel", filters) == [
        ["Submitted", "16", "100"],
        ["Eligible", "14", "88"],  # A and B; C1, C2 not eligible. 14 / 16 = 87.5 %
        ["Offered a seat", "13", "81"],  # A1-A7, B1-B6. 13 / 16 = 81.25 %
        ["Accepted", "12", "75"],  # A1-A7, B1-B5
        ["Started", "12", "75"],  # A1-A7 (A6 stopped later), B1-B5
        ["Completed", "7", "44"],  # A1-A4, B1-B3. 7 / 16 = 43.75 %
        ["Employed", "5", "31"],  # A1-A3, B1, B2. 5 / 16 = 31.25 %
    ]


def test_recruitment_channels(filters):
    rows = shown("channels", filters)
    assert rows[0] == ["Arbetsförmedlingen", "8", "7", "<5", "<5", "..", ".."]
    # SFI: 2 applicants (<5); its share of employed is hidden with the count it divides by.
    assert rows[2] == ["SFI", "<5", "0", "0", "0", "–", ".."]
    # Komvux: 6 applicants hidden ("..") so SFI's 2 cannot be worked out from 16.
    assert rows[3] == ["Komvux", "..", "5", "<5", "<5", "..", ".."]
    # 16 applicants; started 7 + 5 = 12; completed 4 + 3 = 7 (58 % of 12); employed 3 + 2 = 5
    # (31 % of 16).
    assert rows[-1] == ["Total", "16", "12", "7", "5", "58", "31"]


def test_grant_places(filters):
    assert shown("grants", filters) == [
        # Granted 10. Planned: O1 6 seats x 800 vp + O2 2 x 400 vp = 5600 vp = 7.00 places.
        # Used: O1's 7 students take its 6 state seats; O2 and O3 have none: 6 students,
        # 6 x 800 vp = 6.00 places, 60 % of 10.
        ["2027 · Industry", "10.00", "7.00", "6", "6.00", "60"],
        ["Total", "10.00", "7.00", "6", "6.00", "60"],
    ]


def _stop_early_pro_rata_and_credit(small):
    """An agreement charging early stops pro rata; O1 made 300 days long; A6 (state seat)
    stopped after 135 of them; A2 (state seat) had a 200 vp course of the programme credited
    by validation."""
    Agreement.objects.create(
        region=small.region,
        name="Samverkansavtal 2027",
        valid_from=dt.date(2027, 1, 1),
        early_stop_rule=EarlyStopRule.PRO_RATA,
    )
    start = small.o1.starts_on
    Offering.objects.filter(pk=small.o1.pk).update(ends_on=start + dt.timedelta(days=300))
    Enrolment.objects.filter(application=small.applications["A6"]).update(
        ended_on=start + dt.timedelta(days=135)
    )
    course = CourseFactory(region=small.region, code="SVESVE0", points=200)
    ProgrammeCourse.objects.create(programme=small.o1.programme, course=course, position=1)
    StudyPathCredit.objects.create(
        application=small.applications["A2"],
        course=course,
        vp=200,
        source_reference="VAL-2027-0001",
    )


def test_grant_places_count_early_stops_and_credits_as_the_settlement_does(small, filters):
    _stop_early_pro_rata_and_credit(small)

    rows = shown("grants", filters)
    assert rows == [
        # O1's 6 state seats go to A1-A6 (all start on 16 August; in id order); A7 pays on a
        # municipal seat. A1, A3, A4, A5: 4 x 800 vp = 4.00 places. A2: 800 - 200 credited
        # = 600 vp = 0.75 place. A6 stopped after 135 of 300 days: 800 x 0.45 = 360 vp
        # = 0.45 place. 4.00 + 0.75 + 0.45 = 5.20 places, 52 % of 10. Still 6 students;
        # planned unchanged (7.00).
        ["2027 · Industry", "10.00", "7.00", "6", "5.20", "52"],
        ["Total", "10.00", "7.00", "6", "5.20", "52"],
    ]
    # The settlement of the same grant year says the same: HT 2027's offerings are all of
    # 2027's state seats (VT 2027's offering has none).
    (year,) = settlement_of(small.period).grant_years
    assert (year.year, year.sector) == (2027, Sector.INDUSTRY)
    assert year.year_to_date.state_students == 6
    assert year.year_to_date.state_places == Decimal("5.20")
    # Over every period the table is the settlement's year to date by construction.
    every = Filters(region=small.region, survey=filters.survey)
    assert shown("grants", every)[0] == rows[0]
    assert "follow the cost settlement" in table("grants", filters).notes[0]


def test_grant_places_follow_the_filters_offerings(small, filters):
    _stop_early_pro_rata_and_credit(small)
    arvika = Filters(
        region=small.region, period=small.period, survey=filters.survey, centre=small.o3.centre
    )
    # O3 at Arvika has no state-funded seat: nobody uses one there; O1's students are not
    # counted for it.
    assert shown("grants", arvika) == [
        ["2027 · Industry", "10.00", "0.00", "0", "0.00", "0"],
        ["Total", "10.00", "0.00", "0", "0.00", "0"],
    ]


def test_apl_risk(filters):
    assert shown("apl", filters) == [
        # CNC: 3 places, nobody admitted.
        ["CNC-operatör", "3", "0", "0", "0", "No"],
        # Svets: 8 places; admitted now (industriradet.selectors.apl.apl_balance): studying
        # A5, A7, B4, B5 = 4 (every accepted seat has started), shown "<5"; with 8 places
        # four cannot outnumber them, so "No" tells nothing more. Booked A1, A2 = 2 (<5); the
        # shortfall is hidden with the count it comes from.
        ["Svets och montering", "8", "<5", "<5", "..", "No"],
        # 3 + 8 = 11 places; 0 + 4 admitted and 0 + 2 booked, both small.
        ["Total", "11", "<5", "<5", "", ""],
    ]


def test_apl_risk_flags_more_students_than_places(small, filters):
    # Five more students of O1 studying now: 4 + 5 = 9 admitted against 8 places.
    for n in range(5):
        application = ApplicationFactory(
            region=small.region,
            intake_period=small.period,
            reference=f"TE-2027-X{n}",
            personnummer=pnr.build(dt.date(1991, 1, 1), 300 + n),
        )
        choice = ChoiceFactory(application=application, offering=small.o1, rank=1)
        Enrolment.objects.create(
            application=application,
            choice=choice,
            offering=small.o1,
            started_on=small.o1.starts_on,
        )
    assert shown("apl", filters)[1] == ["Svets och montering", "8", "9", "<5", "1", "Yes"]


def test_a_centre_narrows_every_count(small, filters):
    arvika = Filters(
        region=filters.region,
        period=filters.period,
        survey=filters.survey,
        centre=small.o3.centre,
    )
    # Only B1-B6 chose O3 at Yrkescenter Arvika; each counts once, with their own stages.
    assert shown("funnel", arvika)[:3] == [
        ["Submitted", "6", "100"],
        ["Eligible", "6", "100"],
        ["Offered a seat", "6", "100"],
    ]
    assert [row[0] for row in shown("seats", arvika)] == ["Svets och montering", "Total"]


# --- pages and files ---------------------------------------------------------------------------


def test_council_member_sees_a_dashboard_with_the_filters_kept(small):
    client = client_of(small.region, Role.COUNCIL_MEMBER)
    url = reverse("industriradet:dashboard", args=["channels"])
    response = client.get(url, {"period": small.period.pk, "centre": small.o1.centre.pk})
    assert response.status_code == 200
    body = response.content.decode()
    # The centre stays chosen in the form.
    assert f'<option value="{small.o1.centre.pk}" selected>' in body
    assert "&lt;5" in body
    # Each chart's data is embedded as JSON, a hidden count as null.
    assert 'id="chart-channels" type="application/json"' in body
    assert "<script>" not in body.replace('<script id="chart-channels"', "")


def test_every_dashboard_page_answers_for_both_reader_roles(small):
    for role in (Role.COUNCIL_MEMBER, Role.REGION_ADMIN):
        client = client_of(small.region, role)
        assert client.get(reverse("industriradet:dashboards")).status_code == 200
        for slug in ("demand", "seats", "timeline", "funnel", "channels", "grants", "apl"):
            response = client.get(reverse("industriradet:dashboard", args=[slug]))
            assert response.status_code == 200, (role, slug)
    assert client.get(reverse("industriradet:dashboard", args=["nothing"])).status_code == 404


def test_other_roles_get_403(small):
    for role in Role:
        if role in (Role.COUNCIL_MEMBER, Role.REGION_ADMIN):
            continue
        scope = {}
        if role in (Role.RECTOR, Role.COUNSELLOR):
            scope["scope_municipality"] = small.karlstad
        if role == Role.COORDINATOR:
            scope["scope_centre"] = small.o1.centre
        client = client_of(small.region, role, **scope)
        assert client.get(reverse("industriradet:dashboard", args=["funnel"])).status_code == 403
        assert client.get(reverse("industriradet:dashboard_report")).status_code == 403


def test_a_council_member_of_another_region_sees_only_their_own(small, foreign_region):
    abroad = client_of(foreign_region, Role.COUNCIL_MEMBER, host=FOREIGN_HOST)
    # On the home region's host they have no role at all.
    home_view = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    home_view.force_login(abroad.user)
    assert home_view.get(reverse("industriradet:dashboard", args=["funnel"])).status_code == 403
    # In their own region, the home region's rows are not counted...
    response = abroad.get(reverse("industriradet:dashboard", args=["funnel"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Svets och montering" not in body and "Karlstad" not in body
    # ...and the home region's centre is not a choice they can make.
    response = abroad.get(
        reverse("industriradet:dashboard", args=["funnel"]), {"centre": small.o1.centre.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    export = abroad.get(
        reverse("industriradet:dashboard_export", args=["seats", "csv"]),
        {"centre": small.o1.centre.pk},
    )
    assert export.status_code == 400


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_is_suppressed_like_the_page(small):
    client = client_of(small.region, Role.COUNCIL_MEMBER)
    response = client.get(
        reverse("industriradet:dashboard_export", args=["channels", "csv"]),
        {"period": small.period.pk},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="industriradet-channels-ht2027.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0][0] == "Channel"
    by_channel = {row[0]: row[1:] for row in rows[1:]}
    # Hidden counts are their labels; the numbers behind them (AF completed 4, employed 3;
    # SFI 2 applicants; Komvux 6 applicants, 3 completed, 2 employed) are nowhere in the row.
    assert by_channel["Arbetsförmedlingen"] == ["8", "7", "<5", "<5", "..", ".."]
    assert by_channel["SFI"] == ["<5", "0", "0", "0", "", ".."]
    assert by_channel["Komvux"] == ["..", "5", "<5", "<5", "..", ".."]
    assert by_channel["Total"] == ["16", "12", "7", "5", "58", "31"]


def test_xlsx_export_is_suppressed_like_the_page(small):
    client = client_of(small.region, Role.REGION_ADMIN)
    response = client.get(
        reverse("industriradet:dashboard_export", args=["seats", "xlsx"]),
        {"period": small.period.pk},
    )
    assert response.status_code == 200
    assert 'filename="industriradet-seats-ht2027.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Programme",
        "Centre",
        "Seats",
        "Applicants",
        "First-choice applicants",
        "Applicants per seat",
    ]
    # Numbers stay numbers; hidden counts are text.
    assert rows[1][:5] == ["CNC-operatör", "Yrkescenter Karlstad", 5, 10, "<5"]
    assert rows[2][4] == ".."
    about = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert any("<5" in (value or "") for value in about)


def test_exports_keep_the_page_defaults(small):
    """Without filters, a file shows what the page shows first: the latest period with
    applications (HT 2027) and the latest survey."""
    client = client_of(small.region, Role.COUNCIL_MEMBER)
    response = client.get(reverse("industriradet:dashboard_export", args=["funnel", "csv"]))
    assert "industriradet-funnel-ht2027.csv" in response["Content-Disposition"]
    assert _csv_rows(response)[1] == ["Submitted", "16", "100"]
    response = client.get(
        reverse("industriradet:dashboard_export", args=["funnel", "csv"]), {"period": ""}
    )
    # Every period: V1 of VT 2027 counts too.
    assert "industriradet-funnel-alla.csv" in response["Content-Disposition"]
    assert _csv_rows(response)[1] == ["Submitted", "17", "100"]
    assert (
        client.get(reverse("industriradet:dashboard_export", args=["funnel", "pdf"])).status_code
        == 404
    )


def test_no_person_in_any_page_or_file(small):
    client = client_of(small.region, Role.REGION_ADMIN)
    names = set()
    for application in small.applications.values():
        names |= {
            application.first_name,
            application.last_name,
            application.personnummer,
            application.reference,
            application.email,
        }
    names.discard("")
    responses = [client.get(reverse("industriradet:dashboards"))]
    for slug in ("demand", "seats", "timeline", "funnel", "channels", "grants", "apl"):
        responses.append(client.get(reverse("industriradet:dashboard", args=[slug])))
    for key in (
        "demand-occupation",
        "demand-municipality",
        "seats",
        "timeline",
        "funnel",
        "channels",
        "grants",
        "apl",
    ):
        responses.append(client.get(reverse("industriradet:dashboard_export", args=[key, "csv"])))
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        found = [name for name in names if name in body]
        assert not found, (response.request["PATH_INFO"], found)


def test_the_pdf_report_has_the_title_filters_and_figures(small, tmp_path):
    if not shutil.which("pdftotext"):
        need_service("pdftotext (poppler-utils) is needed")
    client = client_of(small.region, Role.COUNCIL_MEMBER)
    response = client.get(
        reverse("industriradet:dashboard_report"),
        {"period": small.period.pk, "survey": NeedsSurvey.objects.get().pk},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="industriradet-rapport-ht2027.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    assert "Industry council report – Hemland" in text
    assert "HT 2027" in text  # the filters are stated
    assert "From application to job" in text
    # The funnel's submitted row (16, 100 %) and the hidden label of a small count.
    assert any("Submitted" in line and "16" in line and "100" in line for line in text.splitlines())
    assert "<5" in text
    for application in small.applications.values():
        assert application.last_name not in text
