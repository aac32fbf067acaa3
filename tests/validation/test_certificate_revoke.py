"""Revoking a competence certificate: only an assessor of the region, with a reason, once. The
reason stays on the certificate (not in the audit log); the file stays; the public check, the
person's page and the intake office's fragment then show the certificate as revoked."""

import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import AuditEntry, Role
from tests.conftest import need_service
from tests.factories import UserFactory
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    LAST_NAME,
    anonymous,
    certificates_media,  # noqa: F401
    decided_case,
    issued,
)
from validation import certificate_services
from validation.case_summaries import case_summaries
from validation.models import Certificate, ValidationCase

pytestmark = pytest.mark.usefixtures("certificates_media")

REASON = "Utfärdat på fel standard; personen har fått ett nytt intyg."


@pytest.fixture(autouse=True)
def _no_earlier_failures():
    # The public check's rate limit counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _revoke_url(certificate):
    return reverse("validation:certificate_revoke", args=[certificate.pk])


def _list_url(case):
    return reverse("validation:case_certificates", args=[case.pk])


def _field(certificate) -> str:
    return f"revoke-{certificate.pk}-reason"


def _date(value):
    with translation.override("en"):
        return formats.date_format(value, "DATE_FORMAT")


def _revoke(decided, certificate, reason=REASON):
    return certificate_services.certificate_revoke(
        acting_user=decided.assessor, certificate=certificate, reason=reason
    )


# --- the service -------------------------------------------------------------------------------


def test_an_assessor_of_the_region_revokes_with_a_reason(region):
    decided = decided_case(region)
    certificate = issued(decided)
    assessor = cs.assessor(region)

    revoked = certificate_services.certificate_revoke(
        acting_user=assessor, certificate=certificate, reason=f"  {REASON}\n"
    )

    stored = Certificate.objects.get(pk=certificate.pk)
    assert revoked.pk == certificate.pk
    assert stored.revoked_at is not None
    assert stored.revoked_by == assessor
    assert stored.revocation_reason == REASON
    # The file is the record of what was issued: it stays.
    assert stored.file.storage.exists(stored.file.name)


def test_a_reason_is_required(region):
    decided = decided_case(region)
    certificate = issued(decided)

    with pytest.raises(ValidationError) as refused:
        _revoke(decided, certificate, reason="   ")

    assert refused.value.message_dict == {"reason": ["Say why the certificate is revoked."]}
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


@pytest.mark.parametrize("who", ["foreign_assessor", "region_admin", "nobody"])
def test_only_an_assessor_of_the_region_may_revoke(region, foreign_region, who):
    certificate = issued(decided_case(region))
    user = {
        "foreign_assessor": lambda: cs.assessor(foreign_region),
        "region_admin": lambda: cs.member(region, Role.REGION_ADMIN),
        "nobody": UserFactory,
    }[who]()

    with pytest.raises(ValidationError) as refused:
        certificate_services.certificate_revoke(
            acting_user=user, certificate=certificate, reason=REASON
        )

    assert "Only a validation assessor of the region can revoke" in str(refused.value)
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
    assert not AuditEntry.objects.filter(action="validation.certificate_revoke").exists()


def test_revoking_twice_is_refused_and_keeps_the_first_revocation(region):
    decided = decided_case(region)
    certificate = issued(decided)
    # Loaded before the first revocation, as by a second request at the same time: the
    # service reads the row again under its lock.
    stale = Certificate.objects.get(pk=certificate.pk)
    _revoke(decided, certificate)
    first = Certificate.objects.get(pk=certificate.pk)

    with pytest.raises(ValidationError) as refused:
        certificate_services.certificate_revoke(
            acting_user=cs.assessor(region), certificate=stale, reason="Ett annat skäl."
        )

    assert "already revoked on" in str(refused.value)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert (stored.revoked_at, stored.revoked_by, stored.revocation_reason) == (
        first.revoked_at,
        decided.assessor,
        REASON,
    )
    assert AuditEntry.objects.filter(action="validation.certificate_revoke").count() == 1


