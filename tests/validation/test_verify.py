"""The public verification page: anyone, without logging in, learns whether a code belongs to a
genuine certificate of this region and, if so, only the name, the standard and the date of
issue. A forged code reveals nothing; codes are never logged."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import AuditEntry
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    BORN,
    FIRST_NAME,
    LAST_NAME,
    anonymous,
    certificates_media,  # noqa: F401
    decided_case,
    issued,
)
from validation import certificates
from validation.models import Outcome

pytestmark = pytest.mark.usefixtures("certificates_media")

URL = reverse("validation:verify")
NOT_FOUND = "No certificate has this code."


@pytest.fixture(autouse=True)
def _no_earlier_failures():
    # The rate limit counts failures in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _check(code, host=cs.HOST):
    return anonymous(host).get(URL, {"code": code})


def _date(value):
    with translation.override("en"):
        return formats.date_format(value, "DATE_FORMAT")


def _main(page: str) -> str:
    # The page's own content: the rest carries a fresh CSRF token per response.
    return page[page.index("<main") : page.index("</main>")]


def _forged(genuine: str) -> str:
    """A well-formed code that differs from the genuine one in its last symbol."""
    last = genuine[-1]
    other = next(c for c in certificates.CODE_ALPHABET if c != last)
    return genuine[:-1] + other


def test_the_empty_form_is_public(region):
    response = anonymous().get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="code"' in page
    assert NOT_FOUND not in page


def test_a_genuine_code_shows_only_the_name_the_standard_and_the_date(region):
    decided = decided_case(
        region, outcomes={"grund": Outcome.VALIDATED, "mig": Outcome.NOT_VALIDATED}
    )
    case = decided.case
    certificate = issued(decided)

    response = _check(certificate.verification_code)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The certificate is genuine" in page
    assert f"{FIRST_NAME} {LAST_NAME}" in page
    assert "Standard svets (en)" in page
    assert _date(timezone.localdate(certificate.created_at)) in page
    # Nothing else about the person or the result.
    assert case.personnummer not in page
    assert case.personnummer[2:] not in page
    assert _date(BORN) not in page
    assert BORN.isoformat() not in page
    assert case.reference not in page
    for outcome in Outcome:
        assert str(outcome.label) not in page
    for area in case.standard.areas.all():
        assert area.name not in page and area.name_en not in page
        for course in area.courses.all():
            assert course.code not in page
    assert str(decided.assessor) not in page
    assert str(decided.second) not in page
    assert case.standard.owner not in page
    assert reverse("validation:certificate_download", args=[certificate.pk]) not in page


def test_a_code_is_found_however_it_is_typed(region):
    certificate = issued(decided_case(region))
    typed = certificate.verification_code.replace("-", " ").lower()

    assert "The certificate is genuine" in _check(f"  {typed} ").content.decode()


def test_a_forged_code_is_refused_and_reveals_nothing(region):
    decided = decided_case(region)
    certificate = issued(decided)
    forged = _forged(certificate.verification_code)

    page = _check(forged).content.decode()

    assert NOT_FOUND in page
    assert "The certificate is genuine" not in page
    assert LAST_NAME not in page
    assert "Standard svets" not in page
    # A near miss answers exactly like nonsense: nothing tells them apart.
    nonsense = _check("not a code at all").content.decode()
    assert _main(page).replace(forged, "X") == _main(nonsense).replace("not a code at all", "X")


def test_a_certificate_of_another_region_is_not_found_on_this_regions_host(region, foreign_region):
    foreign_certificate = issued(decided_case(foreign_region))

    here = _check(foreign_certificate.verification_code).content.decode()
    there = _check(foreign_certificate.verification_code, cs.FOREIGN_HOST).content.decode()

    assert NOT_FOUND in here
    assert LAST_NAME not in here
    assert "The certificate is genuine" in there


def test_a_revoked_certificate_says_so(region):
    certificate = issued(decided_case(region))
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])

    page = _check(certificate.verification_code).content.decode()

    assert "has been revoked" in page
    assert "Revoked" in page


def test_the_code_is_never_logged_and_the_check_is_audited_without_it(region, caplog):
    certificate = issued(decided_case(region))
    code = certificate.verification_code
    caplog.set_level(logging.DEBUG)

    _check(code)
    _check(_forged(code))

    assert code not in caplog.text
    assert _forged(code) not in caplog.text
    entry = AuditEntry.objects.get(action="validation.certificate_verify.view")
    assert entry.user is None
    assert entry.data == {"certificate": certificate.pk, "version": 1}
    for row in AuditEntry.objects.all():
        assert code not in f"{row.data} {row.object_repr}"


def test_the_page_keeps_the_code_out_of_referers_and_search_engines(region):
    response = _check("K7QM-2X9P-HJ4T-W8NC")

    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_too_many_failed_checks_from_one_address_are_refused_for_a_while(region, settings):
    settings.VALIDATION_VERIFY_FAILURES = 3
    certificate = issued(decided_case(region))

    for _ in range(3):
        assert _check("K7QM-2X9P-HJ4T-W8NC").status_code == 200
    refused = _check(certificate.verification_code)

    assert refused.status_code == 429
    assert "Too many codes were checked" in refused.content.decode()
    assert LAST_NAME not in refused.content.decode()
    cache.clear()  # the window has passed
    assert "The certificate is genuine" in _check(certificate.verification_code).content.decode()


def test_genuine_checks_do_not_count_towards_the_limit(region, settings):
    settings.VALIDATION_VERIFY_FAILURES = 2
    certificate = issued(decided_case(region))

    for _ in range(5):
        assert _check(certificate.verification_code).status_code == 200
