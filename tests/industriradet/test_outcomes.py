"""Recording a student's outcome about six months after the end: the rules of the service, the
defaults offered, corrections in place with the audit log, and the pages' scope (a coordinator's
own centre; region admins read; council members never)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry, Role
from admissions.applications.models import PriorEducation
from admissions.enrolment.models import EnrolmentStatus
from industriradet.models import (
    AgeBand,
    Birthplace,
    OutcomeStatus,
    Sex,
    StudentOutcome,
    TimeInSweden,
)
from industriradet.selectors import outcomes as selectors
from industriradet.services import outcomes as services
from industriradet.services.outcomes import OutcomeDetails
from tests.factories import CentreFactory, MunicipalityFactory, OfferingFactory
from tests.industriradet.outcomes_support import (
    client_of,
    days_ago,
    member,
    past_offering,
    student,
)

LIST = reverse("industriradet:outcome_list")


def record_url(enrolment) -> str:
    return reverse("industriradet:outcome_record", args=[enrolment.pk])


@pytest.fixture
def centre(region):
    return CentreFactory(region=region, name="Yrkescenter Hemby")


@pytest.fixture
def coordinator(region, centre):
    return member(region, Role.COORDINATOR, scope_centre=centre).user


def details(**values) -> OutcomeDetails:
    values.setdefault("status", OutcomeStatus.JOB_SEEKING)
    values.setdefault("followed_up_on", days_ago(20))
    return OutcomeDetails(**values)


# --- the service ------------------------------------------------------------------------------


def test_employed_needs_an_occupation(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            acting_user=coordinator,
            enrolment=enrolment,
            details=details(status=OutcomeStatus.EMPLOYED, ssyk_code=""),
        )
    assert "ssyk_code" in caught.value.error_dict
    assert not StudentOutcome.objects.exists()


def test_an_employed_outcome_keeps_occupation_and_municipality(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    # The employer's municipality may be one outside the agreement.
    outside = MunicipalityFactory(region=region, code="1883", name="Karlskoga", is_party=False)
    recorded = services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(
            status=OutcomeStatus.EMPLOYED, ssyk_code="7212", employer_municipality=outside
        ),
    )
    outcome = StudentOutcome.objects.get(enrolment=enrolment)
    assert recorded.change == "created"
    assert (outcome.status, outcome.ssyk_code, outcome.employer_municipality) == (
        OutcomeStatus.EMPLOYED,
        "7212",
        outside,
    )
    entry = AuditEntry.objects.get(action="outcome.record")
    assert entry.data["ssyk_code"] == "7212"
    assert entry.data["employer_municipality"] == "1883"
    assert entry.data["enrolment"] == enrolment.pk


def test_another_regions_municipality_is_refused(region, foreign_region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    foreign = MunicipalityFactory(region=foreign_region)
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            acting_user=coordinator,
            enrolment=enrolment,
            details=details(
                status=OutcomeStatus.EMPLOYED, ssyk_code="7212", employer_municipality=foreign
            ),
        )
    assert "employer_municipality" in caught.value.error_dict


def test_occupation_is_cleared_unless_employed(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(status=OutcomeStatus.STUDYING, ssyk_code="7212"),
    )
    assert StudentOutcome.objects.get().ssyk_code == ""


def test_a_correction_updates_in_place_and_logs_before_and_after(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    services.outcome_record(
        acting_user=coordinator, enrolment=enrolment, details=details(status="job_seeking")
    )
    corrected = services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(status=OutcomeStatus.EMPLOYED, ssyk_code="7212"),
    )
    assert corrected.change == "updated"
    assert StudentOutcome.objects.count() == 1
    assert StudentOutcome.objects.get().status == OutcomeStatus.EMPLOYED
    entry = AuditEntry.objects.get(action="outcome.correct")
    assert entry.data["before"]["status"] == "job_seeking"
    assert entry.data["after"]["status"] == "employed"
    assert entry.data["after"]["ssyk_code"] == "7212"
    # Saying the same again changes nothing and logs nothing.
    again = services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(status=OutcomeStatus.EMPLOYED, ssyk_code="7212"),
    )
    assert again.change == "unchanged"
    assert AuditEntry.objects.filter(action__startswith="outcome.").count() == 2


def test_a_follow_up_far_from_six_months_is_saved_with_a_warning(region, centre, coordinator):
    # Ended 200 days ago: six months after is 18 days ago; 190 days after the end is fine,
    # 10 days after the end is far off (more than two months early).
    enrolment = student(region, past_offering(region, centre=centre, ended_days_ago=200))
    fine = services.outcome_record(
        acting_user=coordinator, enrolment=enrolment, details=details(followed_up_on=days_ago(10))
    )
    assert fine.warnings == ()
    early = services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(followed_up_on=days_ago(190)),
    )
    assert early.change == "updated"
    assert len(early.warnings) == 1
    assert "about six months" in early.warnings[0]


def test_the_follow_up_date_has_happened_and_is_after_the_end(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre, ended_days_ago=200))
    for followed_up_on in (days_ago(-1), days_ago(201)):
        with pytest.raises(ValidationError) as caught:
            services.outcome_record(
                acting_user=coordinator,
                enrolment=enrolment,
                details=details(followed_up_on=followed_up_on),
            )
        assert "followed_up_on" in caught.value.error_dict


def test_only_a_student_who_ended_is_followed_up(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre), status="started")
    with pytest.raises(ValidationError):
        services.outcome_record(acting_user=coordinator, enrolment=enrolment, details=details())
    assert not StudentOutcome.objects.exists()


def test_time_in_sweden_follows_the_birthplace(region, centre, coordinator):
    enrolment = student(region, past_offering(region, centre=centre))
    with pytest.raises(ValidationError) as caught:
        services.outcome_record(
            acting_user=coordinator,
            enrolment=enrolment,
            details=details(birthplace=Birthplace.SWEDEN, time_in_sweden=TimeInSweden.UNDER_2),
        )
    assert "time_in_sweden" in caught.value.error_dict
    with pytest.raises(ValidationError):
        services.outcome_record(
            acting_user=coordinator,
            enrolment=enrolment,
            details=details(
                birthplace=Birthplace.ABROAD, time_in_sweden=TimeInSweden.NOT_APPLICABLE
            ),
        )
    services.outcome_record(
        acting_user=coordinator,
        enrolment=enrolment,
        details=details(birthplace=Birthplace.SWEDEN, time_in_sweden=TimeInSweden.UNKNOWN),
    )
    assert StudentOutcome.objects.get().time_in_sweden == TimeInSweden.NOT_APPLICABLE


def test_defaults_come_from_the_application(region, centre):
    offering = past_offering(region, centre=centre)
    # Born 1990-05-04; the offering ended 200 days ago, so the age band follows from that date.
    enrolment = student(
        region,
        offering,
        birth_date=dt.date(1990, 5, 4),
        serial=124,  # the second-to-last digit, 4, is even: a woman
        prior_education=PriorEducation.UPPER_SECONDARY,
    )
    defaults = services.outcome_defaults(enrolment)
    assert defaults["sex"] == Sex.FEMALE
    assert defaults["prior_education"] == PriorEducation.UPPER_SECONDARY
    assert defaults["age_band"] == services.age_band_at(dt.date(1990, 5, 4), offering.ends_on)
    assert services.sex_from_identity_number("199005041239") == Sex.MALE  # 3: odd
    assert services.sex_from_identity_number("") == Sex.UNKNOWN


def test_age_bands_at_the_end_date():
    born = dt.date(2000, 6, 15)
    assert services.age_band_at(born, dt.date(2025, 6, 14)) == AgeBand.UNDER_25  # 24
    assert services.age_band_at(born, dt.date(2025, 6, 15)) == AgeBand.AGE_25_34  # 25
    assert services.age_band_at(born, dt.date(2035, 6, 15)) == AgeBand.AGE_35_44  # 35
    assert services.age_band_at(born, dt.date(2055, 6, 15)) == AgeBand.AGE_55_PLUS  # 55
    assert services.age_band_at(None, dt.date(2025, 1, 1)) == AgeBand.UNKNOWN


# --- the pages ----------------------------------------------------------------------------------


def test_the_list_shows_due_upcoming_and_recorded_students(region, centre, coordinator):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    due = student(region, past_offering(region, centre=centre, ended_days_ago=200))
    recent = student(region, past_offering(region, centre=centre, ended_days_ago=30))
    done = student(region, past_offering(region, centre=centre, ended_days_ago=250))
    services.outcome_record(acting_user=coordinator, enrolment=done, details=details())
    other_centre = student(region, past_offering(region, ended_days_ago=200))
    response = client.get(LIST)
    assert response.status_code == 200
    lists = response.context["lists"]
    assert [row.enrolment for row in lists.due] == [due]
    assert [row.enrolment for row in lists.upcoming] == [recent]
    assert [row.enrolment for row in lists.recorded] == [done]
    assert other_centre.application.reference not in response.content.decode()
    assert AuditEntry.objects.filter(action="outcome.list.view").count() == 1


def test_a_coordinator_records_an_outcome(region, centre):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    enrolment = student(region, past_offering(region, centre=centre, ended_days_ago=200))
    page = client.get(record_url(enrolment))
    assert page.status_code == 200
    assert page.context["form"].initial["sex"] == Sex.MALE  # serial 123
    response = client.post(
        record_url(enrolment),
        {
            "status": "employed",
            "followed_up_on": days_ago(15).isoformat(),
            "ssyk_code": "7212",
            "employer_municipality": "",
            "sex": "male",
            "age_band": "35_44",
            "prior_education": "upper_secondary",
            "birthplace": "abroad",
            "time_in_sweden": "5to10",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    outcome = StudentOutcome.objects.get(enrolment=enrolment)
    assert (outcome.status, outcome.ssyk_code, outcome.time_in_sweden) == (
        "employed",
        "7212",
        "5to10",
    )
    assert outcome.recorded_by == client.user


def test_the_form_keeps_the_input_when_the_occupation_is_missing(region, centre):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    enrolment = student(region, past_offering(region, centre=centre))
    followed = days_ago(12).isoformat()
    response = client.post(
        record_url(enrolment),
        {
            "status": "employed",
            "followed_up_on": followed,
            "ssyk_code": "",
            "sex": "female",
            "age_band": "25_34",
            "prior_education": "",
            "birthplace": "sweden",
            "time_in_sweden": "na",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "ssyk_code" in form.errors
    html = response.content.decode()
    assert f'value="{followed}"' in html
    assert re.search(r'<input[^>]*name="sex"[^>]*value="female"[^>]*checked', html)
    assert "Enter the occupation (SSYK 2012) of the job." in html
    assert not StudentOutcome.objects.exists()


def test_another_centres_student_is_not_found(region, centre):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    elsewhere = student(region, past_offering(region))
    assert client.get(record_url(elsewhere)).status_code == 404
    assert client.post(record_url(elsewhere), {"status": "unknown"}).status_code == 404
    studying = student(region, past_offering(region, centre=centre), status="started")
    assert client.get(record_url(studying)).status_code == 404
    assert not StudentOutcome.objects.exists()


def test_another_regions_student_is_not_found(region, foreign_region):
    admin = client_of(region, Role.REGION_ADMIN)
    abroad = student(foreign_region, past_offering(foreign_region))
    assert admin.get(record_url(abroad)).status_code == 404


def test_council_members_never_see_the_follow_up(region, centre):
    client = client_of(region, Role.COUNCIL_MEMBER)
    enrolment = student(region, past_offering(region, centre=centre))
    assert client.get(LIST).status_code == 403
    assert client.get(record_url(enrolment)).status_code == 403
    assert client.post(record_url(enrolment), {"status": "unknown"}).status_code == 403
    assert client.get(reverse("industriradet:outcome_import")).status_code == 403


def test_a_region_admin_reads_every_centre_but_does_not_record(region, centre, coordinator):
    client = client_of(region, Role.REGION_ADMIN)
    here = student(region, past_offering(region, centre=centre))
    there_centre = CentreFactory(region=region)
    there = student(
        region,
        OfferingFactory(
            region=region, centre=there_centre, ends_on=days_ago(200), starts_on=days_ago(500)
        ),
    )
    services.outcome_record(acting_user=coordinator, enrolment=here, details=details())
    listed = client.get(LIST)
    due = {row.enrolment for row in listed.context["lists"].due}
    recorded = {row.enrolment for row in listed.context["lists"].recorded}
    assert due == {there} and recorded == {here}
    filtered = client.get(LIST, {"centre": there_centre.pk})
    assert {row.enrolment for row in filtered.context["lists"].recorded} == set()
    page = client.get(record_url(here))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Job-seeking" in page.content.decode()
    assert client.post(record_url(here), {"status": "unknown"}).status_code == 403
    assert StudentOutcome.objects.get().status == OutcomeStatus.JOB_SEEKING


def test_an_ended_status_in_the_enrolment_is_shown(region, centre):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    stopped = student(
        region,
        past_offering(region, centre=centre),
        status=EnrolmentStatus.INTERRUPTED,
        ended_on=days_ago(250),
    )
    page = client.get(record_url(stopped))
    assert page.status_code == 200
    assert "Stopped early" in page.content.decode()


def test_the_followed_up_list_is_paged(region, centre, coordinator, monkeypatch):
    monkeypatch.setattr(selectors, "RECORDED_PER_PAGE", 2)
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    offering = past_offering(region, centre=centre)
    for serial in range(3):
        enrolment = student(region, offering, serial=serial)
        services.outcome_record(
            acting_user=coordinator,
            enrolment=enrolment,
            details=details(followed_up_on=days_ago(10 + serial)),
        )
    first = client.get(LIST)
    assert len(first.context["lists"].recorded) == 2
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["lists"].recorded) == 1


def test_opening_a_students_page_is_logged(region, centre):
    client = client_of(region, Role.COORDINATOR, scope_centre=centre)
    enrolment = student(region, past_offering(region, centre=centre))
    client.get(record_url(enrolment))
    entry = AuditEntry.objects.get(action="outcome.view")
    assert entry.object_id == str(enrolment.pk)
