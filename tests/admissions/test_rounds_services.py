"""The admission round's services: create, preview, snapshot, run (idempotent, crash-safe),
publish, and held seats across rounds. The real matching engine decides."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from admissions.applications.models import EligibilityDecision
from admissions.matching import solve
from admissions.rounds.models import (
    AdmissionRound,
    IntakeLottery,
    Offer,
    OfferAnswer,
    OfferAnswerKind,
    Outcome,
    RoundCutoff,
    RoundResult,
    RoundStatus,
)
from admissions.rounds.selectors import round_preview
from admissions.rounds.services import rounds
from admissions.tasks import round_run as round_run_task
from tests.admissions.round_support import (
    apply,
    new_round,
    offer_for,
    officer,
    outcome_of,
    period_with_offerings,
    result_rows,
    run,
    run_and_publish,
)
from tests.factories import IntakePeriodFactory


@pytest.fixture
def user(region):
    return officer(region)


# --- create and preview -------------------------------------------------------------------------


def test_rounds_are_numbered_per_intake_period(region, user):
    period, _ = period_with_offerings(region, 2)
    other, _ = period_with_offerings(region, 2)

    first = new_round(region, period, user)
    second = new_round(region, period, user, kind="supplementary")
    elsewhere = new_round(region, other, user)

    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert first.status == RoundStatus.DRAFT


def test_create_refuses_a_past_deadline_and_a_foreign_period(region, foreign_region, user):
    foreign_period = IntakePeriodFactory(region=foreign_region)
    with pytest.raises(ValidationError) as caught:
        rounds.round_create(
            acting_user=user,
            region=region,
            intake_period=foreign_period,
            kind="main",
            answer_deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"intake_period", "answer_deadline"}
    assert not AdmissionRound.objects.exists()


def test_preview_counts_the_inputs_and_warns_about_what_is_missing(region, user):
    period, (a, b, empty) = period_with_offerings(region, 2, 1, 0)
    apply(region, period, user, a, b)
    apply(region, period, user, a, eligible=False)
    apply(region, period, user, b, decide=False)

    preview = round_preview(new_round(region, period, user))

    assert preview.applications == 3
    assert preview.choices == 4
    assert (preview.eligible, preview.not_eligible, preview.undecided) == (2, 1, 1)
    assert preview.without_group == 1
    assert preview.seats == 3
    warnings = " ".join(preview.warnings)
    assert "1 choice has no eligibility decision" in warnings
    assert "1 choice has no selection group" in warnings
    assert f"{empty} has no seats" in warnings


# --- the snapshot -------------------------------------------------------------------------------


def test_the_snapshot_hash_is_stable_and_follows_the_inputs(region, user):
    period, (a, b) = period_with_offerings(region, 1, 1)
    first = apply(region, period, user, a, b)
    apply(region, period, user, b, a, group=2)
    admission_round = run(new_round(region, period, user), user)
    sha = admission_round.snapshot_sha256

    assert sha == rounds.snapshot_hash(rounds.snapshot_build(admission_round))
    assert len(sha) == 64
    # The stored JSON round-trips to the same hash (canonical: sorted keys, no spaces).
    admission_round.refresh_from_db()
    assert rounds.snapshot_hash(admission_round.snapshot) == sha

    choice = first.choices.get(rank=1)
    EligibilityDecision.objects.create(
        choice=choice, eligible=False, ground="prerequisites", decided_by=user
    )
    assert rounds.snapshot_hash(rounds.snapshot_build(admission_round)) != sha


def test_undecided_choices_are_not_eligible_and_missing_groups_are_five(region, user):
    period, (a,) = period_with_offerings(region, 3)
    undecided = apply(region, period, user, a, decide=False)
    admission_round = run(new_round(region, period, user), user)

    (applicant,) = admission_round.snapshot["problem"]["applicants"]
    assert applicant["choices"] == [{"offering": str(a.pk), "group": 5, "eligible": False}]
    assert outcome_of(admission_round, undecided, a) == (Outcome.NOT_ELIGIBLE, None)


def test_the_period_lottery_is_drawn_once_and_reused(region, user):
    period, (a,) = period_with_offerings(region, 1)
    apply(region, period, user, a)
    first = run(new_round(region, period, user), user)
    seed = IntakeLottery.objects.get(intake_period=period).seed
    second = run(new_round(region, period, user, kind="supplementary"), user)

    assert IntakeLottery.objects.filter(intake_period=period).count() == 1
    assert first.snapshot["problem"]["seed"] == second.snapshot["problem"]["seed"] == seed


def test_a_given_tie_break_uses_the_submission_time(region, user):
    region.tie_break = "given"
    region.save(update_fields=["tie_break"])
    period, (a,) = period_with_offerings(region, 1)
    early = apply(region, period, user, a)
    late = apply(region, period, user, a)
    early.submitted_at = timezone.now() - dt.timedelta(days=3)
    early.save(update_fields=["submitted_at"])

    admission_round = run(new_round(region, period, user), user)

    assert admission_round.snapshot["problem"]["tie_break"] == "given"
    assert outcome_of(admission_round, early, a) == (Outcome.ADMITTED, None)
    assert outcome_of(admission_round, late, a) == (Outcome.WAITING, 1)


# --- the run ------------------------------------------------------------------------------------


def _world(region, user, applicants=12):
    period, offerings = period_with_offerings(region, 2, 3, 1)
    for n in range(applicants):
        ranked = [offerings[(n + k) % 3] for k in range(3)]
        apply(region, period, user, *ranked, group=1 + n % 5, eligible=n % 7 != 0)
    return period, offerings


def test_results_are_the_engines_decisions_written_in_bulk(
    region, user, django_assert_max_num_queries
):
    period, _offerings = _world(region, user, applicants=40)
    admission_round = new_round(region, period, user)
    rounds.round_start(acting_user=user, admission_round=admission_round)

    # Bulk: the query count does not grow with the number of applicants.
    with django_assert_max_num_queries(30):
        assert rounds.round_run(round_id=admission_round.pk) is True

    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.PRELIMINARY
    assert admission_round.progress == 100
    assert admission_round.finished_at is not None
    solution = solve(rounds.problem_from_snapshot(admission_round.snapshot))
    stored = {
        (str(r.application_id), str(r.offering_id)): (r.outcome, r.waiting_position)
        for r in RoundResult.objects.filter(round=admission_round)
    }
    expected = {(o.applicant, o.offering): (o.reason.value, o.position) for o in solution.outcomes}
    assert stored == expected
    assert RoundResult.objects.filter(round=admission_round).count() == 40 * 3
    for cutoff in RoundCutoff.objects.filter(round=admission_round):
        key = str(cutoff.offering_id)
        admitted = sum(1 for o in solution.assignments.values() if o == key)
        assert cutoff.admitted == admitted <= cutoff.offering.seats
        assert cutoff.waiting == len(solution.waitlists.get(key, ()))
        engine = solution.cutoffs.get(key)
        assert (cutoff.group, cutoff.lottery) == (
            (engine.group, engine.lottery) if engine else (None, None)
        )


def _stored_rows(admission_round) -> list[tuple]:
    """The round's results as rounds.RESULT_FIELDS tuples (ids for the keys), sorted."""
    columns = [RoundResult._meta.get_field(name).attname for name in rounds.RESULT_FIELDS]
    return sorted(RoundResult.objects.filter(round=admission_round).values_list(*columns))


