"""Exporting the intake queue to CSV and XLSX: the columns, identity numbers only when asked for
and allowed, an audit entry per export, and only what the region and role may see."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Role
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    ApplicationStatus,
    EligibilityDecision,
    IneligibilityGround,
    SelectionGroupDecision,
)
from admissions.applications.services import transfer
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
)

ANNA = pnr.build(dt.date(1990, 3, 14), 123)


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English, whatever the translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def world(region, foreign_region):
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    period = IntakePeriodFactory(region=region, code="ht2027", name="HT 2027")
    centre = CentreFactory(region=region, slug="karlstad", name="Karlstad yrkescenter")
    svets = OfferingFactory(
        region=region,
        programme=ProgrammeFactory(region=region, code="svets", name="Svetsare"),
        centre=centre,
        intake_period=period,
    )
    cnc = OfferingFactory(
        region=region,
        programme=ProgrammeFactory(region=region, code="cnc", name="CNC-operatör"),
        centre=centre,
        intake_period=period,
    )
    anna = ApplicationFactory(
        region=region,
        intake_period=period,
        reference="HE-2027-000001",
        personnummer=ANNA,
        birth_date=dt.date(1990, 3, 14),
        first_name="Anna",
        last_name="Andersson",
        home_municipality=karlstad,
    )
    first = ChoiceFactory(application=anna, offering=svets, rank=1)
    second = ChoiceFactory(application=anna, offering=cnc, rank=2)
    return {
        "region": region,
        "foreign_region": foreign_region,
        "karlstad": karlstad,
        "period": period,
        "svets": svets,
        "cnc": cnc,
        "anna": anna,
        "choices": (first, second),
    }


def staff(region, role=Role.INTAKE_OFFICER, **scope):
    membership = MembershipFactory(region=region, role=role, **scope)
    from tests.factories import enrol_totp

    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    return membership, client


def export(client, **options):
    data = {"file_format": "xlsx", **options}
    return client.post(reverse("admissions:transfer_export"), data)


def xlsx_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [
        [cell if cell is not None else "" for cell in r]
        for r in book.active.iter_rows(values_only=True)
    ]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, r, strict=True)) for r in body]


def decide(world, officer):
    first, second = world["choices"]
    EligibilityDecision.objects.create(
        choice=first,
        eligible=False,
        ground=IneligibilityGround.PREREQUISITES,
        decided_by=officer.user,
    )
    # A correction adds a row: the newest is the current decision.
    EligibilityDecision.objects.create(choice=first, eligible=True, decided_by=officer.user)
    EligibilityDecision.objects.create(
        choice=second, eligible=False, ground=IneligibilityGround.AGE, decided_by=officer.user
    )
    SelectionGroupDecision.objects.create(
        choice=first, group=3, evidence="Arbetsförmedlingen", decided_by=officer.user
    )


def test_the_xlsx_export_has_one_row_per_application_with_its_choices_and_decisions(world):
    officer, client = staff(world["region"])
    decide(world, officer)

    response = export(client, intake_period=world["period"].pk)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    [row] = as_dicts(xlsx_rows(response))
    assert row["Reference"] == "HE-2027-000001"
    assert row["First name"] == "Anna"
    assert row["Last name"] == "Andersson"
    assert row["Date of birth"] == "1990-03-14"
    assert row["Home municipality code"] == "1780"
    assert row["Home municipality"] == "Karlstad"
    assert row["Intake period"] == "ht2027"
    assert row["Status"] == "Submitted"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row["Submitted"])
    assert row["Choice 1"] == "Svetsare @ Karlstad yrkescenter (2027-08-16)"
    assert row["Eligibility 1"] == "Eligible"
    assert row["Selection group 1"] == "3"
    assert row["Choice 2"].startswith("CNC-operatör @ ")
    assert row["Eligibility 2"].startswith("Not eligible: Under 20")
    assert row["Selection group 2"] == ""
    assert row["Choice 5"] == ""
    assert "Choice 6" not in row


def test_the_csv_export_is_semicolon_separated_utf8_for_swedish_excel(world):
    _, client = staff(world["region"])

    response = export(client, file_format="csv")

    assert response["Content-Type"].startswith("text/csv")
    [row] = as_dicts(csv_rows(response))
    assert row["Reference"] == "HE-2027-000001"
    assert row["Choice 2"].startswith("CNC-operatör @ Karlstad yrkescenter")


def test_the_file_is_an_attachment_with_a_name_without_personal_data(world):
    _, client = staff(world["region"])

    response = export(client, intake_period=world["period"].pk)

    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="ansokningar-ht2027-\d{4}-\d{2}-\d{2}\.xlsx"', disposition
    )
    assert response["Cache-Control"] == "no-store"


def test_identity_numbers_are_left_out_unless_asked_for(world):
    _, client = staff(world["region"])

    for file_format in ("xlsx", "csv"):
        response = export(client, file_format=file_format)
        rows = xlsx_rows(response) if file_format == "xlsx" else csv_rows(response)
        assert "Personnummer" not in rows[0]
        assert ANNA[:8] not in str(rows)


@pytest.mark.parametrize("role", [Role.INTAKE_OFFICER, Role.REGION_ADMIN])
def test_identity_numbers_are_included_when_asked_for_by_an_allowed_role(world, role):
    _, client = staff(world["region"], role)

    response = export(client, include_identity_numbers="on")

    [row] = as_dicts(xlsx_rows(response))
    assert row["Personnummer"] == f"{ANNA[:8]}-{ANNA[8:]}"
    assert list(as_dicts(xlsx_rows(response))[0])[:2] == ["Reference", "Personnummer"]


def test_the_service_refuses_identity_numbers_to_a_role_not_allowed_them(world):
    counsellor = MembershipFactory(
        region=world["region"], role=Role.COUNSELLOR, scope_municipality=world["karlstad"]
    )

    with pytest.raises(PermissionDenied):
        transfer.applications_export(
            acting_user=counsellor.user,
            membership=counsellor,
            intake_period=None,
            status="",
            file_format="csv",
            include_identity_numbers=True,
        )
    assert not AuditEntry.objects.filter(action="application.export").exists()


@pytest.mark.parametrize(
    "role", [Role.COUNSELLOR, Role.COORDINATOR, Role.RECTOR, Role.COUNCIL_MEMBER, Role.APPLICANT]
)
def test_other_roles_cannot_reach_the_export(world, role):
    scope = {}
    if role in (Role.COUNSELLOR, Role.RECTOR):
        scope["scope_municipality"] = world["karlstad"]
    if role == Role.COORDINATOR:
        scope["scope_centre"] = world["svets"].centre
    _, client = staff(world["region"], role, **scope)

    assert client.get(reverse("admissions:transfer_index")).status_code == 403
    assert export(client, include_identity_numbers="on").status_code == 403
    assert not AuditEntry.objects.filter(action="application.export").exists()


def test_every_export_is_audited_with_who_what_and_whether_numbers_were_included(world):
    officer, client = staff(world["region"])
    ApplicationFactory(region=world["region"], intake_period=world["period"])

    export(client, intake_period=world["period"].pk, include_identity_numbers="on")
    export(client, file_format="csv", status=ApplicationStatus.SUBMITTED)

    with_numbers, without = AuditEntry.objects.filter(action="application.export").order_by("pk")
    assert with_numbers.user == officer.user
    assert with_numbers.role == Role.INTAKE_OFFICER
    assert with_numbers.region == world["region"]
    assert with_numbers.data == {
        "format": "xlsx",
        "intake_period": "ht2027",
        "status": "",
        "identity_numbers": True,
        "rows": 2,
    }
    assert without.data["identity_numbers"] is False
    assert without.data["format"] == "csv"
    assert without.data["status"] == "submitted"
    assert ANNA not in str(with_numbers.data)


def test_the_export_follows_the_period_and_status_filters_and_leaves_out_drafts(world):
    _, client = staff(world["region"])
    other_period = IntakePeriodFactory(region=world["region"], code="vt2028")
    ApplicationFactory(region=world["region"], intake_period=other_period, reference="HE-2028-1")
    ApplicationFactory(
        region=world["region"],
        intake_period=world["period"],
        reference="HE-2027-DRAFT",
        status=ApplicationStatus.DRAFT,
        submitted_at=None,
    )
    ApplicationFactory(
        region=world["region"],
        intake_period=world["period"],
        reference="HE-2027-W",
        status=ApplicationStatus.WITHDRAWN,
    )

    def references(**options):
        return [r["Reference"] for r in as_dicts(xlsx_rows(export(client, **options)))]

    assert references() == ["HE-2027-000001", "HE-2027-W", "HE-2028-1"]
    assert references(intake_period=world["period"].pk) == ["HE-2027-000001", "HE-2027-W"]
    assert references(status=ApplicationStatus.WITHDRAWN) == ["HE-2027-W"]
    assert references(status=ApplicationStatus.DRAFT) == ["HE-2027-DRAFT"]


def test_another_regions_applications_and_periods_are_not_exported(world):
    _, client = staff(world["region"])
    foreign = world["foreign_region"]
    foreign_period = IntakePeriodFactory(region=foreign, code="ht2027")
    ApplicationFactory(region=foreign, intake_period=foreign_period, reference="BO-2027-1")

    rows = as_dicts(xlsx_rows(export(client)))
    refused = export(client, intake_period=foreign_period.pk)

    assert [r["Reference"] for r in rows] == ["HE-2027-000001"]
    # A foreign period is not among the choices: the form is shown again with an error.
    assert refused.status_code == 200
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEntry.objects.filter(action="application.export").count() == 1


def test_a_formula_typed_as_a_name_is_exported_as_text(world):
    _, client = staff(world["region"])
    world["anna"].first_name = '=HYPERLINK("http://evil.example","x")'
    world["anna"].save()

    [row] = as_dicts(xlsx_rows(export(client)))
    [csv_row] = as_dicts(csv_rows(export(client, file_format="csv")))

    assert row["First name"].startswith("'=")
    assert csv_row["First name"].startswith("'=")


def test_the_number_of_queries_does_not_grow_with_the_number_of_applications(world):
    officer, _ = staff(world["region"])
    decide(world, officer)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            transfer.applications_export(
                acting_user=officer.user,
                membership=officer,
                intake_period=world["period"],
                status="",
                file_format="xlsx",
                include_identity_numbers=False,
            )
        return len(queries)

    few = queries_for_export()
    for _ in range(15):
        application = ApplicationFactory(region=world["region"], intake_period=world["period"])
        choice = ChoiceFactory(application=application, offering=world["svets"], rank=1)
        EligibilityDecision.objects.create(choice=choice, eligible=True, decided_by=officer.user)
        ChoiceFactory(application=application, offering=world["cnc"], rank=2)

    assert queries_for_export() == few


def test_the_page_offers_the_identity_number_option_and_links_from_the_menu(world):
    _, client = staff(world["region"])

    page = client.get(reverse("admissions:transfer_index")).content.decode()

    assert 'name="include_identity_numbers"' in page
    assert reverse("admissions:transfer_index") in page
    assert 'aria-current="page"' in page
