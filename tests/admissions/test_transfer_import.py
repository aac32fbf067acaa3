"""Importing applications delivered as CSV: every row checked, a preview with the refused rows
and their reasons, and all or nothing."""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Role
from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus
from admissions.applications.services import applications as applications_service
from admissions.applications.services import import_rows, transfer
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ProgrammeFactory,
    enrol_totp,
)

HEADER = (
    "personnummer;birth_date;first_name;last_name;email;phone;home_municipality_code;"
    "intake_period;choice_1;choice_2;choice_3;choice_4;choice_5;choice_6"
)
ANNA = pnr.build(dt.date(1990, 3, 14), 123)
BO = pnr.build(dt.date(1985, 11, 2), 456)
CECILIA = pnr.build(dt.date(1979, 6, 30), 789)


def dashed(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English, whatever the translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def world(region, foreign_region):
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    stockholm = MunicipalityFactory(region=region, code="0180", name="Stockholm", is_party=False)
    period = IntakePeriodFactory(region=region, code="ht2027", name="HT 2027")
    centre = CentreFactory(region=region, slug="karlstad", host_municipality=karlstad)
    arvika = CentreFactory(region=region, slug="arvika", host_municipality=karlstad)
    offerings = {}
    for code in ("svets", "cnc", "el", "bygg", "vard", "lager"):
        programme = ProgrammeFactory(region=region, code=code, name=code.upper())
        offerings[code] = OfferingFactory(
            region=region, programme=programme, centre=centre, intake_period=period
        )
    offerings["svets@arvika"] = OfferingFactory(
        region=region, programme=offerings["svets"].programme, centre=arvika, intake_period=period
    )
    # Another region has an offering whose key would be svets@bortcentrum.
    foreign_period = IntakePeriodFactory(region=foreign_region, code="ht2027")
    OfferingFactory(
        region=foreign_region,
        programme=ProgrammeFactory(region=foreign_region, code="svets"),
        centre=CentreFactory(region=foreign_region, slug="bortcentrum"),
        intake_period=foreign_period,
    )
    return {
        "region": region,
        "karlstad": karlstad,
        "stockholm": stockholm,
        "period": period,
        "offerings": offerings,
    }


def staff(region, role=Role.INTAKE_OFFICER):
    membership = MembershipFactory(region=region, role=role)
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    return membership, client


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def row(
    number="",
    first="Anna",
    last="Andersson",
    municipality="1780",
    period="ht2027",
    choices=("svets@karlstad",),
    birth="",
    email="anna@example.org",
):
    cells = [number, birth, first, last, email, "070-123 45 67", municipality, period]
    cells += list(choices) + [""] * (6 - len(choices))
    return ";".join(cells)


def preview_of(world, content: bytes, user):
    return transfer.applications_import_preview(
        acting_user=user, region=world["region"], content=content
    )


@pytest.fixture
def officer(world):
    return staff(world["region"])


# --- the checks, row by row -------------------------------------------------------------------


def test_valid_rows_are_previewed_and_nothing_is_saved(world, officer):
    membership, _ = officer
    content = csv_file(
        row(dashed(ANNA), choices=("svets@karlstad", "cnc@karlstad")),
        row(BO, first="Bo", last="Berg", municipality="0180"),
    )

    preview = preview_of(world, content, membership.user)

    assert preview.importable
    assert [r.line for r in preview.accepted] == [2, 3]
    first, second = preview.accepted
    assert first.identity == "19900314-****"
    centre = world["offerings"]["svets"].centre.name
    assert first.choices == (f"SVETS @ {centre}", f"CNC @ {centre}")
    assert first.municipality_is_party
    assert not second.municipality_is_party
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="application.").exists()


