"""Appeals: lodging within and after the three weeks, reconsideration as a new decision with a
new letter, forwarding with the case file as one PDF, and the board's decision."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.appeals.models import (
    Appeal,
    AppealEventKind,
    AppealState,
    AppealSubject,
    BoardOutcome,
)
from admissions.appeals.selectors import appeal_deadline, appeals_for, decisions_for_appeal
from admissions.appeals.services import (
    appeal_board_decision_record,
    appeal_forward,
    appeal_lodge,
    appeal_reconsider,
)
from admissions.applications.models import Application, EligibilityDecision
from admissions.rounds.models import DecisionLetter, Outcome
from tests.admissions.appeals_support import pdf_upload, png_upload, published, result_of
from tests.admissions.letters_support import (
    letters_media,  # noqa: F401 - the fixture
    pdf_text,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.usefixtures("letters_media")


def _lodge(decided, outcome=Outcome.NOT_ELIGIBLE, **kwargs):
    options = {
        "requested_change": "Att jag bedöms behörig.",
        "grounds": "Jag har läst Svenska 1 på Komvux, se intyget.",
        "files": (),
        **kwargs,
    }
    return appeal_lodge(
        acting_user=decided.application.applicant,
        application=decided.application,
        result=result_of(decided, outcome),
        **options,
    )


@pytest.fixture
def officer():
    return UserFactory()


def test_an_appeal_of_acceptance_goes_to_the_centres_host_municipality_within_three_weeks(region):
    decided, letter = published(region)

    appeal = _lodge(decided)

    result = result_of(decided, Outcome.NOT_ELIGIBLE)
    assert appeal.subject == AppealSubject.ACCEPTANCE
    assert appeal.deciding_municipality == result.offering.centre.host_municipality
    assert appeal.letter == letter
    assert appeal.deadline == appeal_deadline(timezone.localdate(letter.created_at))
    assert appeal.deadline >= timezone.localdate(letter.created_at) + dt.timedelta(weeks=3)
    assert appeal.is_late is False
    assert appeal.state == AppealState.RECEIVED
    assert [event.kind for event in appeal.events.all()] == [AppealEventKind.LODGED]
    entry = AuditEntry.objects.get(action="appeal.lodge")
    assert entry.object_id == str(appeal.pk) and entry.user == decided.application.applicant


def test_an_appeal_of_an_admission_is_about_the_home_municipalitys_cost_commitment(region):
    decided, _letter = published(region)

    appeal = _lodge(decided, Outcome.ADMITTED)

    assert appeal.subject == AppealSubject.COST_COMMITMENT
    assert appeal.deciding_municipality == decided.application.home_municipality


def test_a_place_on_the_waiting_list_cannot_be_appealed(region):
    decided, _letter = published(region)

    with pytest.raises(ValidationError) as error:
        _lodge(decided, Outcome.WAITING)

    assert error.value.code == "not_appealable"
    assert not Appeal.objects.exists()
    waiting = [
        r for r in decisions_for_appeal(decided.application) if r.result.outcome == "waiting"
    ]
    assert waiting[0].not_appealable and not waiting[0].appealable


def test_a_decision_without_a_published_letter_cannot_be_appealed(region):
    from tests.admissions.letters_support import decided_application

    decided = decided_application(region, outcomes=(Outcome.NOT_ELIGIBLE,))

    with pytest.raises(ValidationError):
        _lodge(decided)
    assert decisions_for_appeal(decided.application) == []


def test_an_appeal_after_the_three_weeks_is_received_and_marked_late(region):
    decided, _letter = published(region, days_ago=30)

    appeal = _lodge(decided)

    assert appeal.is_late is True
    assert appeal.state == AppealState.RECEIVED
    assert AuditEntry.objects.get(action="appeal.lodge").data["late"] is True


def test_the_deadline_moves_from_a_weekend_to_the_monday():
    # 2027-05-08 is a Saturday; three weeks on is Saturday 2027-05-29.
    assert appeal_deadline(dt.date(2027, 5, 8)) == dt.date(2027, 5, 31)
    assert appeal_deadline(dt.date(2027, 5, 5)) == dt.date(2027, 5, 26)


def test_a_decision_is_appealed_once(region):
    decided, _letter = published(region)
    _lodge(decided)

    with pytest.raises(ValidationError) as error:
        _lodge(decided)

    assert error.value.code == "appealed"
    assert Appeal.objects.count() == 1


def test_the_appeal_needs_what_and_why(region):
    decided, _letter = published(region)

    with pytest.raises(ValidationError) as error:
        _lodge(decided, requested_change=" ", grounds="")

    assert set(error.value.error_dict) == {"requested_change"}
    assert not Appeal.objects.exists()


def test_attachments_are_stored_privately_under_random_names(region):
    decided, _letter = published(region)

    appeal = _lodge(decided, files=[pdf_upload("betyg 19880504-1234.pdf"), png_upload()])

    names = sorted(a.original_name for a in appeal.attachments.all())
    assert names == ["betyg ********-1234.pdf", "foto.png"]
    for attachment in appeal.attachments.all():
        assert attachment.file.name.startswith(f"appeals/{region.pk}/")
        assert "betyg" not in attachment.file.name
        assert len(attachment.sha256) == 64


def test_a_file_that_is_not_pdf_jpeg_or_png_refuses_the_whole_appeal(region):
    from django.core.files.uploadedfile import SimpleUploadedFile

    decided, _letter = published(region)
    script = SimpleUploadedFile(
        "intyg.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf"
    )

    with pytest.raises(ValidationError):
        _lodge(decided, files=[script])

    assert not Appeal.objects.exists()


def test_changing_an_acceptance_decision_is_a_new_eligibility_record_and_a_new_letter(
    region, officer
):
    decided, letter = published(region)
    appeal = _lodge(decided)
    old_eligibility = list(EligibilityDecision.objects.values_list("pk", "eligible"))
    letter_sha = letter.sha256

    reconsideration = appeal_reconsider(
        acting_user=officer,
        appeal=appeal,
        fully_changed=True,
        decision="Du är behörig till Svetsare.",
        reasons="Intyget visar Svenska 1.",
    )

    appeal.refresh_from_db()
    assert appeal.state == AppealState.CHANGED
    assert reconsideration.eligibility.eligible is True
    assert (
        reconsideration.eligibility.choice_id == result_of(decided, Outcome.NOT_ELIGIBLE).choice_id
    )
    # The earlier decision and its letter are records: unchanged.
    assert set(old_eligibility) <= set(EligibilityDecision.objects.values_list("pk", "eligible"))
    letter.refresh_from_db()
    assert letter.sha256 == letter_sha and DecisionLetter.objects.count() == 1
    with reconsideration.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    assert reconsideration.sha256 and reconsideration.file.name.startswith("letters/")
    text = pdf_text(content)
    assert "Du är behörig till Svetsare." in text
    assert "38 och 39 §§" in text
    assert AuditEntry.objects.filter(action="appeal.reconsider", object_id=str(appeal.pk)).exists()


def test_a_partial_change_keeps_the_appeal_open_for_the_board(region, officer):
    decided, _letter = published(region)
    appeal = _lodge(decided, Outcome.ADMITTED)

    reconsideration = appeal_reconsider(
        acting_user=officer,
        appeal=appeal,
        fully_changed=False,
        decision="Hemkommunen står för halva kostnaden.",
        reasons="Delvis.",
    )

    appeal.refresh_from_db()
    assert appeal.state == AppealState.RECEIVED
    # A cost commitment has no eligibility record.
    assert reconsideration.eligibility is None
    appeal_forward(acting_user=officer, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FORWARDED


def test_forwarding_makes_one_case_file_with_the_letter_and_the_attachments(region, officer):
    from pypdf import PdfReader

    decided, letter = published(region)
    appeal = _lodge(decided, files=[pdf_upload(pages=2), png_upload()])

    appeal = appeal_forward(acting_user=officer, appeal=appeal)

    assert appeal.state == AppealState.FORWARDED
    assert appeal.forwarded_by == officer and appeal.forwarded_at is not None
    with appeal.case_file.open("rb") as stored:
        content = stored.read()
    with letter.file.open("rb") as stored:
        letter_pages = len(PdfReader(io.BytesIO(stored.read())).pages)
    reader = PdfReader(io.BytesIO(content))
    own_pages = len(reader.pages) - letter_pages - 2
    assert own_pages >= 1
    assert hashlib.sha256(content).hexdigest() == appeal.case_file_sha256
    text = pdf_text(content)
    assert "Skolväsendets överklagandenämnd" in text
    assert decided.application.reference in text
    assert "Jag har läst Svenska 1 på Komvux" in text
    # The letter follows the case file's own pages.
    assert "Beslut om antagning" in text or "Decision on admission" in text
    # The image is printed on the case file's pages.
    assert any(page.images for page in reader.pages[:own_pages])
    assert AuditEntry.objects.get(action="appeal.forward").data["sha256"] == appeal.case_file_sha256


def test_an_appeal_is_forwarded_once_and_not_after_the_decision_was_changed(region, officer):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    appeal_reconsider(
        acting_user=officer, appeal=appeal, fully_changed=True, decision="Behörig.", reasons="Ja."
    )

    with pytest.raises(ValidationError) as error:
        appeal_forward(acting_user=officer, appeal=appeal)

    assert error.value.code == "not_open"


def test_the_boards_decision_is_recorded_once_after_forwarding(region, officer):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    with pytest.raises(ValidationError):
        appeal_board_decision_record(
            acting_user=officer,
            appeal=appeal,
            outcome=BoardOutcome.UPHELD,
            decided_on=timezone.localdate(),
        )
    appeal_forward(acting_user=officer, appeal=appeal)

    appeal = appeal_board_decision_record(
        acting_user=officer,
        appeal=appeal,
        outcome=BoardOutcome.REMANDED,
        decided_on=timezone.localdate(),
        reference="2027:123",
        note="Kommunen ska pröva på nytt.",
    )

    assert appeal.state == AppealState.DECIDED
    assert appeal.board_outcome == BoardOutcome.REMANDED
    assert [e.kind for e in appeal.events.all()][-1] == AppealEventKind.BOARD_DECIDED
    assert AuditEntry.objects.get(action="appeal.board_decision").data["outcome"] == "remanded"
    with pytest.raises(ValidationError):
        appeal_board_decision_record(
            acting_user=officer,
            appeal=appeal,
            outcome=BoardOutcome.REJECTED,
            decided_on=timezone.localdate(),
        )


def test_the_boards_decision_cannot_be_dated_in_the_future(region, officer):
    decided, _letter = published(region)
    appeal = appeal_forward(acting_user=officer, appeal=_lodge(decided))

    with pytest.raises(ValidationError):
        appeal_board_decision_record(
            acting_user=officer,
            appeal=appeal,
            outcome=BoardOutcome.UPHELD,
            decided_on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_appeals_are_seen_by_the_intake_office_and_their_owner_only(region, foreign_region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    other, _ = published(region)
    _lodge(other)

    officer = MembershipFactory(region=region, role=Role.INTAKE_OFFICER)
    owner = MembershipFactory(
        region=region, role=Role.APPLICANT, user=decided.application.applicant
    )
    foreign_officer = MembershipFactory(region=foreign_region, role=Role.INTAKE_OFFICER)

    assert appeals_for(officer).count() == 2
    assert list(appeals_for(owner)) == [appeal]
    assert not appeals_for(foreign_officer).exists()
    home = decided.application.home_municipality
    for role, scope in (
        (Role.REGION_ADMIN, {}),
        (Role.COUNCIL_MEMBER, {}),
        (Role.COUNSELLOR, {"scope_municipality": home}),
        (Role.RECTOR, {"scope_municipality": home}),
    ):
        assert not appeals_for(MembershipFactory(region=region, role=role, **scope)).exists()
    assert not appeals_for(None).exists()


def test_an_appeal_of_a_person_with_protected_personal_data_reaches_named_officers_only(region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    Application.objects.filter(pk=decided.application.pk).update(
        protected_identity=True, street_address="", postal_code="", city=""
    )
    officer = MembershipFactory(region=region, role=Role.INTAKE_OFFICER)
    named = MembershipFactory(
        region=region, role=Role.INTAKE_OFFICER, handles_protected_identity=True
    )

    assert not appeals_for(officer).exists()
    assert list(appeals_for(named)) == [appeal]
