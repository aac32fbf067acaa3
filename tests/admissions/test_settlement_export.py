"""The settlement's exports carry the same figures as the pages: the CSV parsed back, the XLSX
opened with openpyxl. Figures are those of settlement_support.py."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditEntry, Role
from tests.admissions.intake_support import staff_client
from tests.admissions.settlement_support import small_region

D = Decimal


@pytest.fixture
def world(region):
    return small_region(region)


def _export(client, world, file_format):
    return client.post(reverse("admissions:settlement_export", args=[world.period.pk, file_format]))


def _csv_rows(response) -> list[dict]:
    content = response.content
    assert content.startswith("\ufeff".encode())  # the BOM Swedish Excel needs for UTF-8
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _kronor(value: str) -> Decimal:
    return D(value.replace(",", "."))  # the decimal comma


def _assert_no_personnummer(world, content: str):
    for enrolment in world.students.values():
        number = enrolment.application.personnummer
        assert number not in content and number[2:] not in content


def test_the_csv_has_one_row_per_student_with_the_figures_of_the_page(world, region):
    client = staff_client(region, role=Role.REGION_ADMIN)
    response = _export(client, world, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="avrakning-ht2026.csv"'
    rows = _csv_rows(response)
    by_reference = {row["Reference"]: row for row in rows}
    assert sorted(by_reference) == [f"HEM-S{n}" for n in range(1, 8)]
    s6 = by_reference["HEM-S6"]
    # 400 x 10 / 144 = 27.7778 vp = 1.3889 weeks x 1 500 = 2 083.33
    assert (s6["Home municipality code"], s6["Host municipality code"]) == ("1715", "1784")
    assert s6["Funding"] == "Municipal seat"
    assert s6["vp charged"] == "27,7778"
    assert s6["Quantity"] == "1,3889"
    assert s6["Unit"] == "per full-time week (20 vp)"
    assert s6["Unit price (SEK)"] == "1500,00"
    assert s6["Amount (SEK)"] == "2083,33"
    assert s6["Rule"] == "pro rata 10/144 days of 400 vp"
    assert s6["Name"] == world.application("s6").full_name
    assert by_reference["HEM-S1"]["Funding"] == "Outside the agreement"
    assert by_reference["HEM-S2"]["Unit"] == "per årsstudieplats (800 vp)"
    # The same sums as the matrix: municipalities pay 146 083.33, the grant 89 375.
    payable = sum(
        _kronor(row["Amount (SEK)"]) for row in rows if row["Funding"] != "State-funded seat"
    )
    state = sum(
        _kronor(row["Amount (SEK)"]) for row in rows if row["Funding"] == "State-funded seat"
    )
    assert (payable, state) == (D("146083.33"), D("89375.00"))
    _assert_no_personnummer(world, response.content.decode("utf-8-sig"))


def test_the_xlsx_holds_the_lines_and_the_matrix(world, region):
    client = staff_client(region, role=Role.REGION_ADMIN)
    response = _export(client, world, "xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="avrakning-ht2026.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Students", "Matrix"]
    assert workbook["Students"].freeze_panes == "A2"  # the header row stays in view
    assert workbook["Students"]["A1"].font.bold
    students = list(workbook["Students"].iter_rows(values_only=True))
    header, lines = students[0], students[1:]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in lines}
    assert len(rows) == 7
    assert D(str(rows["HEM-S6"]["Amount (SEK)"])) == D("2083.33")
    assert D(str(rows["HEM-S3"]["Amount (SEK)"])) == D("18000")  # 45/120 x 800 = 300 vp x 60
    assert D(str(rows["HEM-S5"]["Amount (SEK)"])) == D("9375")
    assert rows["HEM-S5"]["Funding"] == "State-funded seat"

    matrix = list(workbook["Matrix"].iter_rows(values_only=True))
    # The first block: amounts paid, homes in rows and hosts in columns, totals last.
    assert matrix[0][0] == "Amounts paid by the home municipality to the host municipality (SEK)"
    assert matrix[1][1:] == ("Arvika (1784)", "Karlstad (1780)", "Total")
    amounts = {row[0]: [D(str(v)) for v in row[1:]] for row in matrix[2:7]}
    assert amounts == {
        "Arvika (1784)": [D(0), D(0), D(0)],
        "Karlstad (1780)": [D("30000"), D("18000"), D("48000")],
        "Kil (1715)": [D("2083.33"), D("48000"), D("50083.33")],
        "Örebro (1880)": [D(0), D("48000"), D("48000")],
        "Total": [D("32083.33"), D("114000"), D("146083.33")],
    }
    _assert_no_personnummer(world, str(students) + str(matrix))


def test_a_rectors_export_holds_only_lines_their_municipality_pays_or_hosts(world, region):
    client = staff_client(region, role=Role.RECTOR, scope_municipality=world.kil)

    csv_response = _export(client, world, "csv")
    assert csv_response["Content-Disposition"] == 'attachment; filename="avrakning-ht2026-1715.csv"'
    references = sorted(row["Reference"] for row in _csv_rows(csv_response))
    assert references == ["HEM-S2", "HEM-S4", "HEM-S6"]  # Kil's residents; Kil hosts nobody

    workbook = openpyxl.load_workbook(io.BytesIO(_export(client, world, "xlsx").content))
    assert workbook["Students"].max_row == 4  # the header and three lines
    matrix = list(workbook["Matrix"].iter_rows(values_only=True))
    # Kil pays Arvika and Karlstad and hosts nobody: its row, the columns it pays into, and the
    # region's total; the columns' totals (Arvika's, Karlstad's) are not shown.
    assert matrix[1][1:] == ("Arvika (1784)", "Karlstad (1780)", "Total")
    kil, total = matrix[2], matrix[3]
    assert kil[0] == "Kil (1715)"
    assert [D(str(v)) for v in kil[1:]] == [D("2083.33"), D("48000"), D("50083.33")]
    assert total[:3] == ("Total", "not shown", "not shown")
    assert D(str(total[3])) == D("146083.33")
    assert matrix[-1][0] == "Cells not shown, together (SEK)"
    assert D(str(matrix[-1][1])) == D("96000")  # s1 48 000 + s3 18 000 + s7 30 000


def test_an_export_is_a_post_and_is_recorded(world, region):
    client = staff_client(region, role=Role.REGION_ADMIN)
    url = reverse("admissions:settlement_export", args=[world.period.pk, "csv"])

    assert client.get(url).status_code == 405
    assert not AuditEntry.objects.filter(action="settlement.export").exists()

    client.post(url)
    entry = AuditEntry.objects.get(action="settlement.export")
    assert entry.user == client.user
    assert entry.data == {"format": "csv", "rows": 7, "municipality": ""}
    assert entry.object_id == str(world.period.pk)


def test_an_unknown_format_is_a_404(world, region):
    client = staff_client(region, role=Role.REGION_ADMIN)
    url = reverse("admissions:settlement_export", args=[world.period.pk, "pdf"])
    assert client.post(url).status_code == 404


def test_a_name_that_looks_like_a_formula_is_made_inert(world, region):
    application = world.application("s4")
    application.first_name = "=HYPERLINK(1)"
    application.save(update_fields=["first_name"])
    client = staff_client(region, role=Role.REGION_ADMIN)

    rows = {row["Reference"]: row for row in _csv_rows(_export(client, world, "csv"))}

    assert rows["HEM-S4"]["Name"].startswith("'=HYPERLINK(1)")