REFUSALS = {
    "wrong check digit": (
        row(wrong_check_digit(ANNA)),
        "The personnummer's check digit is wrong.",
    ),
    "impossible date in the number": (
        row(f"19900231-123{pnr.luhn_check_digit('900231123')}"),
        "The date in the personnummer does not exist.",
    ),
    "neither number nor birth date": (
        row(""),
        "Give a personnummer, or a date of birth for someone without one.",
    ),
    "birth date that does not match": (
        row(ANNA, birth="1990-03-15"),
        "The date of birth does not match the personnummer.",
    ),
    "unknown municipality": (row(ANNA, municipality="9999"), "Unknown municipality code 9999."),
    "unknown intake period": (row(ANNA, period="vt2031"), "Unknown intake period vt2031."),
    "unknown offering": (
        row(ANNA, choices=("svets@karlstad", "pilot@karlstad")),
        "Choice 2 (pilot@karlstad) is not an offering of this region in ht2027.",
    ),
    "a foreign region's offering key": (
        row(ANNA, choices=("svets@bortcentrum",)),
        "Choice 1 (svets@bortcentrum) is not an offering of this region in ht2027.",
    ),
    "badly written key": (
        row(ANNA, choices=("svets karlstad",)),
        "Choice 1 (svets karlstad) is not written programme@centre.",
    ),
    "duplicate choice": (
        row(ANNA, choices=("svets@karlstad", "cnc@karlstad", "svets@karlstad")),
        "Choice 3 repeats choice 1.",
    ),
    "too many choices": (
        row(
            ANNA,
            choices=(
                "svets@karlstad",
                "cnc@karlstad",
                "el@karlstad",
                "bygg@karlstad",
                "vard@karlstad",
                "lager@karlstad",
            ),
        ),
        "The row has 6 choices; at most 5 are allowed.",
    ),
    "no choice": (row(ANNA, choices=()), "The row has no choice."),
    "missing name": (row(ANNA, first=""), "First name and last name are required."),
    "bad e-mail": (row(ANNA, email="anna.example.org"), "The e-mail address is not valid."),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_bad_row_is_refused_with_its_reason(world, officer, case):
    bad, message = REFUSALS[case]
    content = csv_file(row(BO, first="Bo"), bad)

    preview = preview_of(world, content, officer[0].user)

    assert not preview.importable
    assert [r.line for r in preview.accepted] == [2]
    assert [(r.line, message in r.messages) for r in preview.refused] == [(3, True)]


def test_a_person_who_already_applied_for_the_period_is_refused(world, officer):
    existing = ApplicationFactory(
        region=world["region"],
        intake_period=world["period"],
        home_municipality=world["karlstad"],
        personnummer=ANNA,
        birth_date=dt.date(1990, 3, 14),
    )

    preview = preview_of(world, csv_file(row(dashed(ANNA))), officer[0].user)

    assert preview.refused[0].messages == (
        f"This person already has an application for ht2027 ({existing.reference}).",
    )


def test_a_withdrawn_application_does_not_block_a_new_one(world, officer):
    ApplicationFactory(
        region=world["region"],
        intake_period=world["period"],
        home_municipality=world["karlstad"],
        personnummer=ANNA,
        status=ApplicationStatus.WITHDRAWN,
    )

    assert preview_of(world, csv_file(row(ANNA)), officer[0].user).importable


def test_the_same_person_twice_in_the_file_is_refused_the_second_time(world, officer):
    content = csv_file(row(ANNA), row(BO, first="Bo"), row(dashed(ANNA)))

    preview = preview_of(world, content, officer[0].user)

    assert [(r.line, r.messages) for r in preview.refused] == [
        (4, ("This person is already on row 2 of the file.",))
    ]


def test_an_offering_with_several_starts_needs_its_date(world, officer):
    svets = world["offerings"]["svets"]
    later = OfferingFactory(
        region=world["region"],
        programme=svets.programme,
        centre=svets.centre,
        intake_period=world["period"],
        starts_on=dt.date(2027, 10, 4),
        ends_on=dt.date(2028, 6, 9),
    )
    content = csv_file(
        row(ANNA),
        row(BO, first="Bo", choices=("svets@karlstad@2027-10-04",)),
    )

    preview = preview_of(world, content, officer[0].user)

    assert [r.line for r in preview.refused] == [2]
    assert "add the date, for example svets@karlstad@2027-08-16" in preview.refused[0].messages[0]
    assert preview.accepted[0].choices == (f"SVETS @ {later.centre.name}",)


def test_many_rows_are_checked_in_a_fixed_number_of_queries(world, officer):
    people = [pnr.build(dt.date(1980, 1, 1) + dt.timedelta(days=n), n) for n in range(40)]
    content = csv_file(*(row(number, choices=("pilot@karlstad",)) for number in people))

    # Every row is refused (unknown offering), so nothing is saved: only the lookups count,
    # not the savepoint the library sets around each row.
    with CaptureQueriesContext(connection) as queries:
        preview = preview_of(world, content, officer[0].user)

    lookups = [q for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    assert len(lookups) <= 6
    assert len(preview.refused) == 40


# --- all or nothing -----------------------------------------------------------------------------


def test_importing_creates_every_row_as_a_submitted_application_without_account(world, officer):
    membership, _ = officer
    content = csv_file(
        row(dashed(ANNA), choices=("cnc@karlstad", "svets@karlstad")),
        row("", first="Bo", last="Berg", birth="1985-11-02", municipality="0180"),
    )

    created = transfer.applications_import(
        acting_user=membership.user, region=world["region"], content=content
    )

    assert len(created) == 2
    anna = Application.objects.get(personnummer=ANNA)
    assert anna.applicant is None
    assert anna.status == ApplicationStatus.SUBMITTED
    assert anna.submitted_at is not None
    assert anna.home_municipality == world["karlstad"]
    assert anna.email == "anna@example.org"
    assert list(
        anna.choices.order_by("rank").values_list("offering__programme__code", flat=True)
    ) == [
        "cnc",
        "svets",
    ]
    bo = Application.objects.get(first_name="Bo")
    assert bo.personnummer == ""
    assert bo.has_no_identity_number
    assert bo.birth_date == dt.date(1985, 11, 2)
    assert bo.home_municipality == world["stockholm"]
    assert anna.reference != bo.reference
    submits = AuditEntry.objects.filter(action="application.submit", user=membership.user)
    assert submits.count() == 2
    summary = AuditEntry.objects.get(action="application.import")
    assert summary.data["rows"] == 2
    assert ANNA not in str(summary.data)


def test_an_imported_name_loses_its_bidi_overrides(world, officer):
    membership, _ = officer
    content = csv_file(row(dashed(ANNA), first="Anna\u202egnp.exe", last="\u2066Andersson\u2069"))
    transfer.applications_import(
        acting_user=membership.user, region=world["region"], content=content
    )
    anna = Application.objects.get(personnummer=ANNA)
    assert (anna.first_name, anna.last_name) == ("Annagnp.exe", "Andersson")


def test_one_refused_row_refuses_the_whole_file(world, officer):
    content = csv_file(row(ANNA), row(BO, first="Bo", municipality="9999"), row(CECILIA))

    with pytest.raises(transfer.ImportRefused) as refused:
        transfer.applications_import(
            acting_user=officer[0].user, region=world["region"], content=content
        )

    assert [r.line for r in refused.value.preview.refused] == [3]
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="application.").exists()


def test_a_database_error_while_saving_a_row_rolls_every_row_back(world, officer):
    real_submit = applications_service.application_submit
    calls = []

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise IntegrityError("simulated failure")
        return real_submit(**kwargs)

    content = csv_file(row(ANNA), row(BO, first="Bo"), row(CECILIA, first="Cecilia"))
    with (
        mock.patch.object(import_rows, "application_submit", side_effect=failing_second),
        pytest.raises(transfer.ImportRefused) as refused,
    ):
        transfer.applications_import(
            acting_user=officer[0].user, region=world["region"], content=content
        )

    assert len(calls) == 3  # the first row was saved before the second failed
    assert [(r.line, r.messages) for r in refused.value.preview.refused] == [
        (3, ("The row could not be saved.",))
    ]
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="application.").exists()


