"""Bulk actions on a selection from the queue: a confirmation page lists what will change and
changes nothing; confirming applies everything in one go and audits each application."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.applications.models import CompletionRequest, EligibilityDecision
from tests.admissions.intake_support import staff_client
from tests.factories import ApplicationFactory, ChoiceFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

BULK = reverse("admissions:intake_bulk")


@pytest.fixture
def officer(region):
    return staff_client(region)


@pytest.fixture
def applications(region):
    picked = []
    for _ in range(2):
        application = ApplicationFactory(region=region)
        ChoiceFactory(application=application, rank=1)
        ChoiceFactory(application=application, rank=2)
        picked.append(application)
    return picked


def pks(applications):
    return [a.pk for a in applications]


def test_marking_eligible_asks_for_confirmation_and_changes_nothing_before(officer, applications):
    response = officer.post(BULK, {"applications": pks(applications), "action": "mark_eligible"})
    assert response.status_code == 200
    page = response.content.decode()
    for application in applications:
        assert application.reference in page
    assert response.context["change_count"] == 4
    assert not EligibilityDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="choice.eligibility").exists()


def test_confirming_marks_every_choice_eligible_and_audits_each_application(officer, applications):
    already = applications[0].choices.get(rank=1)
    EligibilityDecision.objects.create(choice=already, eligible=True, decided_by=officer.user)
    response = officer.post(
        BULK, {"applications": pks(applications), "action": "mark_eligible", "step": "apply"}
    )
    assert response.status_code == 302
    # The choice already eligible gets no second row.
    assert EligibilityDecision.objects.count() == 4
    assert set(EligibilityDecision.objects.values_list("eligible", flat=True)) == {True}
    audited = AuditEntry.objects.filter(action="choice.eligibility").values_list(
        "object_id", flat=True
    )
    assert sorted(audited) == sorted(str(pk) for pk in pks(applications))


def test_applications_out_of_scope_are_left_alone(officer, region, foreign_region):
    foreign = ChoiceFactory(application=ApplicationFactory(region=foreign_region)).application
    response = officer.post(
        BULK, {"applications": [foreign.pk], "action": "mark_eligible", "step": "apply"}
    )
    assert response.status_code == 302
    assert not EligibilityDecision.objects.exists()


def test_requesting_completion_goes_through_the_form_and_a_confirmation(
    officer, applications, django_capture_on_commit_callbacks
):
    selection = {"applications": pks(applications), "action": "request_completion"}
    form_page = officer.post(BULK, selection)
    assert form_page.status_code == 200
    assert "deadline" in form_page.context["form"].fields
    deadline = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    fields = {"missing": ["grades", "cv"], "deadline": deadline, "message": "Skicka betyg"}
    confirm = officer.post(BULK, {**selection, **fields, "step": "confirm"})
    assert confirm.status_code == 200
    assert "Grades" in confirm.content.decode()
    assert not CompletionRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = officer.post(BULK, {**selection, **fields, "step": "apply"})
    assert done.status_code == 302
    assert CompletionRequest.objects.count() == 2
    assert len(mail.outbox) == 2
    audited = AuditEntry.objects.filter(action="application.completion_request")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in pks(applications)
    )


def test_a_completion_request_without_what_is_missing_stays_on_the_form(officer, applications):
    selection = {"applications": pks(applications), "action": "request_completion"}
    deadline = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = officer.post(BULK, {**selection, "deadline": deadline, "step": "apply"})
    assert response.status_code == 200
    assert response.context["form"].errors["missing"]
    assert not CompletionRequest.objects.exists()


def test_nothing_ticked_goes_back_to_the_queue_with_the_filters(officer, applications):
    response = officer.post(BULK, {"action": "mark_eligible", "back": "status=submitted&page=2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admissions:intake_queue") + "?status=submitted&page=2"


def test_the_back_link_cannot_leave_the_site(officer, applications):
    response = officer.post(BULK, {"action": "mark_eligible", "back": "//evil.example/"})
    assert response["Location"].startswith(reverse("admissions:intake_queue"))


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.COORDINATOR, Role.COUNCIL_MEMBER])
def test_only_the_intake_office_may_act_in_bulk(region, applications, role):
    scope = {}
    if role == Role.COUNSELLOR:
        scope["scope_municipality"] = MunicipalityFactory(region=region)
    if role == Role.COORDINATOR:
        scope["scope_centre"] = applications[0].choices.first().offering.centre
    client = staff_client(region, role, **scope)
    response = client.post(
        BULK, {"applications": pks(applications), "action": "mark_eligible", "step": "apply"}
    )
    assert response.status_code == 403
    assert not EligibilityDecision.objects.exists()
