"""Issuing certificates: only for decided cases with final results, immutable PDF/A documents
with a sha256 and a random verification code, a new version per issue, and what they say."""

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from accounts.models import AuditEntry
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    BORN,
    FIRST_NAME,
    LAST_NAME,
    certificates_media,  # noqa: F401
    decided_case,
    issued,
    pdf_text,
    pdf_xmp_metadata,
)
from validation import certificate_services, certificates, services
from validation.models import Certificate, Outcome

pytestmark = pytest.mark.usefixtures("certificates_media")

CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")


def _date(value, language):
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def test_a_case_in_assessment_gets_no_certificate(region):
    the_standard = cs.standard(region)
    by = cs.assessor(region)
    case = cs.mapped_case(region, the_standard, by=by)

    with pytest.raises(ValidationError) as error:
        certificate_services.certificate_issue(acting_user=by, case=case, language="sv")

    assert "only once the case's result is decided" in str(error.value)
    assert not Certificate.objects.exists()


def test_a_closed_case_gets_no_certificate(region):
    by = cs.assessor(region)
    case = cs.mapped_case(region, cs.standard(region), by=by)
    services.case_close(acting_user=by, case=case, reason="Personen avbröt.")

    with pytest.raises(ValidationError):
        certificate_services.certificate_issue(acting_user=by, case=case)

    assert not Certificate.objects.exists()


def test_a_correction_awaiting_sign_off_blocks_a_new_certificate(region):
    decided = decided_case(region, four_eyes=True)
    result = decided.case.results.order_by("id").first()
    services.result_correct(
        acting_user=decided.assessor,
        result=result,
        outcome=Outcome.NOT_VALIDATED,
        evidence="Omprövning.",
        reason="Fel i bedömningsmallen.",
    )

    with pytest.raises(ValidationError) as error:
        issued(decided)

    assert "must be final" in str(error.value)
    assert "Område grund" in str(error.value)


def test_only_an_assessor_of_the_region_issues(region, foreign_region):
    decided = decided_case(region)
    for outsider in (cs.member(region, "intake_officer"), cs.assessor(foreign_region)):
        with pytest.raises(ValidationError):
            certificate_services.certificate_issue(acting_user=outsider, case=decided.case)
    assert not Certificate.objects.exists()


def test_an_unknown_language_is_refused(region):
    decided = decided_case(region)

    with pytest.raises(ValidationError) as error:
        issued(decided, language="de")

    assert "language" in error.value.error_dict


def test_an_issued_certificate_is_stored_with_its_hash_code_and_audit_entry(region):
    decided = decided_case(region)

    certificate = issued(decided)

    content = certificate.file.read()
    assert content.startswith(b"%PDF-")
    assert certificate.sha256 == hashlib.sha256(content).hexdigest()
    assert CODE.match(certificate.verification_code)
    assert (certificate.version, certificate.language) == (1, "sv")
    assert certificate.issued_by == decided.assessor
    # The stored name is random: no reference, no name, no identity number.
    assert decided.case.reference not in certificate.file.name
    assert LAST_NAME not in certificate.file.name
    entry = AuditEntry.objects.get(action="validation.certificate_issue")
    assert entry.data["sha256"] == certificate.sha256
    # The code is the holder's secret: never in the audit log.
    assert certificate.verification_code not in str(entry.data)
    assert certificate.verification_code not in entry.object_repr


def test_issuing_again_makes_a_new_version_and_leaves_the_first_as_it_was(region):
    decided = decided_case(region)
    first = issued(decided)
    first_bytes = first.file.read()

    second = issued(decided, language="en")

    assert (second.version, second.language) == (2, "en")
    assert second.verification_code != first.verification_code
    assert second.file.name != first.file.name
    first.refresh_from_db()
    assert first.file.read() == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256


def test_codes_are_random_and_unguessable():
    codes = {certificates.new_verification_code() for _ in range(500)}

    assert len(codes) == 500
    assert all(CODE.match(code) for code in codes)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qm-2x9p-hj4t-w8nc", "K7QM-2X9P-HJ4T-W8NC"),
        (" K7QM 2X9P HJ4T W8NC ", "K7QM-2X9P-HJ4T-W8NC"),
        ("K7QM2X9PHJ4TW8NC", "K7QM-2X9P-HJ4T-W8NC"),
        ("K7QM-2X9P-HJ4T", None),
        ("K7QM-2X9P-HJ4T-W8N0", None),  # 0 is not in the alphabet
        ("", None),
    ],
)
def test_typed_codes_are_normalised(typed, expected):
    assert certificates.normalised_code(typed) == expected


# --- what the certificate says ------------------------------------------------------------------


def test_the_certificate_is_pdf_a(region):
    certificate = issued(decided_case(region))

    metadata = pdf_xmp_metadata(certificate.file.read())

    assert 'pdfaid:part="3"' in metadata or "<pdfaid:part>3</pdfaid:part>" in metadata
    assert 'pdfaid:conformance="B"' in metadata or "<pdfaid:conformance>B<" in metadata


def test_the_certificate_lists_person_standard_areas_courses_method_assessors_and_code(region):
    decided = decided_case(
        region, four_eyes=True, outcomes={"grund": Outcome.VALIDATED, "mig": Outcome.PARTLY}
    )
    case = decided.case
    case.standard.owner = "Svetskommissionen"
    case.standard.save(update_fields=["owner"])
    grund = case.standard.areas.get(code="grund")
    mig = case.standard.areas.get(code="mig")
    grund_course = grund.courses.get()
    mig_first, mig_second = mig.courses.order_by("code")
    decided.assessor.full_name = "Bo Bedömare"
    decided.assessor.save(update_fields=["full_name"])
    decided.second.full_name = "Siv Tvåöga"
    decided.second.save(update_fields=["full_name"])

    certificate = issued(decided, language="en")
    text = pdf_text(certificate.file.read())

    assert f"{FIRST_NAME} {LAST_NAME}" in text
    assert _date(BORN, "en") in text
    assert "Standard svets (en)" in text  # the English name of the standard
    assert "Svetskommissionen" in text
    assert "Area grund: Validated: course credited" in text
    assert "Area mig: Partly validated" in text
    assert f"{grund_course.name} {grund_course.code} 100" in text
    assert mig_first.code in text
    assert mig_second.code not in text  # partly: only the chosen course is credited
    assert "Credited in total: 200 vp" in text
    assert "Method: Practical test at a centre" in text
    assert "Assessed by Bo Bedömare" in text
    assert "Signed off by Siv Tvåöga (second assessor)" in text
    assert "Valideringscentrum Hemland" in text
    assert certificate.verification_code in text
    # On the region's own host name (a line may break anywhere in a long address).
    assert "https://hemland.example.test/validering/kontroll/" in text.replace(" ", "")
    assert case.reference in text
    # The identity number never: the birth date is the most the certificate says.
    assert case.personnummer not in text
    assert case.personnummer[2:] not in text


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_certificate_is_written_in_the_language_chosen(region, language):
    decided = decided_case(region, four_eyes=False)

    text = pdf_text(issued(decided, language=language).file.read())

    issued_on = decided.case.certificates.get().created_at.date()
    assert _date(issued_on, language) in text
    if language == "sv":
        assert "Kompetensintyg" in text or "Competence certificate" in text
        assert "Standard svets" in text and "Standard svets (en)" not in text
    else:
        assert "Competence certificate" in text
        assert "Standard svets (en)" in text