def test_a_failure_after_the_rows_are_saved_rolls_them_back(world, officer):
    real_audit = transfer.audit_record

    def failing_summary(**kwargs):
        if kwargs["action"] == "application.import":
            raise DatabaseError("simulated failure")
        return real_audit(**kwargs)

    with (
        mock.patch.object(transfer, "audit_record", side_effect=failing_summary),
        pytest.raises(DatabaseError),
    ):
        transfer.applications_import(
            acting_user=officer[0].user,
            region=world["region"],
            content=csv_file(row(ANNA), row(BO, first="Bo")),
        )

    assert not Application.objects.exists()


# --- reading the file ---------------------------------------------------------------------------


def test_a_comma_separated_file_with_a_byte_order_mark_is_read(world, officer):
    content = "\ufeff" + "\n".join(
        [
            "personnummer,first_name,last_name,home_municipality_code,intake_period,choice_1",
            f"{ANNA},Åsa,Öberg,1780,ht2027,svets@karlstad",
        ]
    )

    preview = preview_of(world, content.encode("utf-8"), officer[0].user)

    assert preview.importable
    assert preview.accepted[0].name == "Åsa Öberg"


def test_a_file_saved_by_older_swedish_excel_is_read(world, officer):
    content = csv_file(row(ANNA, first="Åsa", last="Öberg")).decode("utf-8").encode("cp1252")

    preview = preview_of(world, content, officer[0].user)

    assert preview.accepted[0].name == "Åsa Öberg"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"personnummer;first_name\n1;2\n", "The file lacks the column(s)"),
        (csv_file(header=HEADER + ";shoe_size"), "The file has unknown column(s) shoe_size."),
        (csv_file(), "The file has no rows under its header."),
    ],
    ids=["missing columns", "unknown column", "no rows"],
)
def test_a_file_that_cannot_be_imported_at_all_is_refused_at_upload(
    world, officer, content, message
):
    _, client = officer
    upload = _upload(client, content)

    assert upload.status_code == 200
    assert message in upload.content.decode()
    assert transfer_session_token(client) is None