def test_bulk_insert_takes_the_rows_from_a_generator_in_batches(region, user, monkeypatch):
    # COPY on PostgreSQL, bulk_create batches elsewhere: the same rows either way, drawn from
    # the generator as they are written.
    period, _ = _world(region, user)
    admission_round = run(new_round(region, period, user), user)
    stored = _stored_rows(admission_round)
    RoundResult.objects.filter(round=admission_round).delete()
    monkeypatch.setattr(rounds, "RESULT_BATCH", 5)
    drawn = []

    def rows():
        for row in stored:
            drawn.append(row)
            yield row

    assert rounds.bulk_insert(RoundResult, rounds.RESULT_FIELDS, rows()) == len(stored) == 36
    assert drawn == stored
    assert _stored_rows(admission_round) == stored


def test_a_round_that_is_not_draft_cannot_be_started(region, user):
    period, _ = _world(region, user)
    admission_round = run(new_round(region, period, user), user)
    rounds.round_publish(acting_user=user, admission_round=admission_round)

    with pytest.raises(rounds.RoundStateError):
        rounds.round_start(acting_user=user, admission_round=admission_round)


def test_running_twice_gives_one_set_of_results(region, user):
    period, _ = _world(region, user)
    admission_round = new_round(region, period, user)
    rounds.round_start(acting_user=user, admission_round=admission_round)

    assert rounds.round_run(round_id=admission_round.pk) is True
    first = result_rows(admission_round)
    # A second delivery of the same task finds the round preliminary: nothing to do.
    assert rounds.round_run(round_id=admission_round.pk) is False

    assert result_rows(admission_round) == first
    assert RoundCutoff.objects.filter(round=admission_round).count() == 3