def test_the_audit_entry_names_the_certificate_but_not_the_reason(region):
    decided = decided_case(region)
    certificate = issued(decided)

    _revoke(decided, certificate)

    entry = AuditEntry.objects.get(action="validation.certificate_revoke")
    assert entry.user == decided.assessor
    assert entry.region == region
    assert (entry.object_type, entry.object_id) == (
        "validation.validationcase",
        str(decided.case.pk),
    )
    assert entry.data == {
        "certificate": certificate.pk,
        "version": certificate.version,
        "language": certificate.language,
    }
    assert REASON not in f"{entry.data} {entry.object_repr}"
    assert certificate.verification_code not in f"{entry.data} {entry.object_repr}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_revocations_at_once_store_one(region):
    if connection.vendor != "postgresql":
        need_service("revoking at once needs PostgreSQL's row locks (DATABASE_URL)")
    decided = decided_case(region)
    certificate = issued(decided)
    other = cs.assessor(region)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run(user, reason):
        try:
            barrier.wait()
            results.append(
                certificate_services.certificate_revoke(
                    acting_user=user, certificate=certificate, reason=reason
                )
            )
        except BaseException as error:  # reported by the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(decided.assessor, "Första skälet.")),
        threading.Thread(target=run, args=(other, "Andra skälet.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.revocation_reason == results[0].revocation_reason
    assert AuditEntry.objects.filter(action="validation.certificate_revoke").count() == 1


# --- the page ----------------------------------------------------------------------------------


def test_posting_a_reason_revokes_and_redirects_with_a_message(region):
    decided = decided_case(region)
    certificate = issued(decided)
    client = cs.client_for(decided.assessor)

    response = client.post(_revoke_url(certificate), {_field(certificate): REASON})

    assert response.status_code == 302
    assert response["Location"] == _list_url(decided.case)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.revoked_by == decided.assessor
    assert stored.revocation_reason == REASON
    page = client.get(response["Location"]).content.decode()
    assert "Certificate version 1 is revoked." in page
    revoked_on = _date(timezone.localdate(stored.revoked_at))
    assert f"Revoked on {revoked_on} by {decided.assessor}: {REASON}" in page
    # A revoked certificate offers no form to revoke it again.
    assert _revoke_url(certificate) not in page


def test_the_list_offers_a_form_for_each_unrevoked_certificate(region):
    decided = decided_case(region)
    old = issued(decided)
    new = issued(decided, language="en")
    _revoke(decided, old)

    page = cs.client_for(decided.assessor).get(_list_url(decided.case)).content.decode()

    assert f'action="{_revoke_url(new)}"' in page
    assert f'name="{_field(new)}"' in page
    assert _revoke_url(old) not in page
    assert "<details>" in page
    assert f'<label class="label" for="id_{_field(new)}">' in page


def test_a_region_admin_sees_revocations_but_gets_no_form(region):
    decided = decided_case(region)
    certificate = issued(decided)
    admin = cs.client_for(cs.member(region, Role.REGION_ADMIN))

    page = admin.get(_list_url(decided.case)).content.decode()
    refused = admin.post(_revoke_url(certificate), {_field(certificate): REASON})

    assert _revoke_url(certificate) not in page
    assert refused.status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


def test_get_is_not_allowed(region):
    decided = decided_case(region)
    certificate = issued(decided)

    response = cs.client_for(decided.assessor).get(_revoke_url(certificate))

    assert response.status_code == 405
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


def test_a_missing_reason_keeps_the_form_open_and_shows_the_error(region):
    decided = decided_case(region)
    certificate = issued(decided)
    client = cs.client_for(decided.assessor)

    response = client.post(_revoke_url(certificate), {_field(certificate): "  "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This field is required." in page
    assert "<details open>" in page
    assert f'action="{_revoke_url(certificate)}"' in page
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


def test_a_refusal_keeps_what_was_typed(region, monkeypatch):
    decided = decided_case(region)
    certificate = issued(decided)
    client = cs.client_for(decided.assessor)

    def refuse(**kwargs):
        raise ValidationError({"reason": "Skälet räcker inte."})

    monkeypatch.setattr(certificate_services, "certificate_revoke", refuse)
    response = client.post(_revoke_url(certificate), {_field(certificate): "Ett skäl"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Skälet räcker inte." in page
    assert "Ett skäl</textarea>" in page


def test_revoking_an_already_revoked_certificate_on_the_page_says_so(region):
    decided = decided_case(region)
    certificate = issued(decided)
    _revoke(decided, certificate)

    response = cs.client_for(decided.assessor).post(
        _revoke_url(certificate), {_field(certificate): "Ett annat skäl."}
    )

    assert response.status_code == 400
    assert "This certificate was already revoked on" in response.content.decode()
    assert Certificate.objects.get(pk=certificate.pk).revocation_reason == REASON


def test_another_regions_certificate_is_a_404(region, foreign_region):
    foreign = issued(decided_case(foreign_region))
    client = cs.client_for(cs.assessor(region))

    assert client.post(_revoke_url(foreign), {_field(foreign): REASON}).status_code == 404
    assert client.get(_revoke_url(foreign)).status_code == 404
    assert Certificate.objects.get(pk=foreign.pk).revoked_at is None


# --- where a revoked certificate shows --------------------------------------------------------


def test_the_public_check_says_revoked_with_the_date_and_nothing_more(region):
    decided = decided_case(region)
    certificate = issued(decided)
    _revoke(decided, certificate)
    stored = Certificate.objects.get(pk=certificate.pk)

    response = anonymous().get(
        reverse("validation:verify"), {"code": certificate.verification_code}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The certificate is genuine but has been revoked" in page
    assert f"revoked it on {_date(timezone.localdate(stored.revoked_at))}" in page
    assert LAST_NAME in page
    assert REASON not in page
    assert str(decided.assessor) not in page
    assert reverse("validation:certificate_download", args=[certificate.pk]) not in page


def test_the_person_sees_the_certificate_labelled_revoked_and_can_still_download_it(region):
    decided = decided_case(region)
    certificate = issued(decided)
    _revoke(decided, certificate)
    stored = Certificate.objects.get(pk=certificate.pk)
    person = cs.client_for(decided.case.person)

    page = person.get(reverse("validation:my_validations")).content.decode()
    download = person.get(reverse("validation:certificate_download", args=[certificate.pk]))

    assert "Revoked competence certificate, version 1 (SV, PDF)" in page
    assert (
        f"The validation centre revoked this certificate on "
        f"{_date(timezone.localdate(stored.revoked_at))}" in page
    )
    assert REASON not in page
    assert download.status_code == 200


def test_a_revoked_certificate_is_not_the_current_one_nor_cited(region):
    decided = decided_case(region)
    first = issued(decided)
    second = issued(decided, language="en")
    case = ValidationCase.objects.select_related("standard").get(pk=decided.case.pk)

    _revoke(decided, second)
    [summary] = case_summaries([case])
    assert summary.current_certificate == first
    assert second.verification_code not in summary.citation

    _revoke(decided, first)
    [summary] = case_summaries([case])
    assert summary.current_certificate is None
    assert first.verification_code not in summary.citation
    assert summary.citation
