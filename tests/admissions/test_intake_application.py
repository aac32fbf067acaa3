"""One application on the intake office's side: all data, documents inline, history, notes,
decisions per choice as records, completion requests, and each role's scope."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.applications import personnummer
from admissions.applications.models import (
    CompletionRequest,
    Document,
    EligibilityDecision,
    Note,
    PriorEducation,
    SelectionGroupDecision,
    Situation,
)
from tests.admissions.intake_support import staff_client
from tests.factories import (
    ApplicationFactory,
    CentreFactory,
    ChoiceFactory,
    MunicipalityFactory,
    OfferingFactory,
)

pytestmark = pytest.mark.django_db


def detail_url(application):
    return reverse("admissions:intake_application", kwargs={"pk": application.pk})


@pytest.fixture
def officer(region):
    return staff_client(region)


@pytest.fixture
def choice(region):
    application = ApplicationFactory(
        region=region,
        personnummer=personnummer.build(dt.date(1985, 3, 12), 123),
        prior_education=PriorEducation.UPPER_SECONDARY,
        situation=Situation.UNEMPLOYED,
    )
    return ChoiceFactory(application=application)


def test_the_officer_sees_all_data_and_the_full_identity_number(officer, choice):
    application = choice.application
    page = officer.get(detail_url(application)).content.decode()
    assert application.personnummer in page
    assert application.first_name in page
    assert choice.offering.programme.name in page


def test_a_counsellor_sees_the_identity_number_masked_and_no_decision_forms(region, choice):
    counsellor = staff_client(
        region, Role.COUNSELLOR, scope_municipality=choice.application.home_municipality
    )
    response = counsellor.get(detail_url(choice.application))
    page = response.content.decode()
    assert response.status_code == 200
    assert choice.application.personnummer not in page
    assert choice.application.masked_personnummer in page
    assert reverse("admissions:intake_eligibility", kwargs={"pk": choice.pk}) not in page


def test_every_opening_is_recorded_as_who_saw_what(officer, choice):
    officer.get(detail_url(choice.application))
    officer.get(detail_url(choice.application))
    entries = AuditEntry.objects.filter(
        action="application.view",
        object_type="admissions.application",
        object_id=str(choice.application.pk),
    )
    assert entries.count() == 2
    assert {entry.user for entry in entries} == {officer.user}
    assert entries.first().role == Role.INTAKE_OFFICER


def test_documents_are_shown_inline_through_the_download_view(officer, choice):
    application = choice.application
    pdf = Document.objects.create(
        application=application,
        kind="grades",
        file="documents/x/a",
        original_name="betyg.pdf",
        content_type="application/pdf",
        size=100,
        sha256="0" * 64,
    )
    image = Document.objects.create(
        application=application,
        kind="cv",
        file="documents/x/b",
        original_name="cv.png",
        content_type="image/png",
        size=100,
        sha256="1" * 64,
    )
    page = officer.get(detail_url(application)).content.decode()
    for document, tag in ((pdf, "<iframe"), (image, "<img")):
        url = reverse("admissions:document_download", kwargs={"pk": document.pk})
        assert f'{tag} class="document__' in page
        assert f"{url}?inline=1" in page


def test_the_history_shows_decisions_and_leaves_out_views(officer, choice):
    url = reverse("admissions:intake_eligibility", kwargs={"pk": choice.pk})
    officer.post(url, {f"choice-{choice.pk}-eligible": "yes"})
    response = officer.get(detail_url(choice.application))
    history = [entry.action for entry, _label in response.context["history"]]
    assert history == ["choice.eligibility"]


def test_not_eligible_without_a_ground_is_refused_and_the_input_kept(officer, choice):
    url = reverse("admissions:intake_eligibility", kwargs={"pk": choice.pk})
    prefix = f"choice-{choice.pk}"
    response = officer.post(
        url, {f"{prefix}-eligible": "no", f"{prefix}-explanation": "Saknar behörighet"}
    )
    assert response.status_code == 200
    assert not EligibilityDecision.objects.exists()
    page = response.content.decode()
    assert "Choose the ground for the decision." in page
    assert "Saknar behörighet" in page


def test_a_correction_adds_a_row_and_the_latest_is_shown(officer, choice):
    url = reverse("admissions:intake_eligibility", kwargs={"pk": choice.pk})
    prefix = f"choice-{choice.pk}"
    first = officer.post(
        url,
        {
            f"{prefix}-eligible": "no",
            f"{prefix}-ground": "age",
            f"{prefix}-explanation": "Född 2010",
        },
    )
    assert first.status_code == 302
    assert officer.post(url, {f"{prefix}-eligible": "yes"}).status_code == 302
    assert EligibilityDecision.objects.filter(choice=choice).count() == 2
    response = officer.get(detail_url(choice.application))
    (row,) = response.context["choice_reviews"]
    assert row["eligibility"].eligible is True
    assert [d.eligible for d in row["eligibility_history"]] == [True, False]
    assert "Född 2010" in response.content.decode()


def test_the_suggested_group_is_preselected_and_evidence_is_required(officer, choice):
    response = officer.get(detail_url(choice.application))
    (row,) = response.context["choice_reviews"]
    assert row["group_form"]["group"].value() == 3
    assert re.search(
        rf'name="choice-{choice.pk}-group" value="3"[^>]*checked', response.content.decode()
    )
    url = reverse("admissions:intake_selection_group", kwargs={"pk": choice.pk})
    prefix = f"choice-{choice.pk}"
    refused = officer.post(url, {f"{prefix}-group": "3", f"{prefix}-evidence": ""})
    assert refused.status_code == 200
    assert not SelectionGroupDecision.objects.exists()
    saved = officer.post(url, {f"{prefix}-group": "4", f"{prefix}-evidence": "Anställd, intyg"})
    assert saved.status_code == 302
    decision = SelectionGroupDecision.objects.get()
    assert (decision.group, decision.suggested_group, decision.decided_by) == (4, 3, officer.user)
    page = officer.get(detail_url(choice.application))
    (row,) = page.context["choice_reviews"]
    assert row["group"] == decision
    assert row["group_form"]["group"].value() == 4


def test_a_completion_request_from_the_page_emails_and_marks_the_application_incomplete(
    officer, choice, django_capture_on_commit_callbacks
):
    application = choice.application
    url = reverse("admissions:intake_completion_request", kwargs={"pk": application.pk})
    assert officer.get(url).status_code == 200
    deadline = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url, {"missing": ["grades"], "deadline": deadline.isoformat(), "message": "Betyg"}
        )
    assert response.status_code == 302
    assert CompletionRequest.objects.get().application == application
    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].body
    page = officer.get(detail_url(application)).content.decode()
    assert "Incomplete" in page
    queue = officer.get(reverse("admissions:intake_queue"), {"missing_documents": "on"})
    assert [a.pk for a in queue.context["page"].object_list] == [application.pk]


def test_a_completion_request_with_a_past_deadline_is_refused(officer, choice):
    url = reverse("admissions:intake_completion_request", kwargs={"pk": choice.application.pk})
    response = officer.post(url, {"missing": ["cv"], "deadline": "2001-01-01"})
    assert response.status_code == 200
    assert not CompletionRequest.objects.exists()
    assert "The deadline cannot be in the past." in response.content.decode()


def test_a_counsellor_may_write_a_note(region, choice):
    counsellor = staff_client(
        region, Role.COUNSELLOR, scope_municipality=choice.application.home_municipality
    )
    url = reverse("admissions:intake_note", kwargs={"pk": choice.application.pk})
    assert counsellor.post(url, {"text": "Har pratat med sökande"}).status_code == 302
    note = Note.objects.get()
    assert note.author == counsellor.user
    page = counsellor.get(detail_url(choice.application)).content.decode()
    assert "Har pratat med sökande" in page


def test_an_empty_note_is_refused(officer, choice):
    url = reverse("admissions:intake_note", kwargs={"pk": choice.application.pk})
    assert officer.post(url, {"text": "  "}).status_code == 200
    assert not Note.objects.exists()


def test_a_coordinator_reads_but_may_not_decide_or_write_notes(region, choice):
    coordinator = staff_client(region, Role.COORDINATOR, scope_centre=choice.offering.centre)
    assert coordinator.get(detail_url(choice.application)).status_code == 200
    url = reverse("admissions:intake_eligibility", kwargs={"pk": choice.pk})
    assert coordinator.post(url, {f"choice-{choice.pk}-eligible": "yes"}).status_code == 403
    note = reverse("admissions:intake_note", kwargs={"pk": choice.application.pk})
    assert coordinator.post(note, {"text": "x"}).status_code == 403
    assert not EligibilityDecision.objects.exists() and not Note.objects.exists()


def test_a_counsellor_gets_404_for_someone_living_elsewhere(region, choice):
    counsellor = staff_client(
        region, Role.COUNSELLOR, scope_municipality=MunicipalityFactory(region=region)
    )
    assert counsellor.get(detail_url(choice.application)).status_code == 404


def test_a_coordinator_gets_404_without_a_choice_at_their_centre(region, choice):
    coordinator = staff_client(region, Role.COORDINATOR, scope_centre=CentreFactory(region=region))
    assert coordinator.get(detail_url(choice.application)).status_code == 404
    other = OfferingFactory(region=region, centre=coordinator_centre(coordinator))
    ChoiceFactory(application=choice.application, offering=other, rank=2)
    assert coordinator.get(detail_url(choice.application)).status_code == 200


def coordinator_centre(client):
    return client.user.memberships.get().scope_centre


def test_a_council_member_is_refused(region, choice):
    council = staff_client(region, Role.COUNCIL_MEMBER)
    assert council.get(detail_url(choice.application)).status_code == 403


def test_a_foreign_regions_application_is_a_404(officer, foreign_region):
    foreign = ChoiceFactory(application=ApplicationFactory(region=foreign_region))
    assert officer.get(detail_url(foreign.application)).status_code == 404
    url = reverse("admissions:intake_eligibility", kwargs={"pk": foreign.pk})
    assert officer.post(url, {f"choice-{foreign.pk}-eligible": "yes"}).status_code == 404
    assert not EligibilityDecision.objects.exists()


def test_the_page_is_not_served_through_another_regions_host(officer, choice, foreign_region):
    abroad = officer.get(detail_url(choice.application), HTTP_HOST="bortland.example.test")
    assert abroad.status_code == 403
