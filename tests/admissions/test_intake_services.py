"""The intake office's write services: decisions are records, suggestions follow the rule,
completion requests reach the applicant, bulk actions are audited per application."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from admissions.applications.models import (
    Application,
    CompletionRequest,
    EligibilityDecision,
    IneligibilityGround,
    PriorEducation,
    SelectionGroup,
    SelectionGroupDecision,
    Situation,
)
from admissions.applications.services import review
from tests.factories import ApplicationFactory, ChoiceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory()


@pytest.fixture
def choice(region):
    return ChoiceFactory(application=ApplicationFactory(region=region))


@pytest.mark.parametrize(
    ("education", "situation", "group"),
    [
        (PriorEducation.COMPULSORY, Situation.UNEMPLOYED, 2),
        (PriorEducation.COMPULSORY_INCOMPLETE, Situation.EMPLOYED, 2),
        (PriorEducation.UPPER_SECONDARY_INCOMPLETE, "", 2),
        (PriorEducation.UPPER_SECONDARY, Situation.UNEMPLOYED, 3),
        (PriorEducation.UPPER_SECONDARY, Situation.AT_RISK, 3),
        (PriorEducation.POST_SECONDARY, Situation.SICK_LEAVE, 3),
        (PriorEducation.UPPER_SECONDARY, Situation.EMPLOYED, 4),
        (PriorEducation.FOREIGN, Situation.STUDENT, 5),
        (PriorEducation.UPPER_SECONDARY, Situation.SFI_STUDENT, 5),
        ("", "", 5),
    ],
)
def test_the_suggested_selection_group_is_the_first_group_the_answers_support(
    education, situation, group
):
    application = Application(prior_education=education, situation=situation)
    assert review.selection_group_suggest(application) == SelectionGroup(group)


def test_not_eligible_without_a_ground_is_refused(choice, officer):
    with pytest.raises(ValidationError) as error:
        review.eligibility_decide(
            acting_user=officer, choice=choice, eligible=False, explanation="Too young"
        )
    assert "ground" in error.value.error_dict
    assert not EligibilityDecision.objects.exists()


def test_not_eligible_without_an_explanation_is_refused(choice, officer):
    with pytest.raises(ValidationError) as error:
        review.eligibility_decide(
            acting_user=officer, choice=choice, eligible=False, ground=IneligibilityGround.AGE
        )
    assert "explanation" in error.value.error_dict


def test_a_correction_adds_a_row_and_the_latest_wins(choice, officer):
    first = review.eligibility_decide(
        acting_user=officer,
        choice=choice,
        eligible=False,
        ground=IneligibilityGround.AGE,
        explanation="Born 2010",
    )
    second = review.eligibility_decide(acting_user=officer, choice=choice, eligible=True)
    assert choice.eligibility.count() == 2
    assert choice.eligibility.latest() == second
    first.refresh_from_db()
    assert first.eligible is False
    assert (
        AuditEntry.objects.filter(
            action="choice.eligibility", object_id=str(choice.application_id)
        ).count()
        == 2
    )


def test_a_selection_group_decision_keeps_evidence_and_the_suggestion(region, officer):
    application = ApplicationFactory(region=region, situation=Situation.UNEMPLOYED)
    choice = ChoiceFactory(application=application)
    decision = review.selection_group_decide(
        acting_user=officer, choice=choice, group=5, evidence="Wants to change career"
    )
    assert (decision.group, decision.suggested_group) == (5, 3)
    assert decision.decided_by == officer
    again = review.selection_group_decide(
        acting_user=officer, choice=choice, group=3, evidence="Af certificate 2027-03-01"
    )
    assert choice.groups.latest() == again
    assert SelectionGroupDecision.objects.count() == 2


def test_a_selection_group_needs_evidence(choice, officer):
    with pytest.raises(ValidationError):
        review.selection_group_decide(acting_user=officer, choice=choice, group=3, evidence=" ")
    assert not SelectionGroupDecision.objects.exists()


def test_a_completion_request_sends_an_email_with_the_reference_only(
    region, officer, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(region=region, email="maja@example.test")
    deadline = timezone.localdate() + dt.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        request = review.completion_request_create(
            acting_user=officer,
            application=application,
            missing=["grades", "cv"],
            deadline=deadline,
            message="Send your grades from Komvux.",
        )
    assert request.is_open
    (message,) = mail.outbox
    assert message.to == ["maja@example.test"]
    assert application.reference in message.subject
    assert application.reference in message.body
    assert "Send your grades from Komvux." in message.body
    assert application.personnummer not in message.body
    assert application.personnummer[2:] not in message.body
    assert AuditEntry.objects.filter(action="application.completion_request").count() == 1


@pytest.mark.parametrize(("language", "month"), [("en", "June"), ("sv", "juni")])
def test_the_completion_email_is_in_the_applicants_language(
    region, officer, django_capture_on_commit_callbacks, language, month
):
    applicant = UserFactory(preferred_language=language)
    application = ApplicationFactory(region=region, applicant=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        review.completion_request_create(
            acting_user=officer,
            application=application,
            missing=["grades"],
            deadline=dt.date(timezone.localdate().year + 1, 6, 15),
        )
    assert month in mail.outbox[0].body


def test_a_completion_request_needs_something_missing_and_a_future_deadline(region, officer):
    application = ApplicationFactory(region=region)
    with pytest.raises(ValidationError) as error:
        review.completion_request_create(
            acting_user=officer,
            application=application,
            missing=[],
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(error.value.error_dict) == {"missing", "deadline"}
    assert not CompletionRequest.objects.exists()


def test_notes_are_stored_and_audited_without_their_text(region, officer):
    application = ApplicationFactory(region=region)
    note = review.note_add(acting_user=officer, application=application, text="Called, no answer")
    assert note.author == officer
    entry = AuditEntry.objects.get(action="application.note")
    assert "Called" not in str(entry.data)
