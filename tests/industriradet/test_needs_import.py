"""Importing a cluster's own needs survey as CSV or XLSX: a dry run with a report of every row
(OK, or its problems per column), then an all-or-nothing import on the companies' behalf."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry, Role
from industriradet.models import Company, CompetenceNeed, Horizon, Level
from industriradet.services import needs as services
from industriradet.services import needs_file
from tests.industriradet.members_support import client_for, cluster, council, staff

pytestmark = pytest.mark.django_db

HEADER = "company;ssyk;count;horizon;municipality;level;note"
GOOD_ROWS = [
    "Exempel Verkstads AB;7212;3;lt1;8780;upper_secondary;Skift",
    # By organisation number (without the dash), municipality by name, labels for the choices.
    "5560000001;7223;2;1-3;arvby;Higher vocational (YH);",
    "Exempel Gjuteri AB;8121;1;within 1 year;Karlby;none;",
]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def xlsx_file(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["company", "ssyk", "count", "horizon", "municipality", "level", "note"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _preview(c, user, content):
    return needs_file.needs_import_preview(
        acting_user=user, region=c.region, survey=c.survey, cluster=c.cluster, content=content
    )


def _import(c, user, content):
    return needs_file.needs_import(
        acting_user=user, region=c.region, survey=c.survey, cluster=c.cluster, content=content
    )


def test_the_dry_run_reports_every_row_ok_and_saves_nothing(region):
    c = council(region)
    user = staff(region, Role.COUNCIL_MEMBER)
    report = _preview(c, user, csv_file(*GOOD_ROWS))
    assert [(row.line, row.ok) for row in report.rows] == [(2, True), (3, True), (4, True)]
    assert report.importable
    assert report.rows[1].company == "Exempel Verkstads AB"
    assert report.rows[1].horizon == Horizon.YEARS_1_3
    assert report.rows[1].level == Level.HIGHER_VOCATIONAL
    assert not CompetenceNeed.objects.exists()


def test_the_import_records_every_row_on_the_companies_behalf(region):
    c = council(region)
    user = staff(region, Role.COUNCIL_MEMBER)
    created = _import(c, user, csv_file(*GOOD_ROWS))
    assert len(created) == 3
    rows = list(
        CompetenceNeed.objects.order_by("pk").values_list(
            "company__name", "ssyk_code", "count", "horizon", "municipality__code", "level", "note"
        )
    )
    assert rows == [
        ("Exempel Verkstads AB", "7212", 3, "lt1", "8780", "upper_secondary", "Skift"),
        ("Exempel Verkstads AB", "7223", 2, "1to3", "8784", "higher_vocational", ""),
        ("Exempel Gjuteri AB", "8121", 1, "lt1", "8780", "none", ""),
    ]
    assert set(CompetenceNeed.objects.values_list("entered_by_organisation", flat=True)) == {
        c.cluster.pk
    }
    assert set(CompetenceNeed.objects.values_list("created_by", flat=True)) == {user.pk}
    entry = AuditEntry.objects.get(action="competence_need.import")
    assert entry.data["rows"] == 3
    assert entry.data["cluster"] == c.cluster.code
    assert AuditEntry.objects.filter(action="competence_need.create").count() == 3


def test_the_report_names_each_bad_row_and_column_and_nothing_is_imported(region):
    c = council(region)
    user = staff(region, Role.COUNCIL_MEMBER)
    papper = cluster(region, code="papper", name="Pappersklustret")
    Company.objects.create(region=region, name="Exempel Bruk AB", organisation=papper)
    content = csv_file(
        GOOD_ROWS[0],
        "Exempel Verkstads AB;72;3;lt1;8780;upper_secondary;",  # bad SSYK
        "Exempel Verkstads AB;7212;3;lt1;0180;upper_secondary;",  # not a municipality of ours
        "Okänd Firma AB;7212;3;lt1;8780;upper_secondary;",  # unknown company
        "Exempel Bruk AB;7212;3;lt1;8780;upper_secondary;",  # another cluster's company
        "Exempel Gjuteri AB;7212;0;sometime;8780;phd;",  # count, horizon and level
    )
    report = _preview(c, user, content)
    assert not report.importable
    assert (report.accepted, report.refused) == (1, 5)
    problems = {row.line: row.problems for row in report.rows}
    assert problems[2] == ()
    assert problems[3] == (
        ("ssyk", "Write the occupation as a four-digit SSYK 2012 code, e.g. 7212 for welders."),
    )
    assert problems[4] == (
        ("municipality", "0180 is not a municipality of the region (give its code or name)."),
    )
    assert problems[5] == (("company", "Okänd Firma AB is not a company of the region."),)
    assert problems[6] == (
        ("company", "Exempel Bruk AB is not a member company of Verkstadsklustret."),
    )
    assert [column for column, _message in problems[7]] == ["count", "horizon", "level"]

    with pytest.raises(services.ImportRefused) as refused:
        _import(c, user, content)
    assert refused.value.report.refused == 5
    assert not CompetenceNeed.objects.exists()
    assert not Company.objects.filter(name="Okänd Firma AB").exists()
    assert not AuditEntry.objects.filter(action__startswith="competence_need").exists()


def test_an_xlsx_workbook_with_numbers_in_its_cells_is_imported(region):
    c = council(region)
    user = staff(region, Role.REGION_ADMIN)
    content = xlsx_file(
        [
            ["Exempel Verkstads AB", 7212, 3, "lt1", 8780, "upper_secondary", None],
            ["Exempel Gjuteri AB", 8121.0, 2.0, "3to5", "Arvby", "university", "Ingenjör"],
            [None, None, None, None, None, None, None],  # a trailing empty line
        ]
    )
    report = _preview(c, user, content)
    assert [(row.line, row.ok) for row in report.rows] == [(2, True), (3, True)]
    _import(c, user, content)
    assert list(
        CompetenceNeed.objects.order_by("pk").values_list(
            "ssyk_code", "count", "municipality__code"
        )
    ) == [("7212", 3, "8780"), ("8121", 2, "8784")]


def test_an_xlsx_workbook_with_a_bad_row_is_reported_by_row(region):
    c = council(region)
    report = _preview(
        c,
        None,
        xlsx_file(
            [
                ["Exempel Verkstads AB", 7212, 3, "lt1", 8780, "upper_secondary", None],
                ["Exempel Verkstads AB", 99, 3, "lt1", 8780, "upper_secondary", None],
            ]
        ),
    )
    assert [(row.line, row.ok) for row in report.rows] == [(2, True), (3, False)]
    assert report.rows[1].problems[0][0] == "ssyk"


def test_a_file_uploaded_twice_is_not_counted_twice(region):
    c = council(region)
    user = staff(region, Role.COUNCIL_MEMBER)
    _import(c, user, csv_file(GOOD_ROWS[0]))
    report = _preview(c, user, csv_file(GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[1]))
    assert [(row.line, row.ok) for row in report.rows] == [(2, False), (3, True), (4, False)]
    assert "is already recorded in" in report.rows[0].problems[0][1]
    assert report.rows[2].problems == (("ssyk", "This need repeats row 3."),)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\n\x00\x01binary", "neither a CSV file nor an Excel workbook"),
        (b"PK\x03\x04not really a zip", "neither a CSV file nor an Excel workbook"),
        (b"company;ssyk;count\nA;7212;1\n", "lacks the column(s) horizon, municipality, level"),
        (csv_file(GOOD_ROWS[0], header=HEADER + ";salary"), "unknown column(s) salary"),
        (csv_file(), "no rows under its header"),
        (b"x" * (services.IMPORT_MAX_BYTES + 1), "too large"),
    ],
    ids=["binary", "fake zip", "missing columns", "unknown column", "no rows", "too large"],
)
def test_the_file_is_checked_by_its_content_and_size(content, message):
    with pytest.raises(services.ImportFileError) as error:
        services.import_dataset_read(content)
    assert message in str(error.value)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(services.ImportFileError):
        services.import_dataset_read(out.getvalue())


# --- the pages --------------------------------------------------------------------------------


def _upload(client, c, content: bytes, name: str):
    return client.post(
        reverse("industriradet:needs_import"),
        {
            "survey": c.survey.pk,
            "cluster": c.cluster.pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_upload_check_and_confirm_through_the_pages(region, kind):
    c = council(region)
    client = client_for(staff(region, Role.COUNCIL_MEMBER))
    if kind == "csv":
        content = csv_file(*GOOD_ROWS)
    else:
        content = xlsx_file([["Exempel Verkstads AB", 7212, 3, "lt1", 8780, "upper_secondary", ""]])
    response = _upload(client, c, content, f"behov.{kind}")
    assert response.status_code == 302
    assert response["Location"] == reverse("industriradet:needs_import_preview")
    report = client.get(response["Location"])
    assert report.status_code == 200
    assert "Every row of the file and its result" in report.content.decode()
    assert not CompetenceNeed.objects.exists()
    done = client.post(reverse("industriradet:needs_import_confirm"))
    assert done.status_code == 302
    assert CompetenceNeed.objects.count() == (3 if kind == "csv" else 1)
    # The pending file is gone: confirming again imports nothing more.
    client.post(reverse("industriradet:needs_import_confirm"))
    assert CompetenceNeed.objects.count() == (3 if kind == "csv" else 1)


def test_a_report_with_errors_offers_no_import_and_confirm_refuses(region):
    c = council(region)
    client = client_for(staff(region, Role.COUNCIL_MEMBER))
    _upload(client, c, csv_file(GOOD_ROWS[0], "Okänd Firma AB;7212;3;lt1;8780;none;"), "b.csv")
    page = client.get(reverse("industriradet:needs_import_preview")).content.decode()
    assert "Okänd Firma AB is not a company of the region." in page
    assert "Nothing is imported while a row has errors." in page
    assert reverse("industriradet:needs_import_confirm") not in page
    refused = client.post(reverse("industriradet:needs_import_confirm"))
    assert refused.status_code == 200
    assert "Nothing was imported" in refused.content.decode()
    assert not CompetenceNeed.objects.exists()


def test_an_unreadable_upload_is_refused_on_the_form(region):
    c = council(region)
    client = client_for(staff(region, Role.COUNCIL_MEMBER))
    response = _upload(client, c, b"\x00\x01\x02binary", "behov.csv")
    assert response.status_code == 200
    assert "neither a CSV file nor an Excel workbook" in response.content.decode()


def test_another_users_pending_file_is_not_theirs(region):
    c = council(region)
    first = client_for(staff(region, Role.COUNCIL_MEMBER))
    _upload(first, c, csv_file(*GOOD_ROWS), "a.csv")
    second = client_for(staff(region, Role.COUNCIL_MEMBER))
    # The token lives in the first user's session: the second has nothing pending.
    assert second.get(reverse("industriradet:needs_import_preview")).status_code == 302
    second.post(reverse("industriradet:needs_import_confirm"))
    assert not CompetenceNeed.objects.exists()


@pytest.mark.parametrize("workbook", ["<bad", "<x/>"], ids=["broken xml", "no sheets"])
def test_a_damaged_workbook_is_refused(workbook):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", workbook)
        archive.writestr("xl/workbook.xml", workbook)
    with pytest.raises(services.ImportFileError) as error:
        services.import_dataset_read(out.getvalue())
    assert "The workbook could not be read." in str(error.value)