def test_a_run_that_crashes_while_writing_leaves_nothing_and_a_rerun_ends_as_a_clean_run(
    region, user, monkeypatch
):
    period, _ = _world(region, user)
    admission_round = new_round(region, period, user)
    rounds.round_start(acting_user=user, admission_round=admission_round)

    class WorkerDied(Exception):
        pass

    def crash(*args, **kwargs):
        # The results are already written when the cutoffs fail.
        assert RoundResult.objects.filter(round=admission_round).exists()
        raise WorkerDied

    with monkeypatch.context() as patch:
        patch.setattr(RoundCutoff.objects, "bulk_create", crash)
        with pytest.raises(WorkerDied):
            rounds.round_run(round_id=admission_round.pk)

    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.RUNNING
    assert "WorkerDied" in admission_round.error
    assert not RoundResult.objects.filter(round=admission_round).exists()
    frozen = admission_round.snapshot_sha256

    # The retry (the task redelivered, or "run again" on the page) reuses the frozen inputs.
    rounds.round_start(acting_user=user, admission_round=admission_round)
    assert rounds.round_run(round_id=admission_round.pk) is True
    admission_round.refresh_from_db()
    assert admission_round.snapshot_sha256 == frozen
    after_crash = result_rows(admission_round)

    # A clean run of the same inputs: "run again" from preliminary.
    clean = run(admission_round, user)
    assert clean.snapshot_sha256 == frozen
    assert result_rows(clean) == after_crash
    assert len(after_crash) == RoundResult.objects.filter(round=admission_round).count()


