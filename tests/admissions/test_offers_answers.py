"""The applicant's answers to offers, their effect on later rounds, and expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from admissions.applications.models import ApplicationStatus
from admissions.rounds.models import (
    AdmissionRound,
    Offer,
    OfferAnswer,
    OfferAnswerKind,
    Outcome,
    RoundResult,
    RoundStatus,
)
from admissions.rounds.services import rounds
from admissions.tasks import offers_expire
from tests.admissions.round_support import (
    apply,
    new_round,
    offer_for,
    officer,
    outcome_of,
    period_with_offerings,
    run,
    run_and_publish,
)
from tests.factories import MembershipFactory

HOST = "hemland.example.test"


@pytest.fixture
def user(region):
    return officer(region)


@pytest.fixture
def world(region, user):
    """A has one seat, B one. X (group 2) wants B, then A; P (group 1) wants B. Round 1: P gets
    B, X gets A and waits for B."""
    period, (a, b) = period_with_offerings(region, 1, 1)
    p = apply(region, period, user, b, group=1)
    x = apply(region, period, user, b, a, group=2)
    first = run_and_publish(region, period, user)
    return period, a, b, p, x, first


def test_declining_keeps_the_applicant_waiting_for_higher_choices(region, user, world):
    period, a, b, _p, x, first = world
    rounds.offer_decline(acting_user=x.applicant, offer=offer_for(first, x))

    second = run_and_publish(region, period, user)

    assert outcome_of(second, x, a) == (Outcome.WITHDRAWN, None)
    assert outcome_of(second, x, b) == (Outcome.WAITING, 1)
    x.refresh_from_db()
    assert x.status == ApplicationStatus.SUBMITTED


def test_withdrawing_removes_the_application_from_later_rounds(region, user, world):
    period, _a, _b, _p, x, first = world
    rounds.offer_withdraw(acting_user=x.applicant, offer=offer_for(first, x))

    x.refresh_from_db()
    assert x.status == ApplicationStatus.WITHDRAWN
    second = run_and_publish(region, period, user)
    assert set(
        RoundResult.objects.filter(round=second, application=x).values_list("outcome", flat=True)
    ) == {Outcome.WITHDRAWN}
    assert str(x.pk) not in {a["id"] for a in second.snapshot["problem"]["applicants"]}


def test_an_offer_is_answered_once(world):
    *_, x, first = world
    offer = offer_for(first, x)
    rounds.offer_accept(acting_user=x.applicant, offer=offer)

    with pytest.raises(rounds.OfferAnswerError):
        rounds.offer_decline(acting_user=x.applicant, offer=offer)
    assert OfferAnswer.objects.get(offer=offer).kind == OfferAnswerKind.ACCEPTED


def test_unanswered_offers_expire_once_past_their_deadline(world):
    *_, p, x, first = world
    rounds.offer_accept(acting_user=p.applicant, offer=offer_for(first, p))
    Offer.objects.filter(round=first).update(
        answer_deadline=timezone.localdate() - dt.timedelta(days=1)
    )

    assert offers_expire.delay().get() == 1
    assert offers_expire.delay().get() == 0

    assert OfferAnswer.objects.get(offer=offer_for(first, x)).kind == OfferAnswerKind.EXPIRED
    assert OfferAnswer.objects.get(offer=offer_for(first, p)).kind == OfferAnswerKind.ACCEPTED
    with pytest.raises(rounds.OfferAnswerError):
        rounds.offer_accept(acting_user=x.applicant, offer=offer_for(first, x))


def test_an_offer_is_not_expired_before_its_deadline(world):
    *_, _first = world
    assert rounds.offers_expire() == 0
    assert not OfferAnswer.objects.exists()


def test_an_expired_offer_frees_its_seat_for_the_next_round(region, user, world):
    period, _a, b, p, x, first = world
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Offer.objects.filter(round=first).update(answer_deadline=yesterday)
    AdmissionRound.objects.filter(pk=first.pk).update(answer_deadline=yesterday)
    rounds.round_close(acting_user=user, admission_round=first)
    first.refresh_from_db()
    assert first.status == RoundStatus.CLOSED

    second = run_and_publish(region, period, user)
    assert outcome_of(second, p, b) == (Outcome.WITHDRAWN, None)
    assert outcome_of(second, x, b) == (Outcome.ADMITTED, None)


def test_a_round_is_closed_only_after_its_deadline(user, world):
    *_, first = world
    with pytest.raises(rounds.RoundStateError):
        rounds.round_close(acting_user=user, admission_round=first)


# --- the applicant's pages ----------------------------------------------------------------------


def _applicant_client(application):
    MembershipFactory(region=application.region, role=Role.APPLICANT, user=application.applicant)
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(application.applicant)
    return client


def test_the_status_page_shows_the_open_offer_with_its_answers(world):
    *_, x, first = world
    client = _applicant_client(x)

    page = client.get(reverse("admissions:application_detail", args=[x.pk]))

    offer = offer_for(first, x)
    assert page.status_code == 200
    assert reverse("admissions:offer_answer", args=[offer.pk]) in page.content.decode()
    assert "Accept the seat" in page.content.decode()


def test_the_applicant_accepts_on_the_status_page(world):
    *_, x, first = world
    client = _applicant_client(x)
    offer = offer_for(first, x)

    response = client.post(
        reverse("admissions:offer_answer", args=[offer.pk]), {"answer": "accepted"}
    )

    assert response.status_code == 302
    assert OfferAnswer.objects.get(offer=offer).answered_by == x.applicant
    page = client.get(reverse("admissions:application_detail", args=[x.pk])).content.decode()
    assert "Accepted" in page


def test_withdrawing_needs_a_confirmation(world):
    *_, x, first = world
    client = _applicant_client(x)
    offer = offer_for(first, x)
    url = reverse("admissions:offer_answer", args=[offer.pk])

    refused = client.post(url, {"answer": "withdrawn"})
    assert refused.status_code == 200
    assert "Confirm that you want to withdraw" in refused.content.decode()
    assert not OfferAnswer.objects.exists()

    client.post(url, {"answer": "withdrawn", "confirm_withdraw": "on"})
    assert OfferAnswer.objects.get(offer=offer).kind == OfferAnswerKind.WITHDRAWN


def test_someone_elses_offer_is_a_404(world):
    *_, p, x, first = world
    client = _applicant_client(p)
    offer = offer_for(first, x)

    url = reverse("admissions:offer_answer", args=[offer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "accepted"}).status_code == 404
    assert not OfferAnswer.objects.exists()


def test_choices_cannot_change_once_a_round_has_decided_on_them(region):
    from django.core.exceptions import ValidationError

    from admissions.applications.selectors.apply import choices_editable
    from admissions.applications.services.applications import application_choices_set

    user = officer(region)
    period, (first, second) = period_with_offerings(region, 1, 1)
    application = apply(region, period, user, first, second)
    assert choices_editable(application)
    run(new_round(region, period, user), user)

    assert not choices_editable(application)
    with pytest.raises(ValidationError) as refused:
        application_choices_set(
            acting_user=application.applicant or user,
            application=application,
            offering_ids=[first.pk],
        )
    assert refused.value.code == "decided"
    assert list(application.choices.values_list("offering_id", flat=True)) == [first.pk, second.pk]