def test_too_many_rows_are_refused(world, officer, settings):
    settings.TRANSFER_IMPORT_MAX_ROWS = 2

    with pytest.raises(transfer.ImportFileError, match="import at most 2 at a time"):
        transfer.import_dataset_read(csv_file(row(ANNA), row(BO), row(CECILIA)))


# --- the pages ----------------------------------------------------------------------------------


def _upload(client, content: bytes, name="remisser.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admissions:transfer_import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def transfer_session_token(client):
    from admissions.applications.views.transfer import PENDING_SESSION_KEY

    return client.session.get(PENDING_SESSION_KEY)


def test_upload_preview_and_confirm_import_the_file(world, officer):
    _, client = officer
    content = csv_file(row(dashed(ANNA)), row(BO, first="Bo"))

    upload = _upload(client, content)
    assert upload.status_code == 302
    assert upload["Location"] == reverse("admissions:transfer_import_preview")
    preview = client.get(upload["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "19900314-****" in page
    assert ANNA not in page
    assert "Import 2 applications" in page
    assert not Application.objects.exists()

    done = client.post(reverse("admissions:transfer_import_confirm"), follow=True)

    assert "2 applications were imported." in done.content.decode()
    assert Application.objects.filter(region=world["region"]).count() == 2
    assert transfer_session_token(client) is None


def test_the_preview_lists_refused_rows_and_offers_no_import(world, officer):
    _, client = officer
    _upload(client, csv_file(row(ANNA), row(wrong_check_digit(BO), first="Bo")))

    page = client.get(reverse("admissions:transfer_import_preview")).content.decode()

    assert "The personnummer&#x27;s check digit is wrong." in page
    assert "Nothing is imported while a row is refused." in page
    assert reverse("admissions:transfer_import_confirm") not in page


def test_confirming_a_file_with_a_refused_row_imports_nothing_and_says_so(world, officer):
    _, client = officer
    _upload(client, csv_file(row(ANNA), row(BO, first="Bo", municipality="9999")))

    response = client.post(reverse("admissions:transfer_import_confirm"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Unknown municipality code 9999." in page
    assert not Application.objects.exists()


def test_the_uploaded_file_stays_on_the_server_not_in_the_session_or_a_url(world, officer):
    _, client = officer
    content = csv_file(row(ANNA))

    upload = _upload(client, content)

    token = transfer_session_token(client)
    assert token and ANNA not in token
    assert ANNA not in upload["Location"]
    session_data = dict(client.session.items())
    assert ANNA not in str(session_data)
    assert cache.get(f"admissions:transfer-import:{token}")["content"] == content


def test_another_users_upload_is_not_reachable_with_a_copied_token(world, officer):
    _, client = officer
    _upload(client, csv_file(row(ANNA)))
    token = transfer_session_token(client)
    _, other = staff(world["region"])
    session = other.session
    session["transfer_import_token"] = token
    session.save()

    response = other.get(reverse("admissions:transfer_import_preview"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admissions:transfer_index")


def test_the_preview_without_an_upload_sends_the_user_to_the_upload(world, officer):
    _, client = officer

    response = client.get(reverse("admissions:transfer_import_preview"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admissions:transfer_index")


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.COORDINATOR, Role.RECTOR, Role.APPLICANT])
def test_other_roles_cannot_import(world, role):
    membership = MembershipFactory(
        region=world["region"],
        role=role,
        scope_municipality=world["karlstad"] if role in (Role.COUNSELLOR, Role.RECTOR) else None,
        scope_centre=world["offerings"]["svets"].centre if role == Role.COORDINATOR else None,
    )
    enrol_totp(membership.user)
    client = Client(HTTP_HOST="hemland.example.test", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)

    assert _upload(client, csv_file(row(ANNA))).status_code == 403
    assert client.post(reverse("admissions:transfer_import_confirm")).status_code == 403
    assert not Application.objects.exists()


def test_a_region_admin_can_import(world):
    _, client = staff(world["region"], Role.REGION_ADMIN)
    _upload(client, csv_file(row(ANNA)))

    client.post(reverse("admissions:transfer_import_confirm"))

    assert Application.objects.get().personnummer == ANNA