def test_a_run_with_unsolvable_inputs_goes_back_to_draft_with_the_reason(region, user):
    period, (a,) = period_with_offerings(region, 1)
    admission_round = new_round(region, period, user)
    rounds.round_start(acting_user=user, admission_round=admission_round)
    # Two applicants holding the one seat: the engine refuses rather than over-admit.
    snapshot = rounds.snapshot_build(admission_round)
    snapshot["problem"]["applicants"] = [
        {
            "id": str(n),
            "lottery": None,
            "held": str(a.pk),
            "choices": [{"offering": str(a.pk), "group": 1, "eligible": True}],
        }
        for n in (1, 2)
    ]
    AdmissionRound.objects.filter(pk=admission_round.pk).update(
        snapshot=snapshot, snapshot_sha256=rounds.snapshot_hash(snapshot)
    )

    assert rounds.round_run(round_id=admission_round.pk) is False

    admission_round.refresh_from_db()
    assert admission_round.status == RoundStatus.DRAFT
    assert admission_round.error


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_give_one_set_of_results(region, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL (DATABASE_URL)")
    user = officer(region)
    period, _ = _world(region, user)
    admission_round = new_round(region, period, user)
    # Both copies are started by hand below, not by the commit of the start.
    monkeypatch.setattr(round_run_task, "apply_async", lambda *args, **kwargs: None)
    rounds.round_start(acting_user=user, admission_round=admission_round)
    barrier = threading.Barrier(2)
    wrote: list[bool] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            wrote.append(rounds.round_run(round_id=admission_round.pk))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(wrote) == [False, True]
    assert RoundResult.objects.filter(round=admission_round).count() == 12 * 3
    assert RoundCutoff.objects.filter(round=admission_round).count() == 3


# --- publish ------------------------------------------------------------------------------------


def test_publish_makes_one_offer_per_admitted_application_with_the_deadline(region, user):
    period, _ = _world(region, user)
    admission_round = run_and_publish(region, period, user)

    admitted = RoundResult.objects.filter(round=admission_round, outcome=Outcome.ADMITTED)
    offers = Offer.objects.filter(round=admission_round)
    assert admission_round.status == RoundStatus.PUBLISHED
    assert admission_round.published_by == user
    assert sorted(offers.values_list("application_id", "choice_id")) == sorted(
        admitted.values_list("application_id", "choice_id")
    )
    assert set(offers.values_list("answer_deadline", flat=True)) == {
        admission_round.answer_deadline
    }


def test_publish_is_refused_unless_preliminary(region, user):
    period, _ = _world(region, user)
    draft = new_round(region, period, user)
    with pytest.raises(rounds.RoundStateError):
        rounds.round_publish(acting_user=user, admission_round=draft)

    published = run_and_publish(region, period, user)
    with pytest.raises(rounds.RoundStateError):
        rounds.round_publish(acting_user=user, admission_round=published)
    assert Offer.objects.filter(round=draft).count() == 0


def test_publish_enqueues_the_letters_after_the_commit(
    region, user, monkeypatch, django_capture_on_commit_callbacks
):
    period, _ = _world(region, user)
    admission_round = run(new_round(region, period, user), user)
    called = []
    monkeypatch.setattr(
        "admissions.rounds.services.letters.letters_enqueue_for_round",
        lambda *, round_id: called.append(round_id),
    )
    with django_capture_on_commit_callbacks(execute=True):
        rounds.round_publish(acting_user=user, admission_round=admission_round)

    assert called == [admission_round.pk]


# --- held seats across rounds ----------------------------------------------------------------


def _two_seats_world(region, user):
    """A and B have one seat each. P (group 1) wants only B; X (group 2) wants B, then A;
    Y (group 3) wants only A. Round 1: P gets B, X gets A and waits for B, Y waits for A."""
    period, (a, b) = period_with_offerings(region, 1, 1)
    p = apply(region, period, user, b, group=1)
    x = apply(region, period, user, b, a, group=2)
    y = apply(region, period, user, a, group=3)
    return period, a, b, p, x, y


def test_an_accepted_seat_is_kept_in_the_next_round(region, user):
    period, a, b, p, x, y = _two_seats_world(region, user)
    first = run_and_publish(region, period, user)
    assert outcome_of(first, x, a) == (Outcome.ADMITTED, None)
    assert outcome_of(first, x, b) == (Outcome.WAITING, 1)
    rounds.offer_accept(acting_user=p.applicant, offer=offer_for(first, p))
    rounds.offer_accept(acting_user=x.applicant, offer=offer_for(first, x))

    second = run_and_publish(region, period, user)

    assert second.snapshot["problem"]["applicants"][1]["held"] == str(a.pk)
    assert outcome_of(second, x, a) == (Outcome.ADMITTED, None)
    assert outcome_of(second, x, b) == (Outcome.WAITING, 1)
    assert outcome_of(second, y, a) == (Outcome.WAITING, 1)
    # Nobody is offered again what they already hold.
    assert not Offer.objects.filter(round=second).exists()


def test_moving_up_frees_the_held_seat_for_the_next_in_line(region, user):
    period, a, b, p, x, y = _two_seats_world(region, user)
    first = run_and_publish(region, period, user)
    rounds.offer_decline(acting_user=p.applicant, offer=offer_for(first, p))
    rounds.offer_accept(acting_user=x.applicant, offer=offer_for(first, x))

    second = run_and_publish(region, period, user)

    assert outcome_of(second, p, b) == (Outcome.WITHDRAWN, None)
    assert outcome_of(second, x, b) == (Outcome.ADMITTED, None)
    assert outcome_of(second, y, a) == (Outcome.ADMITTED, None)
    assert offer_for(second, x).choice.offering == b
    assert offer_for(second, y).choice.offering == a

    # Accepting the higher seat supersedes the lower one; the old acceptance stays as history.
    rounds.offer_accept(acting_user=x.applicant, offer=offer_for(second, x))
    held = rounds.held_choices(period)
    assert held[x.pk].offering == b
    assert OfferAnswer.objects.get(offer=offer_for(first, x)).kind == OfferAnswerKind.ACCEPTED


def test_declining_the_higher_seat_after_moving_up_leaves_no_seat_held(region, user):
    # Moving up gave the lower seat to the next in line, so it cannot be held any longer.
    period, a, b, p, x, y = _two_seats_world(region, user)
    first = run_and_publish(region, period, user)
    rounds.offer_decline(acting_user=p.applicant, offer=offer_for(first, p))
    rounds.offer_accept(acting_user=x.applicant, offer=offer_for(first, x))
    second = run_and_publish(region, period, user)
    assert offer_for(second, x).choice.offering == b
    assert rounds.held_choices(period)[x.pk].offering == b  # open: the seat is theirs to answer

    rounds.offer_decline(acting_user=x.applicant, offer=offer_for(second, x))

    assert x.pk not in rounds.held_choices(period)
    # Y's open offer of A is the only hold on A's one seat, so the third round can be solved
    # (two holders of one seat would make the engine refuse it) and A stays with Y.
    third = run_and_publish(region, period, user)
    assert third.status == RoundStatus.PUBLISHED
    assert outcome_of(third, y, a) == (Outcome.ADMITTED, None)
    assert outcome_of(third, x, a) == (Outcome.WAITING, 1)
