"""The intake office's round pages: create, preview, run with live progress, results, publish;
only intake officers and region admins, only their region's rounds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from admissions.rounds.models import AdmissionRound, Offer, RoundStatus
from config import celery_app
from tests.admissions.intake_support import staff_client
from tests.admissions.round_support import apply, new_round, officer, period_with_offerings
from tests.factories import CentreFactory, MunicipalityFactory


@pytest.fixture
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def client(region):
    return staff_client(region)


@pytest.fixture
def period(region):
    user = officer(region)
    period, (a, b) = period_with_offerings(region, 1, 2)
    first = apply(region, period, user, a, b, group=2)
    first.reference = "HEM-0001"
    first.save(update_fields=["reference"])
    apply(region, period, user, a, group=1)
    apply(region, period, user, b, decide=False)
    return period


def test_an_officer_creates_a_round_and_sees_its_preview(client, period):
    response = client.post(
        reverse("admissions:round_create"),
        {
            "intake_period": period.pk,
            "kind": "main",
            "answer_deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
    )
    admission_round = AdmissionRound.objects.get()
    assert response.url == reverse("admissions:round_detail", args=[admission_round.pk])

    page = client.get(response.url).content.decode()
    assert "Submitted applications" in page
    assert "1 choice has no eligibility decision" in page


def test_the_create_form_keeps_the_input_and_shows_errors(client, period):
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("admissions:round_create"),
        {"intake_period": period.pk, "kind": "main", "answer_deadline": past},
    )
    assert response.status_code == 200
    assert "cannot be in the past" in response.content.decode()
    assert past in response.content.decode()
    assert not AdmissionRound.objects.exists()


def test_running_on_the_page_runs_in_process_and_shows_the_finished_round(
    client, region, period, eager, django_capture_on_commit_callbacks
):
    admission_round = new_round(region, period, client.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admissions:round_run", args=[admission_round.pk]))
    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.PRELIMINARY

    page = client.get(response.url).content.decode()
    assert "every 2s" not in page  # finished: nothing to poll
    assert reverse("admissions:round_results", args=[admission_round.pk]) in page


def test_a_running_round_polls_its_status_fragment(client, region, period):
    admission_round = new_round(region, period, client.user)
    AdmissionRound.objects.filter(pk=admission_round.pk).update(
        status=RoundStatus.RUNNING, progress=50
    )
    status_url = reverse("admissions:round_status", args=[admission_round.pk])

    page = client.get(reverse("admissions:round_detail", args=[admission_round.pk]))
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{status_url}"' in page.content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="50"' in fragment
    assert "<html" not in fragment
    # Without JavaScript: a plain link reloads the page.
    assert "Refresh" in fragment


def test_the_results_page_explains_one_application_and_lists_an_offering(
    client, region, period, eager, django_capture_on_commit_callbacks
):
    admission_round = new_round(region, period, client.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admissions:round_run", args=[admission_round.pk]))
    offering = period.offerings.order_by("pk").first()
    url = reverse("admissions:round_results", args=[admission_round.pk])

    page = client.get(url, {"reference": "HEM-0001", "offering": offering.pk}).content.decode()

    assert "HEM-0001" in page
    assert "On the waiting list" in page  # its first choice went to group 1
    assert "Admitted" in page
    assert "Waiting list" in page


def test_publishing_on_the_page_makes_the_offers(
    client, region, period, eager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "admissions.rounds.services.letters.letters_enqueue_for_round", lambda *, round_id: 0
    )
    admission_round = new_round(region, period, client.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admissions:round_run", args=[admission_round.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admissions:round_publish", args=[admission_round.pk]))
    admission_round.refresh_from_db()

    assert admission_round.status == RoundStatus.PUBLISHED
    assert Offer.objects.filter(round=admission_round).count() == 2
    # Publishing again is refused with a message, not an error page.
    again = client.post(reverse("admissions:round_publish", args=[admission_round.pk]), follow=True)
    assert "Only a preliminary round can be published." in again.content.decode()


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.COORDINATOR, Role.APPLICANT])
def test_other_roles_cannot_see_rounds(region, role):
    scope = {}
    if role == Role.COUNSELLOR:
        scope["scope_municipality"] = MunicipalityFactory(region=region)
    if role == Role.COORDINATOR:
        scope["scope_centre"] = CentreFactory(region=region)
    client = staff_client(region, role=role, **scope)
    assert client.get(reverse("admissions:round_list")).status_code == 403


def test_a_round_of_another_region_is_a_404(client, foreign_region):
    other_user = officer(foreign_region)
    other_period, _ = period_with_offerings(foreign_region, 1)
    foreign = new_round(foreign_region, other_period, other_user)

    for name in ("round_detail", "round_status", "round_results"):
        assert client.get(reverse(f"admissions:{name}", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("admissions:round_run", args=[foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == RoundStatus.DRAFT


def test_with_the_task_queue_down_the_start_is_kept_and_the_run_is_sent_again(
    client, region, period, eager, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from accounts import outbox
    from accounts.models import TaskOutbox
    from admissions import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    admission_round = new_round(region, period, client.user)
    monkeypatch.setattr(tasks.round_run, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admissions:round_run", args=[admission_round.pk]))

    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.RUNNING  # the write is kept
    row = TaskOutbox.objects.get(task="admissions.tasks.round_run", args=[admission_round.pk])
    assert row.sent_at is None
    assert "Connection refused" in row.last_error
    page = client.get(response.url).content.decode()
    assert "The task queue cannot be reached right now" in page

    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    assert outbox.resend(older_than=dt.timedelta(0)) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.PRELIMINARY
    assert outbox.resend(older_than=dt.timedelta(0)) == 0  # sent once
