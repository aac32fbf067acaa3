"""Importing outcomes as CSV: every row checked against the students the importer sees, a report
row by row, and all or nothing. A row for a student outside the importer's scope reads exactly
like one for a student who does not exist."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry, Role
from industriradet.models import OutcomeStatus, StudentOutcome
from industriradet.services import outcomes as services
from industriradet.services import outcomes_file
from tests.factories import CentreFactory, MunicipalityFactory, ProgrammeFactory
from tests.industriradet.outcomes_support import (
    client_of,
    days_ago,
    member,
    past_offering,
    student,
)

HEADER = (
    "reference;offering;status;followed_up_on;ssyk;employer_municipality;sex;age_band;"
    "prior_education;birthplace;time_in_sweden"
)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def key(enrolment) -> str:
    offering = enrolment.offering
    return f"{offering.programme.code}@{offering.starts_on:%Y-%m-%d}"


def row(enrolment=None, *, reference=None, offering=None, status="employed", ssyk="7212",
        municipality="1780", followed=None, rest="male;35_44;;abroad;gt10"):  # fmt: skip
    reference = reference if reference is not None else enrolment.application.reference
    offering = offering if offering is not None else key(enrolment)
    followed = followed or days_ago(15).isoformat()
    return f"{reference};{offering};{status};{followed};{ssyk};{municipality};{rest}"


@pytest.fixture
def world(region, foreign_region):
    karlstad = MunicipalityFactory(region=region, code="1780", name="Karlstad")
    centre = CentreFactory(region=region, name="Hemby", host_municipality=karlstad)
    other = CentreFactory(region=region, name="Annanstad", host_municipality=karlstad)
    welding = ProgrammeFactory(region=region, code="svetsare", name="Svetsare")
    here = past_offering(region, centre=centre, programme=welding)
    there = past_offering(region, centre=other, programme=welding)
    foreign = past_offering(foreign_region)
    return {
        "coordinator": member(region, Role.COORDINATOR, scope_centre=centre),
        "admin": member(region, Role.REGION_ADMIN),
        "mine": student(region, here, serial=201),
        "mine_too": student(region, here, serial=202),
        "elsewhere": student(region, there, serial=203),
        "abroad": student(foreign_region, foreign, serial=204),
        "studying": student(region, here, status="started", serial=205),
    }


def preview(membership, content):
    return outcomes_file.outcomes_import_preview(
        acting_user=membership.user, membership=membership, content=content
    )


def test_the_report_accepts_a_good_row_and_refuses_the_others_with_reasons(world):
    mine, elsewhere, abroad = world["mine"], world["elsewhere"], world["abroad"]
    content = csv_file(
        row(mine),
        row(reference="VA-2099-999999", offering=key(mine)),
        row(elsewhere),
        row(abroad),
        row(world["mine_too"], status="hired"),
        row(world["studying"], status="unknown", ssyk="", municipality=""),
    )
    report = preview(world["coordinator"], content)
    assert [accepted.line for accepted in report.accepted] == [2]
    accepted = report.accepted[0]
    assert accepted.reference == mine.application.reference
    assert accepted.status == "Employed" and not accepted.replaces
    refused = {refusal.line: refusal.messages for refusal in report.refused}
    assert sorted(refused) == [3, 4, 5, 6, 7]
    unknown = refused[3][0]
    assert unknown.startswith("Not found:")
    # Another centre's student and another region's student read like one who does not exist:
    # the same words, only the reference differs.
    for line, enrolment in ((4, elsewhere), (5, abroad)):
        assert refused[line] == (
            unknown.replace("VA-2099-999999", enrolment.application.reference).replace(
                key(mine), key(enrolment)
            ),
        )
    assert any("Unknown status “hired”" in message for message in refused[6])
    assert refused[7] == ("Only a student who has stopped early or completed can be followed up.",)
    assert not report.importable
    # The preview keeps nothing.
    assert not StudentOutcome.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="outcome.").exists()


def test_a_good_file_is_imported_and_logged(world):
    mine, mine_too = world["mine"], world["mine_too"]
    content = csv_file(
        row(mine),
        row(mine_too, status="studying", ssyk="", municipality="", rest=";;;;"),
    )
    coordinator = world["coordinator"]
    assert preview(coordinator, content).importable
    saved = outcomes_file.outcomes_import(
        acting_user=coordinator.user, membership=coordinator, content=content
    )
    assert len(saved) == 2
    employed = StudentOutcome.objects.get(enrolment=mine)
    assert (employed.status, employed.ssyk_code, employed.employer_municipality.code) == (
        "employed",
        "7212",
        "1780",
    )
    studying = StudentOutcome.objects.get(enrolment=mine_too)
    # Empty cells take the defaults: sex from the personnummer (serial 202: even, a woman).
    assert (studying.status, studying.sex, studying.birthplace) == ("studying", "female", "unknown")
    entry = AuditEntry.objects.get(action="outcome.import")
    assert entry.data["rows"] == 2
    assert AuditEntry.objects.filter(action="outcome.record").count() == 2


def test_one_refused_row_refuses_the_file(world):
    content = csv_file(row(world["mine"]), row(world["mine_too"], ssyk=""))
    coordinator = world["coordinator"]
    with pytest.raises(services.ImportRefused) as refused:
        outcomes_file.outcomes_import(
            acting_user=coordinator.user, membership=coordinator, content=content
        )
    assert [r.line for r in refused.value.preview.refused] == [3]
    assert not StudentOutcome.objects.exists()


def test_a_row_for_a_recorded_student_corrects_the_outcome(world):
    coordinator = world["coordinator"]
    mine = world["mine"]
    outcomes_file.outcomes_import(
        acting_user=coordinator.user,
        membership=coordinator,
        content=csv_file(row(mine, status="job_seeking", ssyk="", municipality="")),
    )
    report = preview(coordinator, csv_file(row(mine)))
    assert report.accepted[0].replaces
    outcomes_file.outcomes_import(
        acting_user=coordinator.user, membership=coordinator, content=csv_file(row(mine))
    )
    assert StudentOutcome.objects.get(enrolment=mine).status == OutcomeStatus.EMPLOYED
    assert AuditEntry.objects.get(action="outcome.correct").data["before"]["status"] == (
        "job_seeking"
    )


def test_the_same_student_twice_in_a_file_is_refused(world):
    mine = world["mine"]
    report = preview(
        world["coordinator"],
        csv_file(row(mine), row(mine, status="unknown", ssyk="", municipality="")),
    )
    assert report.refused[0].line == 3
    assert "already on row 2" in report.refused[0].messages[0]


def test_a_region_admin_imports_for_every_centre_of_the_region(world):
    admin = world["admin"]
    report = preview(admin, csv_file(row(world["mine"]), row(world["elsewhere"])))
    assert [r.line for r in report.accepted] == [2, 3]
    refused = preview(admin, csv_file(row(world["abroad"])))
    assert refused.refused[0].messages[0].startswith("Not found:")


def test_only_coordinators_and_region_admins_import(region, world):
    council = member(region, Role.COUNCIL_MEMBER)
    with pytest.raises(PermissionDenied):
        preview(council, csv_file(row(world["mine"])))


def test_a_file_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(services.ImportFileError, match="lacks the column"):
        services.import_dataset_read(b"reference;status\nVA-2026-000001;employed\n")
    with pytest.raises(services.ImportFileError, match="unknown column"):
        services.import_dataset_read(
            b"reference;offering;status;followed_up_on;personnummer\nx;y;z;w;v\n"
        )


def test_the_pages_upload_preview_and_confirm(region, world):
    coordinator = world["coordinator"]
    client = client_of(region, Role.COORDINATOR, scope_centre=coordinator.scope_centre)
    page = client.get(reverse("industriradet:outcome_import"))
    assert page.status_code == 200
    assert "reference;offering;status;followed_up_on" in page.content.decode()
    upload = SimpleUploadedFile("utfall.csv", csv_file(row(world["mine"])), "text/csv")
    response = client.post(reverse("industriradet:outcome_import"), {"file": upload})
    assert response["Location"] == reverse("industriradet:outcome_import_preview")
    shown = client.get(reverse("industriradet:outcome_import_preview"))
    assert shown.status_code == 200
    assert world["mine"].application.reference in shown.content.decode()
    assert not StudentOutcome.objects.exists()
    done = client.post(reverse("industriradet:outcome_import_confirm"))
    assert done["Location"] == reverse("industriradet:outcome_list")
    assert StudentOutcome.objects.get().enrolment == world["mine"]
    # The file is gone once imported.
    again = client.post(reverse("industriradet:outcome_import_confirm"))
    assert again["Location"] == reverse("industriradet:outcome_import")
    assert StudentOutcome.objects.count() == 1


def test_a_bad_file_is_refused_on_the_upload_page(region, world):
    client = client_of(region, Role.REGION_ADMIN)
    upload = SimpleUploadedFile("utfall.csv", b"reference;status\nx;y\n", "text/csv")
    response = client.post(reverse("industriradet:outcome_import"), {"file": upload})
    assert response.status_code == 200
    assert "lacks the column(s) offering, followed_up_on" in response.content.decode()
