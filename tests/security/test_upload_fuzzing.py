"""Random and hostile files, fed to the applicant's document upload and to the staff imports:
each is refused with a message for the person (a form error, never a 500), and the application
and its other documents are kept.

No Celery task reads an uploaded document (the appeal case file reads attachments in the
request that forwards it), so refusing at the upload is what keeps workers safe too.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admissions.applications.models import Application, ApplicationStatus, Document
from admissions.applications.services import transfer
from admissions.applications.services.applications import document_upload
from admissions.files import uploads
from industriradet.services import needs
from tests import sample_files
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.apply_support import PDF, pdf, staff
from tests.security import hostile_files as hostile

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFUSAL_CODES = {
    "bad_type",
    "empty",
    "damaged",
    "hidden_data",
    "active_content",
    "encrypted",
    "too_many_pages",
    "too_many_pixels",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(content: bytes, name: str = "betyg.pdf") -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        uploads.check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
    return raised.value


# --- the check itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", [sample_files.PDF, sample_files.PNG, sample_files.JPEG])
def test_real_files_are_accepted(content):
    assert uploads.check_upload(SimpleUploadedFile("x.pdf", content)) in uploads.EXTENSIONS


def test_a_pdf_whose_first_page_is_set_by_open_action_is_accepted():
    # What LibreOffice writes: a destination, not an action.
    content = sample_files.pdf_bytes(catalog_extra=b"/OpenAction [4 0 R /XYZ null null 0]")
    assert uploads.check_upload(SimpleUploadedFile("x.pdf", content)) == "application/pdf"


@FUZZ
@given(content=hostile.hostile_documents())
def test_every_hostile_file_is_refused_with_a_message(content):
    error = refusal(content)
    assert error.error_list[0].code in REFUSAL_CODES
    assert error.messages[0].strip()


@pytest.mark.parametrize("content", hostile.ACTIVE_PDFS)
def test_a_pdf_with_a_script_or_embedded_file_is_refused_as_active(content):
    assert refusal(content).error_list[0].code == "active_content"


@FUZZ
@given(content=hostile.huge_page_counts())
def test_a_pdf_with_too_many_pages_says_the_limit(content):
    error = refusal(content)
    assert error.error_list[0].code == "too_many_pages"
    assert "at most 200" in error.messages[0]


@FUZZ
@given(content=hostile.polyglots())
def test_a_polyglot_is_refused(content):
    assert refusal(content).error_list[0].code in {"hidden_data", "damaged", "bad_type"}


@FUZZ
@given(content=hostile.truncated_files())
def test_a_truncated_file_is_refused_as_damaged(content):
    assert refusal(content).error_list[0].code in {"damaged", "bad_type"}


def test_an_image_with_too_many_pixels_is_refused():
    assert refusal(hostile.oversized_image()).error_list[0].code == "too_many_pixels"


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_an_office_file_is_not_a_document_whatever_its_name(kind):
    assert refusal(hostile.zip_bomb(kind), name="cv.pdf").error_list[0].code == "bad_type"


@FUZZ
@given(
    content=st.binary(max_size=4096),
    head=st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"]),
)
def test_random_bytes_give_a_type_or_a_refusal_and_nothing_else(content, head):
    try:
        uploads.check_upload(SimpleUploadedFile("x.pdf", head + content))
    except ValidationError as error:
        assert error.error_list[0].code in REFUSAL_CODES


@FUZZ
@given(data=st.data())
def test_damaging_a_real_file_gives_a_type_or_a_refusal(data):
    original = data.draw(st.sampled_from([sample_files.PDF, sample_files.PNG, sample_files.JPEG]))
    at = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    junk = data.draw(st.binary(min_size=1, max_size=16))
    try:
        uploads.check_upload(SimpleUploadedFile("x.pdf", original[:at] + junk + original[at:]))
    except ValidationError as error:
        assert error.error_list[0].code in REFUSAL_CODES


# --- through the applicant's pages: a form error, and nothing lost -------------------------------


@pytest.fixture
def draft_with_document(applicant_client, applicant, offerings):
    applicant_client.post(reverse("admissions:apply_start", args=[offerings[0].pk]))
    draft = Application.objects.get()
    kept = document_upload(
        acting_user=applicant, application=draft, kind="grades", file=pdf(name="betyg.pdf")
    )
    return draft, kept


@FUZZ
@given(content=hostile.hostile_documents())
def test_the_documents_step_shows_the_refusal_and_keeps_the_draft(
    applicant_client, draft_with_document, content
):
    draft, kept = draft_with_document
    response = applicant_client.post(
        reverse("admissions:application_step", kwargs={"pk": draft.pk, "step": "documents"}),
        {"action": "upload", "kind": "cv", "file": SimpleUploadedFile("cv.pdf", content)},
    )
    assert response.status_code == 400
    # The check's own message, next to the field.
    assert escape(refusal(content).messages[0]) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert list(draft.documents.values_list("pk", flat=True)) == [kept.pk]
    with kept.file.open("rb") as stored:
        assert stored.read() == PDF


def test_the_service_refuses_without_storing_anything(draft_with_document, applicant):
    draft, kept = draft_with_document
    with pytest.raises(ValidationError):
        document_upload(
            acting_user=applicant,
            application=draft,
            kind="cv",
            file=SimpleUploadedFile("cv.pdf", hostile.ACTIVE_PDFS[0]),
        )
    assert list(Document.objects.values_list("pk", flat=True)) == [kept.pk]


# --- the staff imports --------------------------------------------------------------------------


IMPORT_HEADER = "personnummer;first_name;last_name;home_municipality_code;intake_period;choice_1"


def import_files():
    return st.one_of(
        hostile.hostile_documents(),
        st.binary(max_size=4096),
        st.text(max_size=2000).map(lambda text: text.encode("utf-8")),
        # A header the import knows, then random text rows.
        st.lists(st.text(max_size=80), max_size=20).map(
            lambda rows: "\n".join([IMPORT_HEADER, *rows]).encode("utf-8")
        ),
    )


@pytest.fixture
def officer(region):
    return staff(region)


@FUZZ
@given(content=import_files())
def test_the_application_import_refuses_what_it_cannot_read_with_a_message(
    region, officer, content
):
    try:
        preview = transfer.applications_import_preview(
            acting_user=officer, region=region, content=content
        )
    except transfer.ImportFileError as error:
        assert str(error)
    else:
        assert not preview.importable or preview.accepted


@FUZZ
@given(content=import_files())
def test_the_import_page_answers_every_file_with_the_form(client_for, officer, content):
    response = client_for(officer).post(
        reverse("admissions:transfer_import"),
        {"file": SimpleUploadedFile("remisser.csv", content, content_type="text/csv")},
    )
    if response.status_code == 302:
        # Read as CSV: on to the preview, which lists what is wrong with the rows.
        assert response["Location"] == reverse("admissions:transfer_import_preview")
    else:
        assert response.status_code == 200
        if not content:
            # Django's own FileField refuses an empty upload.
            assert "The submitted file is empty." in response.content.decode()
            return
        with pytest.raises(transfer.ImportFileError) as error:
            transfer.import_dataset_read(content)
        assert escape(str(error.value)) in response.content.decode()


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_zip_bomb_is_refused_by_the_needs_import_before_it_is_unpacked(kind):
    with pytest.raises(needs.ImportFileError, match=r"too large when unpacked|neither a CSV"):
        needs.import_dataset_read(hostile.zip_bomb(kind))


@FUZZ
@given(content=import_files())
def test_the_needs_import_refuses_what_it_cannot_read_with_a_message(content):
    try:
        needs.import_dataset_read(content)
    except needs.ImportFileError as error:
        assert str(error)
