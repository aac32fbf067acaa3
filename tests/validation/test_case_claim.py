"""A case the validation centre opens directly (a referral, an employer, the person's own
request) reaches the person's own page through the e-mail address the centre wrote down: at
opening when an applicant of the region has verified that address, otherwise when the person
signs in with it verified. Never by an unverified address, never across regions, never away
from someone it is already linked to."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import AuditEntry, Role
from tests.factories import MembershipFactory, UserFactory
from tests.validation import cases_support as cs
from tests.validation.certificates_support import (
    certificates_media,  # noqa: F401
    validation_centre,
)
from validation import certificate_services, services

pytestmark = pytest.mark.usefixtures("certificates_media")

URL = reverse("validation:my_validations")
ADDRESS = "amira.haddad@example.test"
HINT = "A case that the validation centre opens for you appears here once the e-mail address"


def _applicant(region, email=ADDRESS, *, verified=True):
    """An applicant of the region whose account has the address (verified or not)."""
    user = UserFactory(email=email.lower())
    MembershipFactory(user=user, region=region, role=Role.APPLICANT)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def _page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _decided_with_certificate(region, **values):
    """A direct case, every area validated, decided, and its certificate issued."""
    validation_centre(region)
    by = cs.assessor(region)
    case = cs.mapped_case(region, cs.standard(region), by=by, **values)
    cs.record_all(case, by)
    case = services.case_decide(acting_user=by, case=case)
    certificate = certificate_services.certificate_issue(acting_user=by, case=case)
    return case, certificate


def test_a_case_is_linked_at_opening_to_the_applicant_with_the_address_verified(region):
    person = _applicant(region)

    case = cs.direct_case(region, cs.standard(region), email=ADDRESS)

    assert case.person == person
    assert case.reference in _page(cs.client_for(person))
    entry = AuditEntry.objects.get(action="validation_case.open", object_id=str(case.pk))
    assert entry.data["person"] == person.pk
    assert ADDRESS not in str(entry.data)


def test_an_unverified_address_links_nothing_at_opening_or_on_the_page(region):
    person = _applicant(region, verified=False)

    case = cs.direct_case(region, cs.standard(region), email=ADDRESS)
    page = _page(cs.client_for(person))

    case.refresh_from_db()
    assert case.person is None
    assert case.reference not in page
    assert HINT in page
    assert not AuditEntry.objects.filter(action="validation_case.claim").exists()


def test_an_applicant_of_another_region_is_not_linked(region, foreign_region):
    stranger = _applicant(foreign_region)

    case = cs.direct_case(region, cs.standard(region), email=ADDRESS)

    assert case.person is None
    assert services.cases_claim(user=stranger, region=region) == []
    assert services.cases_claim(user=stranger, region=foreign_region) == []
    case.refresh_from_db()
    assert case.person is None


def test_the_page_does_not_claim_a_case_of_another_region(region, foreign_region):
    person = _applicant(region)
    abroad = cs.direct_case(foreign_region, cs.standard(foreign_region), email=ADDRESS)

    _page(cs.client_for(person))

    abroad.refresh_from_db()
    assert abroad.person is None


def test_signing_in_later_shows_the_case_and_its_certificate(region):
    case, certificate = _decided_with_certificate(region, email=ADDRESS)
    assert case.person is None
    person = _applicant(region)
    client = cs.client_for(person)

    page = _page(client)

    case.refresh_from_db()
    assert case.person == person
    assert case.reference in page
    download = reverse("validation:certificate_download", args=[certificate.pk])
    assert download in page
    assert HINT not in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    entry = AuditEntry.objects.get(action="validation_case.claim")
    assert (entry.object_id, entry.user, entry.role) == (str(case.pk), person, Role.APPLICANT)
    assert entry.data == {"case": case.pk, "person": person.pk}
    assert entry.object_repr == case.reference
    for personal in (ADDRESS, case.first_name, case.last_name):
        assert personal not in str(entry.data)


def test_a_case_linked_to_someone_else_is_not_taken(region):
    other = _applicant(region, "someone.else@example.test")
    case = cs.direct_case(region, cs.standard(region), email=ADDRESS, person=other)
    person = _applicant(region)

    page = _page(cs.client_for(person))

    case.refresh_from_db()
    assert case.person == other
    assert case.reference not in page
    assert not AuditEntry.objects.filter(action="validation_case.claim").exists()


def test_a_second_visit_links_nothing_more(region):
    case = cs.direct_case(region, cs.standard(region), email=ADDRESS)
    person = _applicant(region)
    client = cs.client_for(person)

    _page(client)
    page = _page(client)

    assert case.reference in page
    assert AuditEntry.objects.filter(action="validation_case.claim").count() == 1


def test_the_address_matches_whatever_its_capitals(region):
    later = cs.direct_case(region, cs.standard(region, code="cnc"), email=ADDRESS.upper())
    person = _applicant(region, "Amira.Haddad@Example.TEST")

    at_opening = cs.direct_case(region, cs.standard(region), email=ADDRESS)
    page = _page(cs.client_for(person))

    later.refresh_from_db()
    assert at_opening.person == person
    assert later.person == person
    assert later.reference in page


def test_an_address_two_accounts_have_verified_links_neither(region):
    first = _applicant(region, ADDRESS)
    # Another account (signed in with another address) with the same address verified in
    # other capitals, as older data may have it.
    second = MembershipFactory(region=region, role=Role.APPLICANT).user
    EmailAddress.objects.create(user=second, email="Amira.Haddad@example.test", verified=True)

    case = cs.direct_case(region, cs.standard(region), email=ADDRESS)

    assert case.person is None
    assert services.cases_claim(user=first, region=region) == []
    assert services.cases_claim(user=second, region=region) == []


def test_the_case_page_tells_the_staff_whether_the_person_sees_it(region):
    by = cs.assessor(region)
    client = cs.client_for(by)
    the_standard = cs.standard(region)
    waiting = cs.direct_case(region, the_standard, by=by, email=ADDRESS)

    def account_line(case):
        page = client.get(reverse("validation:case_detail", args=[case.pk])).content.decode()
        return page.split('id="person-account">', 1)[1].split("</dd>", 1)[0]

    assert account_line(waiting) == (
        "Not linked to an account yet: it appears on the person's page once they sign in "
        f"with a verified e-mail address {ADDRESS}."
    )
    _applicant(region)
    linked = cs.direct_case(region, cs.standard(region, code="cnc"), by=by, email=ADDRESS)
    assert account_line(linked) == "The person sees this case on their page."
    without = cs.direct_case(region, cs.standard(region, code="el"), by=by)
    assert account_line(without) == (
        "Not linked to an account: the case has no e-mail address to link it by."
    )
