"""The applicant's pages: starting, the steps of the form, the receipt, the status page,
withdrawing and answering a completion request."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
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

# The shared fixtures (applicant, offerings, private media...) come with the star import.
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.apply_support import exe_as_pdf, pdf
from tests.factories import (
    IntakePeriodFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 3, 12)
NUMBER = pnr.build(BORN, 123)
TYPED_NUMBER = f"{NUMBER[:8]}-{NUMBER[8:]}"
WRONG_CHECK = TYPED_NUMBER[:-1] + str((int(TYPED_NUMBER[-1]) + 1) % 10)


def step_url(application, step):
    return reverse("admissions:application_step", kwargs={"pk": application.pk, "step": step})


@pytest.fixture
def draft(applicant_client, offerings):
    applicant_client.post(reverse("admissions:apply_start", args=[offerings[0].pk]))
    return Application.objects.get()


def complete(client, draft, municipality, born=BORN, education=PriorEducation.UPPER_SECONDARY):
    number = pnr.build(born, 123)
    client.post(
        step_url(draft, "identity"),
        {"first_name": "Maja", "last_name": "Lind", "personnummer": number},
    )
    client.post(
        step_url(draft, "contact"),
        {"email": "maja@example.test", "home_municipality": municipality.pk},
    )
    client.post(
        step_url(draft, "background"),
        {
            "prior_education": education,
            "situation": Situation.UNEMPLOYED,
            "recruitment_channel": RecruitmentChannel.SFI,
        },
    )


# --- starting ------------------------------------------------------------------------------------


def test_an_anonymous_applicant_is_sent_to_login_and_back_to_the_offering(client_for, offerings):
    url = reverse("admissions:apply_start", args=[offerings[0].pk])
    response = client_for().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={url}" in response["Location"].replace("%2F", "/")


def test_starting_from_an_offering_creates_a_draft_and_opens_the_first_step(
    applicant_client, offerings
):
    page = applicant_client.get(reverse("admissions:apply_start", args=[offerings[0].pk]))
    assert page.status_code == 200
    assert not Application.objects.exists()  # looking is not applying
    response = applicant_client.post(reverse("admissions:apply_start", args=[offerings[0].pk]))
    application = Application.objects.get()
    assert response["Location"] == step_url(application, "identity")
    assert application.status == ApplicationStatus.DRAFT


def test_someone_who_signed_up_in_another_region_may_apply_here(
    client_for, offerings, foreign_region
):
    # Fritt sök: the agreement lets anyone apply to any centre, wherever they first signed up.
    person = MembershipFactory(region=foreign_region, role=Role.APPLICANT).user
    client = client_for(person)
    response = client.post(reverse("admissions:apply_start", args=[offerings[0].pk]))
    application = Application.objects.get(applicant=person)
    assert response["Location"] == step_url(application, "identity")
    assert application.region == offerings[0].region
    assert client.get(step_url(application, "identity")).status_code == 200


def test_a_second_offering_of_the_period_is_added_to_the_same_application(
    applicant_client, draft, offerings
):
    response = applicant_client.post(reverse("admissions:apply_start", args=[offerings[1].pk]))
    assert response["Location"] == step_url(draft, "choices")
    assert Application.objects.count() == 1
    assert draft.choices.count() == 2


def test_a_foreign_offering_cannot_be_started(applicant_client, foreign_region):
    foreign = OfferingFactory(region=foreign_region)
    assert (
        applicant_client.post(reverse("admissions:apply_start", args=[foreign.pk])).status_code
        == 404
    )
    assert not Application.objects.exists()


# --- the form keeps what was typed ---------------------------------------------------------------


def test_a_wrong_check_digit_shows_an_error_keeps_the_input_and_saves_the_other_fields(
    applicant_client, draft
):
    response = applicant_client.post(
        step_url(draft, "identity"),
        {"first_name": "Maja", "last_name": "Lind", "personnummer": WRONG_CHECK},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The check digit does not match" in html
    assert f'value="{WRONG_CHECK}"' in html  # what was typed stays in the field
    assert 'aria-invalid="true"' in html
    draft.refresh_from_db()
    assert (draft.first_name, draft.last_name, draft.personnummer) == ("Maja", "Lind", "")
    assert draft.draft_step == "identity"


def test_an_impossible_date_in_the_number_is_explained(applicant_client, draft):
    response = applicant_client.post(step_url(draft, "identity"), {"personnummer": "19850230-1234"})
    assert "does not exist" in response.content.decode()


def test_without_a_number_the_date_of_birth_is_asked_for(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "identity"), {"first_name": "Ali", "has_no_identity_number": "on"}
    )
    assert "enter your date of birth" in response.content.decode()
    response = applicant_client.post(
        step_url(draft, "identity"),
        {"first_name": "Ali", "has_no_identity_number": "on", "birth_date": "1990-01-31"},
    )
    assert response["Location"] == step_url(draft, "contact")
    draft.refresh_from_db()
    assert draft.has_no_identity_number and draft.birth_date == dt.date(1990, 1, 31)


def test_a_valid_step_saves_and_goes_to_the_next(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "identity"),
        {"first_name": "Maja", "last_name": "Lind", "personnummer": TYPED_NUMBER},
    )
    assert response["Location"] == step_url(draft, "contact")
    draft.refresh_from_db()
    assert draft.personnummer == NUMBER and draft.birth_date == BORN


def test_bidi_overrides_are_dropped_from_what_the_applicant_types(applicant_client, draft):
    # "Maja\u202egnp.exe" would read "Majaexe.png" on the intake pages and in the letter.
    applicant_client.post(
        step_url(draft, "identity"),
        {"first_name": "Maja\u202egnp.exe", "last_name": "\u2067ليند\u2069 Lind\u200f"},
    )
    applicant_client.post(step_url(draft, "contact"), {"city": "Karl\u202dstad"})
    draft.refresh_from_db()
    assert draft.first_name == "Majagnp.exe"
    # Arabic letters stay, and so does the plain right-to-left mark.
    assert draft.last_name == "ليند Lind\u200f"
    assert draft.city == "Karlstad"


def test_an_autosave_by_htmx_saves_the_valid_fields(applicant_client, applicant, draft):
    response = applicant_client.post(
        step_url(draft, "contact"),
        {"email": "not-an-address", "phone": "070-123 45 67"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    draft.refresh_from_db()
    # The address from the account stays: the mistyped one was not saved over it.
    assert draft.phone == "070-123 45 67" and draft.email == applicant.email


def test_the_draft_survives_logging_out_and_in(client_for, applicant, draft):
    client = client_for(applicant)
    client.post(step_url(draft, "identity"), {"first_name": "Maja"})
    client.post(step_url(draft, "contact"), {"phone": "070-1234567"})
    client.logout()
    # A session that timed out sends the applicant to log in, then back where they were.
    response = client.get(step_url(draft, "contact"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client = client_for(applicant)
    overview = client.get(reverse("admissions:my_applications")).content.decode()
    assert step_url(draft, "contact") in overview
    page = client.get(step_url(draft, "contact")).content.decode()
    assert 'value="070-1234567"' in page
    assert 'value="Maja"' in client.get(step_url(draft, "identity")).content.decode()


def test_municipalities_outside_the_agreement_are_marked(applicant_client, draft, region):
    MunicipalityFactory(region=region, name="Karlstad", is_party=True)
    MunicipalityFactory(region=region, name="Örebro", is_party=False)
    html = applicant_client.get(step_url(draft, "contact")).content.decode()
    assert "Örebro (needs its own cost commitment)" in html
    assert "Karlstad (needs" not in html


def test_a_municipality_of_another_region_is_refused(applicant_client, draft, foreign_region):
    foreign = MunicipalityFactory(region=foreign_region)
    response = applicant_client.post(
        step_url(draft, "contact"), {"home_municipality": foreign.pk, "city": "Kil"}
    )
    assert "Choose a municipality from the list" in response.content.decode()
    draft.refresh_from_db()
    assert draft.home_municipality is None and draft.city == "Kil"


def test_an_applicant_too_young_without_upper_secondary_is_warned_not_blocked(
    applicant_client, draft, karlstad
):
    # Born in 2008: 19 on 1 July 2027, when the course starts in August 2027.
    complete(
        applicant_client,
        draft,
        karlstad,
        born=dt.date(2008, 9, 1),
        education=PriorEducation.COMPULSORY,
    )
    html = applicant_client.get(step_url(draft, "review")).content.decode()
    assert "You may not be eligible" in html
    response = applicant_client.post(step_url(draft, "review"), {"consent": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED


def test_an_eligible_applicant_gets_no_warning(applicant_client, draft, karlstad):
    complete(applicant_client, draft, karlstad, born=dt.date(2008, 9, 1))
    assert (
        "You may not be eligible"
        not in applicant_client.get(step_url(draft, "review")).content.decode()
    )


# --- choices -------------------------------------------------------------------------------------


def choices_post(client, draft, **data):
    return client.post(step_url(draft, "choices"), data)


def ranked(draft):
    return list(draft.choices.order_by("rank").values_list("offering_id", flat=True))


def test_choices_are_added_moved_and_removed(applicant_client, draft, offerings):
    choices_post(applicant_client, draft, action="add", offering=offerings[1].pk)
    choices_post(applicant_client, draft, action="add", offering=offerings[2].pk)
    assert ranked(draft) == [offerings[0].pk, offerings[1].pk, offerings[2].pk]
    choices_post(applicant_client, draft, action="up", choice=offerings[2].pk)
    assert ranked(draft) == [offerings[0].pk, offerings[2].pk, offerings[1].pk]
    choices_post(applicant_client, draft, action="down", choice=offerings[0].pk)
    assert ranked(draft) == [offerings[2].pk, offerings[0].pk, offerings[1].pk]
    choices_post(applicant_client, draft, action="remove", choice=offerings[0].pk)
    assert ranked(draft) == [offerings[2].pk, offerings[1].pk]


def test_a_foreign_regions_offering_posted_by_hand_is_refused(
    applicant_client, draft, foreign_region
):
    foreign = OfferingFactory(region=foreign_region)
    before = ranked(draft)
    response = choices_post(applicant_client, draft, action="add", offering=foreign.pk)
    assert response.status_code == 400
    assert "The course was not found" in response.content.decode()
    assert ranked(draft) == before


def test_a_duplicate_choice_is_refused(applicant_client, draft, offerings):
    response = choices_post(applicant_client, draft, action="add", offering=offerings[0].pk)
    assert response.status_code == 400
    assert "same course twice" in response.content.decode()
    assert ranked(draft) == [offerings[0].pk]


def test_a_closed_offering_is_refused(applicant_client, draft, closed_offering):
    response = choices_post(applicant_client, draft, action="add", offering=closed_offering.pk)
    assert response.status_code == 400
    assert "not open for applications" in response.content.decode()
    assert closed_offering.pk not in ranked(draft)


def test_more_than_the_regions_maximum_is_refused(applicant_client, draft, offerings):
    for offering in offerings[1:5]:
        choices_post(applicant_client, draft, action="add", offering=offering.pk)
    assert len(ranked(draft)) == 5
    response = choices_post(applicant_client, draft, action="add", offering=offerings[5].pk)
    assert response.status_code == 400
    assert "at most 5" in response.content.decode()
    assert len(ranked(draft)) == 5


def test_only_open_offerings_of_the_period_are_offered(
    applicant_client, draft, offerings, closed_offering, region
):
    other_period = OfferingFactory(
        region=region, intake_period=IntakePeriodFactory(region=region, code="vt2028")
    )
    html = applicant_client.get(step_url(draft, "choices")).content.decode()
    assert f'value="{offerings[1].pk}"' in html
    assert f'value="{closed_offering.pk}"' not in html
    assert f'value="{other_period.pk}"' not in html


# --- documents -----------------------------------------------------------------------------------


def test_an_upload_is_listed_with_its_masked_name(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "documents"),
        {"action": "upload", "kind": "grades", "file": pdf(name="betyg-8503121234.pdf")},
    )
    assert response.status_code == 302
    html = applicant_client.get(step_url(draft, "documents")).content.decode()
    assert "betyg-**********.pdf" in html


def test_a_refused_file_gets_a_clear_message_and_the_rest_stays(applicant_client, draft):
    applicant_client.post(step_url(draft, "identity"), {"first_name": "Maja"})
    applicant_client.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "cv", "file": pdf("cv.pdf")}
    )
    response = applicant_client.post(
        step_url(draft, "documents"),
        {"action": "upload", "kind": "grades", "file": exe_as_pdf()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "not a PDF, JPEG or PNG file" in html
    assert '<option value="grades" selected>' in html  # the chosen kind stays
    assert "cv.pdf" in html  # and the documents already uploaded
    draft.refresh_from_db()
    assert draft.first_name == "Maja"
    assert Document.objects.count() == 1


def test_an_oversize_file_is_refused_with_the_limit(applicant_client, draft, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = applicant_client.post(
        step_url(draft, "documents"),
        {"action": "upload", "kind": "cv", "file": pdf(content=b"%PDF-" + b"0" * 2048)},
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Document.objects.exists()


def test_a_document_can_be_removed_from_a_draft(applicant_client, draft):
    applicant_client.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "cv", "file": pdf()}
    )
    document = Document.objects.get()
    applicant_client.post(
        step_url(draft, "documents"), {"action": "delete", "document": document.pk}
    )
    assert not Document.objects.exists()


# --- submitting, receipt, status -----------------------------------------------------------------


def test_submitting_shows_a_receipt_and_mails_it(
    applicant_client, draft, karlstad, django_capture_on_commit_callbacks
):
    complete(applicant_client, draft, karlstad)
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(step_url(draft, "review"), {"consent": "on"})
    draft.refresh_from_db()
    assert response["Location"] == reverse("admissions:application_receipt", args=[draft.pk])
    receipt = applicant_client.get(response["Location"]).content.decode()
    assert draft.reference in receipt
    (message,) = mail.outbox
    assert draft.reference in message.body
    assert NUMBER not in message.body and NUMBER[2:8] not in message.body


def test_submitting_without_consent_keeps_the_draft(applicant_client, draft, karlstad):
    complete(applicant_client, draft, karlstad)
    response = applicant_client.post(step_url(draft, "review"), {})
    assert response.status_code == 400
    assert "You must consent" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_an_incomplete_draft_lists_what_is_missing(applicant_client, draft):
    html = applicant_client.get(step_url(draft, "review")).content.decode()
    assert "Your home municipality." in html
    assert step_url(draft, "contact") in html


def submitted(client, draft, municipality):
    complete(client, draft, municipality)
    client.post(step_url(draft, "review"), {"consent": "on"})
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    return draft


def test_the_status_page_shows_choices_documents_and_open_completion_requests(
    applicant_client, draft, karlstad
):
    applicant_client.post(
        step_url(draft, "documents"), {"action": "upload", "kind": "cv", "file": pdf("cv.pdf")}
    )
    application = submitted(applicant_client, draft, karlstad)
    request = CompletionRequest.objects.create(
        application=application,
        missing=["grades"],
        message="Vi saknar dina betyg.",
        deadline=dt.date(2027, 5, 1),
        requested_by=UserFactory(),
    )
    html = applicant_client.get(
        reverse("admissions:application_detail", args=[application.pk])
    ).content.decode()
    assert application.reference in html
    assert application.choices.get().offering.programme.name in html
    assert "cv.pdf" in html
    assert "Vi saknar dina betyg." in html and "Grades" in html
    assert reverse("admissions:completion_answer", args=[request.pk]) in html
    assert NUMBER not in html  # masked
    assert application.masked_personnummer in html


def test_after_submitting_only_the_choices_can_be_changed(applicant_client, draft, karlstad):
    application = submitted(applicant_client, draft, karlstad)
    response = applicant_client.post(step_url(application, "identity"), {"first_name": "X"})
    assert response["Location"] == reverse("admissions:application_detail", args=[draft.pk])
    application.refresh_from_db()
    assert application.first_name == "Maja"
    assert applicant_client.get(step_url(application, "choices")).status_code == 200


def test_withdrawing_asks_for_confirmation(applicant_client, draft, karlstad):
    application = submitted(applicant_client, draft, karlstad)
    url = reverse("admissions:application_withdraw", args=[application.pk])
    assert applicant_client.get(url).status_code == 200
    response = applicant_client.post(url, {})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    applicant_client.post(url, {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_answering_a_completion_request(applicant_client, draft, karlstad):
    application = submitted(applicant_client, draft, karlstad)
    request = CompletionRequest.objects.create(
        application=application,
        missing=["grades"],
        deadline=dt.date(2027, 5, 1),
        requested_by=UserFactory(),
    )
    url = reverse("admissions:completion_answer", args=[request.pk])
    refused = applicant_client.post(
        url, {"answer": "Här är betygen.", "kind": "grades", "file": exe_as_pdf()}
    )
    assert refused.status_code == 400
    assert "Här är betygen." in refused.content.decode()  # the message stays
    request.refresh_from_db()
    assert request.answered_at is None
    applicant_client.post(url, {"answer": "Här är betygen.", "kind": "grades", "file": pdf()})
    request.refresh_from_db()
    assert request.answered_at is not None
    assert request.documents.get().application == application


def test_another_applicants_application_is_a_404(client_for, draft, region):
    other = client_for(MembershipFactory(region=region, role=Role.APPLICANT).user)
    for url in (
        reverse("admissions:application_detail", args=[draft.pk]),
        step_url(draft, "identity"),
        reverse("admissions:application_withdraw", args=[draft.pk]),
    ):
        assert other.get(url).status_code == 404
    assert other.post(step_url(draft, "identity"), {"first_name": "X"}).status_code == 404
    draft.refresh_from_db()
    assert draft.first_name == ""


def test_every_step_renders_for_a_draft(applicant_client, draft):
    for step in ("identity", "contact", "background", "choices", "validation", "documents"):
        response = applicant_client.get(step_url(draft, step))
        assert response.status_code == 200, step
    assert applicant_client.get(step_url(draft, "review")).status_code == 200
    assert applicant_client.get(step_url(draft, "no-such-step")).status_code == 404


def test_a_full_application_says_why_the_offering_was_not_added(applicant_client, draft, offerings):
    for offering in offerings[1:5]:
        choices_post(applicant_client, draft, action="add", offering=offering.pk)
    response = applicant_client.post(
        reverse("admissions:apply_start", args=[offerings[5].pk]), follow=True
    )
    assert "the most you can choose" in response.content.decode()
    assert len(ranked(draft)) == 5


def test_the_menu_shows_courses_to_everyone_and_my_application_to_applicants(
    client_for, applicant_client
):
    public = client_for().get(reverse("yrkescenter:offering_list")).content.decode()
    assert reverse("yrkescenter:offering_list") in public
    assert reverse("admissions:my_applications") not in public
    mine = applicant_client.get(reverse("yrkescenter:offering_list")).content.decode()
    assert reverse("admissions:my_applications") in mine


def test_fields_needed_to_submit_are_not_called_optional(applicant_client, draft):
    # A draft may leave them empty, but a submitted application needs them.
    page = applicant_client.get(step_url(draft, "identity")).content.decode()
    first_name_label = page.split('for="id_first_name"', 1)[1].split("</label>", 1)[0]
    assert "optional" not in first_name_label
    background = applicant_client.get(step_url(draft, "background")).content.decode()
    assert "optional" not in background.split('for="id_prior_education"', 1)[1].split("</label>")[0]
