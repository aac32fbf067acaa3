"""What an e-ID login's verified personnummer does on the applicant's side, against the real
provider: it fills the application's number, which the applicant cannot change, and links the
applications the intake office registered under that number (on paper or imported)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Membership, Role, User
from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus
from tests.accounts.oidc.conftest import HOST, PERSONNUMMER, eid_login, person
from tests.factories import ApplicationFactory, OfferingFactory, RegionFactory

OTHER_NUMBER = pnr.build(dt.date(1985, 5, 4), 12)


@pytest.fixture
def browser(region):
    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")


def _login(browser, oidc_provider) -> User:
    oidc_provider.next_login(person())
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 200, flow.locations
    return User.objects.get(pk=browser.session["_auth_user_id"])


def test_a_new_application_carries_the_verified_number_and_keeps_it(oidc_provider, browser, region):
    user = _login(browser, oidc_provider)
    offering = OfferingFactory(region=region)
    browser.post(reverse("admissions:apply_start", args=[offering.pk]))
    application = Application.objects.get(applicant=user)
    assert application.personnummer == PERSONNUMMER
    assert application.birth_date.isoformat() == "1985-03-12"

    step = reverse("admissions:application_step", args=[application.pk, "identity"])
    page = browser.get(step).content.decode()
    assert "Verified by your e-ID login." in page
    assert (
        'name="personnummer"' in page and "disabled" in page.split('name="personnummer"')[1][:200]
    )

    browser.post(
        step,
        {
            "first_name": "Eva",
            "last_name": "Lind",
            "personnummer": OTHER_NUMBER,
            "has_no_identity_number": "on",
            "birth_date": "1990-01-01",
            "action": "next",
        },
    )
    application.refresh_from_db()
    assert application.first_name == "Eva"
    assert application.personnummer == PERSONNUMMER
    assert application.has_no_identity_number is False


def test_applications_registered_under_the_number_become_the_persons(
    oidc_provider, browser, region
):
    other_region = RegionFactory()
    paper = ApplicationFactory(region=region, applicant=None, personnummer=PERSONNUMMER)
    elsewhere = ApplicationFactory(region=other_region, applicant=None, personnummer=PERSONNUMMER)
    someone_else = ApplicationFactory(region=region, applicant=None, personnummer=OTHER_NUMBER)
    draft = ApplicationFactory(
        region=region,
        applicant=None,
        personnummer=PERSONNUMMER,
        status=ApplicationStatus.DRAFT,
        submitted_at=None,
    )

    user = _login(browser, oidc_provider)

    for application in (paper, elsewhere, someone_else, draft):
        application.refresh_from_db()
    assert paper.applicant == user and elsewhere.applicant == user
    assert someone_else.applicant is None and draft.applicant is None
    assert Membership.objects.filter(user=user, region=other_region, role=Role.APPLICANT).exists()
    links = AuditEntry.objects.filter(action="application.link")
    assert {event.region_id for event in links} == {region.pk, other_region.pk}
    assert all(PERSONNUMMER not in f"{event.data}{event.object_repr}" for event in links)
    assert paper.reference in browser.get(reverse("admissions:my_applications")).content.decode()

    # A second login links nothing more (and does not fail).
    browser.logout()
    _login(browser, oidc_provider)
    assert AuditEntry.objects.filter(action="application.link").count() == 2


def test_a_registered_application_for_a_period_the_person_already_applied_in_stays_unlinked(
    oidc_provider, browser, region
):
    user = _login(browser, oidc_provider)
    own = ApplicationFactory(region=region, applicant=user, personnummer=PERSONNUMMER)
    paper = ApplicationFactory(
        region=region, intake_period=own.intake_period, applicant=None, personnummer=PERSONNUMMER
    )
    browser.logout()
    _login(browser, oidc_provider)
    paper.refresh_from_db()
    assert paper.applicant is None
