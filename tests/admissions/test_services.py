"""Submitting an application: references, ranking and the rules that span rows."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from admissions.applications import personnummer
from admissions.applications.models import ApplicationStatus
from admissions.applications.services.applications import ApplicantDetails, application_submit
from tests.factories import (
    IntakePeriodFactory,
    MunicipalityFactory,
    OfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 3, 12)


@pytest.fixture
def period(region):
    return IntakePeriodFactory(region=region, code="demo-ht", starts_on=dt.date(2027, 8, 16))


@pytest.fixture
def offerings(region, period):
    return [OfferingFactory(region=region, intake_period=period) for _ in range(6)]


def details(region, **overrides) -> ApplicantDetails:
    values = {
        "first_name": "Maja",
        "last_name": "Lind",
        "birth_date": BORN,
        "home_municipality": MunicipalityFactory(region=region),
        "personnummer": personnummer.build(BORN, 123)[2:],
    }
    values.update(overrides)
    return ApplicantDetails(**values)


def submit(region, period, offerings, applicant=None, **overrides):
    return application_submit(
        acting_user=applicant,
        region=region,
        intake_period=period,
        applicant=applicant,
        details=details(region, **overrides),
        offerings=offerings,
    )


def test_a_submission_ranks_the_choices_in_order_and_gets_the_next_reference(
    region, period, offerings
):
    first = submit(region, period, offerings[:3], applicant=UserFactory())
    second = submit(region, period, offerings[3:4], applicant=UserFactory())

    assert first.reference == "HE-2027-000001"
    assert second.reference == "HE-2027-000002"
    assert [c.offering for c in first.choices.order_by("rank")] == offerings[:3]
    assert first.status == ApplicationStatus.SUBMITTED
    assert first.personnummer == personnummer.build(BORN, 123)
    entry = AuditEntry.objects.get(action="application.submit", object_id=str(first.pk))
    assert "personnummer" not in entry.data


def test_more_choices_than_the_region_allows_are_refused(region, period, offerings):
    with pytest.raises(ValidationError, match="between 1 and 5"):
        submit(region, period, offerings)


def test_an_offering_of_another_intake_period_is_refused(region, period, offerings):
    other = OfferingFactory(region=region)

    with pytest.raises(ValidationError, match="course of the intake period"):
        submit(region, period, [offerings[0], other])


def test_a_second_application_in_the_same_period_is_refused(region, period, offerings):
    applicant = UserFactory()
    submit(region, period, offerings[:1], applicant=applicant)

    with pytest.raises(ValidationError, match="already an application"):
        submit(region, period, offerings[1:2], applicant=applicant)


def test_a_date_of_birth_that_contradicts_the_personnummer_is_refused(region, period, offerings):
    with pytest.raises(ValidationError):
        submit(region, period, offerings[:1], birth_date=dt.date(1985, 3, 13))


def test_an_applicant_without_a_personnummer_can_apply(region, period, offerings):
    application = submit(region, period, offerings[:1], personnummer="")

    assert application.personnummer == ""
    assert application.masked_personnummer == ""
