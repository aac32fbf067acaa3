"""Appeal pages: the applicant lodges and follows an appeal from the status page; the intake
office works the queue; other applicants, other roles and other regions get nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Role
from admissions.appeals.models import Appeal, AppealState, BoardOutcome
from admissions.appeals.services import appeal_forward, appeal_lodge
from admissions.rounds.models import Outcome
from tests.admissions.appeals_support import (
    applicant_client,
    pdf_upload,
    published,
    result_of,
)
from tests.admissions.intake_support import staff_client
from tests.admissions.letters_support import letters_media  # noqa: F401 - the fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("letters_media")


def _lodge(decided, outcome=Outcome.NOT_ELIGIBLE, files=()):
    return appeal_lodge(
        acting_user=decided.application.applicant,
        application=decided.application,
        result=result_of(decided, outcome),
        requested_change="Behörig.",
        grounds="Se intyget.",
        files=files,
    )


def _status_page(client, application):
    return client.get(reverse("admissions:application_detail", args=[application.pk]))


def test_the_status_page_offers_an_appeal_only_where_the_letter_says_it_can_be_appealed(region):
    decided, _letter = published(region)
    client = applicant_client(decided.application.applicant, region)

    page = _status_page(client, decided.application).content.decode()

    not_eligible = result_of(decided, Outcome.NOT_ELIGIBLE)
    admitted = result_of(decided, Outcome.ADMITTED)
    waiting = result_of(decided, Outcome.WAITING)
    assert reverse("admissions:appeal_lodge", args=[not_eligible.pk]) in page
    assert reverse("admissions:appeal_lodge", args=[admitted.pk]) in page
    assert reverse("admissions:appeal_lodge", args=[waiting.pk]) not in page
    assert "cannot be appealed" in page
    assert "skollagen 28 kap. 12 och 18 §§" in page


def test_an_admission_decision_has_no_appeal_page(region):
    decided, _letter = published(region)
    client = applicant_client(decided.application.applicant, region)
    waiting = result_of(decided, Outcome.WAITING)

    assert client.get(reverse("admissions:appeal_lodge", args=[waiting.pk])).status_code == 404


def test_the_applicant_lodges_an_appeal_with_an_attachment(region):
    decided, _letter = published(region)
    client = applicant_client(decided.application.applicant, region)
    result = result_of(decided, Outcome.NOT_ELIGIBLE)
    url = reverse("admissions:appeal_lodge", args=[result.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "requested_change": "Att jag bedöms behörig.",
            "grounds": "Jag har Svenska 1.",
            "files": [pdf_upload()],
        },
        follow=True,
    )

    appeal = Appeal.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admissions:appeal_detail", args=[appeal.pk])
    assert appeal.attachments.count() == 1
    page = response.content.decode()
    assert "Att jag bedöms behörig." in page and "Received" in page
    # Lodging again goes to the appeal already made.
    again = client.get(url)
    assert again.status_code == 302 and again.url.endswith(f"/{appeal.pk}/")


def test_the_appeal_form_keeps_the_input_and_shows_the_error(region):
    decided, _letter = published(region)
    client = applicant_client(decided.application.applicant, region)
    url = reverse("admissions:appeal_lodge", args=[result_of(decided, Outcome.NOT_ELIGIBLE).pk])

    response = client.post(url, {"requested_change": "Behörig.", "grounds": ""})

    assert response.status_code == 400
    assert "Behörig." in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_late_appeal_page_warns_and_still_receives_it(region):
    decided, _letter = published(region, days_ago=40)
    client = applicant_client(decided.application.applicant, region)
    url = reverse("admissions:appeal_lodge", args=[result_of(decided, Outcome.NOT_ELIGIBLE).pk])

    assert "marked late" in client.get(url).content.decode()
    client.post(url, {"requested_change": "Behörig.", "grounds": "Sjuk."})

    assert Appeal.objects.get().is_late is True


def test_another_applicant_gets_404_for_the_decision_the_appeal_and_its_files(region):
    decided, _letter = published(region)
    appeal = _lodge(decided, files=[pdf_upload()])
    stranger = applicant_client(UserFactory(), region)

    for url in (
        reverse("admissions:appeal_lodge", args=[appeal.result_id]),
        reverse("admissions:appeal_detail", args=[appeal.pk]),
        reverse("admissions:appeal_attachment", args=[appeal.attachments.get().pk]),
    ):
        assert stranger.get(url).status_code == 404, url


def test_the_intake_office_sees_the_queue_and_works_an_appeal_to_the_board(region):
    decided, _letter = published(region)
    appeal = _lodge(decided, files=[pdf_upload()])
    officer = staff_client(region)

    queue = officer.get(reverse("admissions:appeal_queue"))
    assert queue.status_code == 200
    assert decided.application.reference in queue.content.decode()
    review = officer.get(reverse("admissions:appeal_review", args=[appeal.pk]))
    assert review.status_code == 200
    attachment = appeal.attachments.get()
    assert (
        officer.get(reverse("admissions:appeal_attachment", args=[attachment.pk])).status_code
        == 200
    )

    officer.post(reverse("admissions:appeal_forward", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FORWARDED
    case_file = officer.get(reverse("admissions:appeal_case_file", args=[appeal.pk]))
    assert case_file.status_code == 200
    assert case_file["Content-Type"] == "application/pdf"
    assert decided.application.personnummer not in case_file["Content-Disposition"]
    assert b"".join(case_file.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="appeal.case_file.view").exists()

    officer.post(
        reverse("admissions:appeal_board_decision", args=[appeal.pk]),
        {"outcome": BoardOutcome.UPHELD, "decided_on": timezone.localdate().isoformat()},
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DECIDED

    owner = applicant_client(decided.application.applicant, region)
    page = owner.get(reverse("admissions:appeal_detail", args=[appeal.pk])).content.decode()
    assert "Upheld (bifall)" in page
    status = _status_page(owner, decided.application).content.decode()
    assert "Upheld (bifall)" in status


def test_the_officer_reconsiders_and_the_applicant_gets_the_new_letter(region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    officer = staff_client(region)

    response = officer.post(
        reverse("admissions:appeal_reconsider", args=[appeal.pk]),
        {"fully_changed": "yes", "decision": "Du är behörig.", "reasons": "Intyget."},
    )

    assert response.status_code == 302
    reconsideration = appeal.reconsiderations.get()
    owner = applicant_client(decided.application.applicant, region)
    letter_url = reverse("admissions:appeal_reconsideration_letter", args=[reconsideration.pk])
    assert (
        letter_url
        in owner.get(reverse("admissions:appeal_detail", args=[appeal.pk])).content.decode()
    )
    download = owner.get(letter_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_reconsideration_without_grounds_is_refused_on_the_page(region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    officer = staff_client(region)

    response = officer.post(
        reverse("admissions:appeal_reconsider", args=[appeal.pk]),
        {"fully_changed": "yes", "decision": "Du är behörig.", "reasons": ""},
    )

    assert response.status_code == 400
    assert not appeal.reconsiderations.exists()


def test_other_roles_get_403_and_a_foreign_officer_404(region, foreign_region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    counsellor = staff_client(
        region, Role.COUNSELLOR, scope_municipality=decided.application.home_municipality
    )
    admin = staff_client(region, Role.REGION_ADMIN)
    foreign = staff_client(foreign_region, Role.INTAKE_OFFICER)
    foreign.defaults["HTTP_HOST"] = "bortland.example.test"

    for client in (counsellor, admin):
        assert client.get(reverse("admissions:appeal_queue")).status_code == 403
        assert client.get(reverse("admissions:appeal_review", args=[appeal.pk])).status_code == 403
    assert foreign.get(reverse("admissions:appeal_review", args=[appeal.pk])).status_code == 404
    assert foreign.post(reverse("admissions:appeal_forward", args=[appeal.pk])).status_code == 404
    appeal.refresh_from_db()
    assert appeal.state == AppealState.RECEIVED
    assert (
        decided.application.reference
        not in foreign.get(reverse("admissions:appeal_queue")).content.decode()
    )


def test_the_case_file_is_404_before_the_appeal_is_forwarded(region):
    decided, _letter = published(region)
    appeal = _lodge(decided)
    officer = staff_client(region)

    assert officer.get(reverse("admissions:appeal_case_file", args=[appeal.pk])).status_code == 404
    appeal_forward(acting_user=officer.user, appeal=appeal)
    assert officer.get(reverse("admissions:appeal_case_file", args=[appeal.pk])).status_code == 200


def test_the_own_data_export_holds_the_appeals(region):
    import io
    import json
    import zipfile

    decided, _letter = published(region)
    _lodge(decided, files=[pdf_upload()])
    owner = applicant_client(decided.application.applicant, region)

    response = owner.get(reverse("admissions:own_data"))

    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    (appeal,) = data["applications"][0]["appeals"]
    assert appeal["requested_change"] == "Behörig." and appeal["state"] == "received"
    assert len(appeal["attachments"]) == 1
