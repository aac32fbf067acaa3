"""The applicant-side services: drafts, choices, submission, withdrawal, uploads, answers."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import AuditEntry
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    CompletionRequest,
    Document,
    PriorEducation,
    RecruitmentChannel,
    Situation,
)
from admissions.applications.services.applications import (
    application_choices_set,
    application_draft_save,
    application_draft_submit,
    application_start,
    application_withdraw,
    completion_answer,
    document_upload,
)

# The shared fixtures (applicant, offerings, private media...) come with the star import.
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.apply_support import exe_as_pdf, pdf
from tests.factories import (
    IntakePeriodFactory,
    MembershipFactory,
    OfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 3, 12)
NUMBER = pnr.build(BORN, 123)


@pytest.fixture
def draft(region, applicant, offerings):
    return application_start(acting_user=applicant, region=region, offering=offerings[0])


def ranked(application) -> list[int]:
    return list(application.choices.order_by("rank").values_list("offering_id", flat=True))


def fill(draft, municipality, **overrides):
    """A complete draft, saved step by step as the form does."""
    steps = {
        "identity": {
            "first_name": "Maja",
            "last_name": "Lind",
            "personnummer": NUMBER,
            "has_no_identity_number": False,
        },
        "contact": {"email": "maja@example.test", "home_municipality": municipality},
        "background": {
            "prior_education": PriorEducation.UPPER_SECONDARY,
            "situation": Situation.UNEMPLOYED,
            "recruitment_channel": RecruitmentChannel.ARBETSFORMEDLINGEN,
        },
    }
    for step, values in steps.items():
        values.update({k: v for k, v in overrides.items() if k in values})
        draft = application_draft_save(
            acting_user=draft.applicant, application=draft, step=step, values=values
        )
    return draft


# --- starting and one application per period -----------------------------------------------------


def test_starting_makes_a_draft_with_the_offering_as_first_choice(draft, offerings):
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.reference.startswith("UTKAST-")
    assert ranked(draft) == [offerings[0].pk]
    assert AuditEntry.objects.filter(action="application.start", object_id=str(draft.pk)).exists()


def test_starting_again_in_the_same_period_adds_to_the_same_application(
    region, applicant, draft, offerings
):
    again = application_start(acting_user=applicant, region=region, offering=offerings[1])
    assert again.pk == draft.pk
    assert ranked(draft) == [offerings[0].pk, offerings[1].pk]
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_the_database_allows_one_application_per_period_and_applicant(draft):
    with pytest.raises(IntegrityError):
        Application.objects.create(
            region=draft.region,
            intake_period=draft.intake_period,
            applicant=draft.applicant,
            reference="other",
        )


def test_a_closed_offering_cannot_start_an_application(region, applicant, closed_offering):
    with pytest.raises(ValidationError):
        application_start(acting_user=applicant, region=region, offering=closed_offering)
    assert not Application.objects.exists()


def test_a_foreign_regions_offering_cannot_start_an_application(region, foreign_region, applicant):
    with pytest.raises(ValidationError):
        application_start(
            acting_user=applicant, region=region, offering=OfferingFactory(region=foreign_region)
        )
    assert not Application.objects.exists()


# --- saving a draft ------------------------------------------------------------------------------


def test_a_draft_step_saves_the_fields_and_the_step_and_the_number_gives_the_birth_date(draft):
    saved = application_draft_save(
        acting_user=draft.applicant,
        application=draft,
        step="identity",
        values={"first_name": "Maja", "personnummer": f"{NUMBER[2:8]}-{NUMBER[8:]}"},
    )
    saved.refresh_from_db()
    assert (saved.first_name, saved.personnummer, saved.birth_date) == ("Maja", NUMBER, BORN)
    assert saved.draft_step == "identity"
    entry = AuditEntry.objects.get(action="application.draft_save")
    # The log names the fields, never what was typed.
    assert NUMBER not in str(entry.data) and "Maja" not in str(entry.data)


@pytest.mark.parametrize(
    "number",
    [
        NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10),  # wrong check digit
        "19850230" + NUMBER[8:],  # 30 February
    ],
    ids=["wrong-check-digit", "impossible-date"],
)
def test_a_bad_identity_number_is_refused_and_nothing_is_saved(draft, number):
    with pytest.raises(ValidationError) as error:
        application_draft_save(
            acting_user=draft.applicant,
            application=draft,
            step="identity",
            values={"first_name": "Maja", "personnummer": number},
        )
    assert "personnummer" in error.value.message_dict
    draft.refresh_from_db()
    assert (draft.first_name, draft.personnummer) == ("", "")


def test_having_no_number_clears_a_number_saved_before(draft):
    application_draft_save(
        acting_user=draft.applicant,
        application=draft,
        step="identity",
        values={"personnummer": NUMBER},
    )
    application_draft_save(
        acting_user=draft.applicant,
        application=draft,
        step="identity",
        values={"has_no_identity_number": True, "birth_date": BORN},
    )
    draft.refresh_from_db()
    assert draft.personnummer == "" and draft.has_no_identity_number and draft.birth_date == BORN


def test_a_draft_step_cannot_write_fields_of_another_step(draft):
    with pytest.raises(ValueError):
        application_draft_save(
            acting_user=draft.applicant,
            application=draft,
            step="identity",
            values={"status": ApplicationStatus.SUBMITTED},
        )


def test_a_foreign_municipality_is_refused(draft, foreign_region):
    from tests.factories import MunicipalityFactory

    with pytest.raises(ValidationError):
        application_draft_save(
            acting_user=draft.applicant,
            application=draft,
            step="contact",
            values={"home_municipality": MunicipalityFactory(region=foreign_region)},
        )


# --- choices -------------------------------------------------------------------------------------


def choose(draft, ids):
    return application_choices_set(acting_user=draft.applicant, application=draft, offering_ids=ids)


def test_choices_are_ranked_in_the_given_order_and_can_be_reordered(draft, offerings):
    ids = [o.pk for o in offerings[:3]]
    choose(draft, ids)
    assert ranked(draft) == ids
    choose(draft, [ids[2], ids[0]])
    assert ranked(draft) == [ids[2], ids[0]]
    assert list(draft.choices.order_by("rank").values_list("rank", flat=True)) == [1, 2]


def test_reordering_keeps_the_choice_rows(draft, offerings):
    choose(draft, [offerings[0].pk, offerings[1].pk])
    first = draft.choices.get(offering=offerings[0])
    choose(draft, [offerings[1].pk, offerings[0].pk])
    first.refresh_from_db()
    assert first.rank == 2


@pytest.mark.parametrize(
    "bad",
    ["duplicate", "closed", "too_many", "foreign_region", "other_period", "not_found"],
)
def test_bad_choices_are_refused_and_nothing_changes(
    draft, offerings, closed_offering, foreign_region, region, bad
):
    before = ranked(draft)
    ids = {
        "duplicate": [offerings[0].pk, offerings[0].pk],
        "closed": [offerings[0].pk, closed_offering.pk],
        "too_many": [o.pk for o in offerings],  # six, the region allows five
        "foreign_region": [offerings[0].pk, OfferingFactory(region=foreign_region).pk],
        "other_period": [
            offerings[0].pk,
            OfferingFactory(
                region=region, intake_period=IntakePeriodFactory(region=region, code="vt2028")
            ).pk,
        ],
        "not_found": [offerings[0].pk, 10**9],
    }[bad]
    with pytest.raises(ValidationError) as error:
        choose(draft, ids)
    expected = "not_found" if bad in ("foreign_region", "not_found") else bad
    assert error.value.error_list[0].code == expected
    assert ranked(draft) == before


def test_a_choice_that_closed_after_it_was_chosen_can_be_kept_and_moved(draft, offerings):
    choose(draft, [offerings[0].pk, offerings[1].pk])
    now = timezone.now()
    offerings[0].application_closes = now - dt.timedelta(minutes=1)
    offerings[0].application_opens = now - dt.timedelta(days=9)
    offerings[0].save()
    choose(draft, [offerings[1].pk, offerings[0].pk])
    assert ranked(draft) == [offerings[1].pk, offerings[0].pk]


# --- submitting ----------------------------------------------------------------------------------


def test_an_incomplete_draft_cannot_be_submitted(draft):
    with pytest.raises(ValidationError):
        application_draft_submit(acting_user=draft.applicant, application=draft, consent=True)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_submitting_without_consent_is_refused(draft, karlstad):
    draft = fill(draft, karlstad)
    with pytest.raises(ValidationError):
        application_draft_submit(acting_user=draft.applicant, application=draft, consent=False)


def test_submitting_gives_a_reference_and_mails_a_receipt_without_the_number(
    draft, karlstad, django_capture_on_commit_callbacks
):
    draft = fill(draft, karlstad)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = application_draft_submit(
            acting_user=draft.applicant, application=draft, consent=True, language="en"
        )
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.reference == "HE-2027-000001"
    assert submitted.submitted_at and submitted.consent_given_at
    (message,) = mail.outbox
    assert message.to == ["maja@example.test"]
    assert "HE-2027-000001" in message.subject and "HE-2027-000001" in message.body
    for form in (NUMBER, NUMBER[2:], f"{NUMBER[2:8]}-{NUMBER[8:]}", NUMBER[8:]):
        assert form not in message.body and form not in message.subject
    assert AuditEntry.objects.filter(action="application.submit").exists()


def test_the_receipt_is_in_the_applicants_language(
    draft, karlstad, django_capture_on_commit_callbacks
):
    draft = fill(draft, karlstad)
    with django_capture_on_commit_callbacks(execute=True):
        application_draft_submit(
            acting_user=draft.applicant, application=draft, consent=True, language="sv"
        )
    assert mail.outbox[0].body  # rendered through the template in Swedish, without errors


def test_a_closed_choice_blocks_submission(draft, karlstad, offerings):
    draft = fill(draft, karlstad)
    now = timezone.now()
    offerings[0].application_opens = now - dt.timedelta(days=9)
    offerings[0].application_closes = now - dt.timedelta(minutes=1)
    offerings[0].save()
    with pytest.raises(ValidationError):
        application_draft_submit(acting_user=draft.applicant, application=draft, consent=True)


def test_a_submitted_applications_choices_change_until_the_last_deadline_only(
    draft, karlstad, offerings
):
    draft = fill(draft, karlstad)
    choose(draft, [offerings[0].pk, offerings[1].pk])
    submitted = application_draft_submit(
        acting_user=draft.applicant, application=draft, consent=True
    )
    choose(submitted, [offerings[1].pk, offerings[0].pk])
    later = max(o.application_closes for o in offerings[:2]) + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        application_choices_set(
            acting_user=draft.applicant,
            application=submitted,
            offering_ids=[offerings[0].pk],
            now=later,
        )
    assert error.value.error_list[0].code == "deadline_passed"
    with pytest.raises(ValidationError):
        choose(submitted, [])


# --- withdrawing ---------------------------------------------------------------------------------


def test_withdrawing_sets_the_status_and_is_audited(draft, karlstad):
    draft = fill(draft, karlstad)
    submitted = application_draft_submit(
        acting_user=draft.applicant, application=draft, consent=True
    )
    withdrawn = application_withdraw(acting_user=draft.applicant, application=submitted)
    withdrawn.refresh_from_db()
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert AuditEntry.objects.filter(action="application.withdraw").exists()
    with pytest.raises(ValidationError):
        choose(withdrawn, ranked(withdrawn))


def test_a_withdrawn_draft_keeps_the_status_constraint(draft):
    withdrawn = application_withdraw(acting_user=draft.applicant, application=draft)
    withdrawn.refresh_from_db()
    assert withdrawn.status == ApplicationStatus.WITHDRAWN


# --- uploads -------------------------------------------------------------------------------------


def upload(draft, file, kind="grades", **kwargs):
    return document_upload(
        acting_user=draft.applicant, application=draft, kind=kind, file=file, **kwargs
    )


def test_a_pdf_is_stored_under_a_server_generated_name_with_its_digits_masked(draft):
    document = upload(draft, pdf(name="betyg 198503121234.PDF"))
    assert document.content_type == "application/pdf"
    assert document.original_name == "betyg ************.pdf"
    assert "betyg" not in document.file.name and "1985" not in document.file.name
    assert document.file.name.startswith(f"documents/{draft.region_id}/")
    assert len(document.sha256) == 64 and document.size == document.file.size
    assert AuditEntry.objects.filter(action="document.upload").exists()


def test_a_renamed_executable_is_refused_whatever_its_name(draft):
    with pytest.raises(ValidationError) as error:
        upload(draft, exe_as_pdf())
    assert error.value.error_list[0].code == "bad_type"
    assert not Document.objects.exists()


def test_an_oversize_file_is_refused(draft, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        upload(draft, pdf(content=b"%PDF-" + b"x" * 200))
    assert error.value.error_list[0].code == "too_large"
    assert not Document.objects.exists()


def test_a_png_is_recognised_by_content_even_when_named_pdf(draft):
    from tests.admissions.apply_support import PNG

    document = upload(draft, pdf(name="scan.pdf", content=PNG))
    assert document.content_type == "image/png"
    assert document.original_name == "scan.png"


# --- answering a completion request --------------------------------------------------------------


def test_answering_a_completion_request_adds_documents_and_marks_it_answered(draft):
    officer = MembershipFactory(region=draft.region).user
    request = CompletionRequest.objects.create(
        application=draft, missing=["cv"], deadline=dt.date.today(), requested_by=officer
    )
    completion_answer(
        acting_user=draft.applicant,
        completion_request=request,
        answer="Här är mitt CV.",
        files=[("cv", pdf(name="cv.pdf"))],
    )
    request.refresh_from_db()
    assert request.answered_at is not None and request.answer == "Här är mitt CV."
    assert list(request.documents.values_list("kind", flat=True)) == ["cv"]
    with pytest.raises(ValidationError):
        completion_answer(
            acting_user=draft.applicant, completion_request=request, answer="igen", files=[]
        )


def test_a_refused_file_leaves_the_completion_request_open(draft):
    request = CompletionRequest.objects.create(
        application=draft, missing=["cv"], deadline=dt.date.today(), requested_by=UserFactory()
    )
    with pytest.raises(ValidationError):
        completion_answer(
            acting_user=draft.applicant,
            completion_request=request,
            answer="CV",
            files=[("cv", exe_as_pdf())],
        )
    request.refresh_from_db()
    assert request.answered_at is None and not Document.objects.exists()
