"""Admission rounds: create, start, run (snapshot → engine → results in bulk), publish offers,
close; the applicant's answers to offers and their expiry.

How a run stays correct when it runs twice, concurrently or after a crash (DESIGN.md rule 4):

- `round_start` moves the round draft → running under a row lock and enqueues `round_run` after
  the commit; it refuses a round that is not draft or preliminary (or a run that failed).
- `round_run` (the task's service) works in three short transactions, each taking the round's
  row lock and checking the status first, so a second copy waits and then finds nothing to do:
  1. freeze the inputs: if the run has no snapshot yet, build it, store it and its SHA-256 (a
     copy of the run that crashed after this step reuses it, so a re-run solves the same input);
  2. solve, outside any transaction (the engine is pure and touches no rows);
  3. write: delete whatever results the round has, bulk-create the results and cutoffs, mark
     the round preliminary. A crash in this step rolls all of it back; the next attempt starts
     clean. A copy that arrives after another finished finds the round preliminary: a no-op.
- Progress (10, 50, 90, 100 %) is written between the steps, so the page can show it live.

What the engine is given (the snapshot), and the rules behind it:

- Applicants: the period's submitted applications. A withdrawn application's choices, and every
  choice whose earlier offer was declined or expired, are not given to the engine; they get the
  outcome "withdrawn" in the results.
- Eligibility is the choice's latest EligibilityDecision; a choice without one is given to the
  engine as *not eligible* (nobody is admitted on an undecided choice; the preview warns).
- The group is the choice's latest SelectionGroupDecision; a choice without one is given group 5,
  the lowest priority (the preview warns).
- Held seat: the applicant's latest offer of an earlier round of the period, when it is accepted
  or still open (see round_selectors.held_choices). The offering keeps all
  its seats as capacity: the engine gives the holder top priority there. The held choice is
  given as eligible whatever a later eligibility decision says: an accepted seat is a guarantee.
- Tie-break: the region's rule. "lottery": the engine draws every applicant's number from the
  period's seed (IntakeLottery, drawn once when the period's first round starts, reused by every
  later round); "given": the application's submission time (seconds since the epoch; earlier
  goes first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.models import Region, User
from accounts.services import audit_record
from admissions import matching
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    EligibilityDecision,
    SelectionGroupDecision,
)
from admissions.applications.services.applications import application_withdraw
from admissions.matching import (
    ApplicantIn,
    ChoiceIn,
    OfferingIn,
    Problem,
    ProblemError,
    Solution,
    TieBreak,
)
from admissions.rounds.models import (
    AdmissionRound,
    IntakeLottery,
    Offer,
    OfferAnswer,
    OfferAnswerKind,
    Outcome,
    RoundCutoff,
    RoundKind,
    RoundResult,
    RoundStatus,
)
from admissions.rounds.selectors import held_choices, latest_by_choice
from admissions.rounds.services import letters as letter_services
from yrkescenter.models import IntakePeriod, Offering

logger = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 1
# A choice without a selection-group decision is given the lowest priority.
DEFAULT_GROUP = 5
# Answers that take the offered choice out of later rounds (the application stays in).
CHOICE_REMOVING_ANSWERS = (OfferAnswerKind.DECLINED, OfferAnswerKind.EXPIRED)
RESULT_BATCH = 2000
# Statuses from which a run may be started: a new round, or a preliminary one run again (with
# the inputs as they are now: unchanged inputs give the same snapshot hash and the same result).
STARTABLE = (RoundStatus.DRAFT, RoundStatus.PRELIMINARY)

# Called with the round after a publication commits. The decision letters are enqueued here:
# see `_letters_hook` at the end of this module.
round_published_hooks: list[Callable[[AdmissionRound], None]] = []


class RoundStateError(ValidationError):
    """The round is not in a state that allows this action."""


class OfferAnswerError(ValidationError):
    """The offer can no longer be answered (already answered, expired, round closed)."""


def _locked(round_: AdmissionRound | int, *, with_snapshot: bool = False) -> AdmissionRound:
    pk = round_ if isinstance(round_, int) else round_.pk
    rounds = AdmissionRound.objects.select_for_update().select_related("region", "intake_period")
    if not with_snapshot:
        # A national round's snapshot is tens of MB of JSON: decoded only where it is used.
        rounds = rounds.defer("snapshot")
    return rounds.get(pk=pk)


# --- create, start --------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    acting_user: User,
    region: Region,
    intake_period: IntakePeriod,
    kind: str,
    answer_deadline: dt.date,
) -> AdmissionRound:
    """A new draft round of the period, numbered after the period's last round."""
    errors = {}
    if intake_period.region_id != region.pk:
        errors["intake_period"] = _("Choose an intake period of this region.")
    if kind not in RoundKind.values:
        errors["kind"] = _("Choose the kind of round.")
    if answer_deadline < timezone.localdate():
        errors["answer_deadline"] = _("The answer deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    # Lock the period so two officers creating rounds at once get consecutive numbers.
    IntakePeriod.objects.select_for_update().get(pk=intake_period.pk)
    last = AdmissionRound.objects.filter(intake_period=intake_period).aggregate(n=Max("number"))
    round_ = AdmissionRound.objects.create(
        region=region,
        intake_period=intake_period,
        kind=kind,
        number=(last["n"] or 0) + 1,
        answer_deadline=answer_deadline,
        created_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        action="round.create",
        target=round_,
        data={"kind": kind, "number": round_.number, "answer_deadline": str(answer_deadline)},
    )
    return round_


def _lottery_for(period: IntakePeriod, acting_user: User | None) -> IntakeLottery:
    """The period's lottery seed, drawn once (from the OS's randomness) and then reused."""
    lottery = IntakeLottery.objects.filter(intake_period=period).first()
    if lottery is not None:
        return lottery
    lottery = IntakeLottery.objects.create(
        intake_period=period, seed=secrets.randbits(62), drawn_by=acting_user
    )
    audit_record(
        acting_user=acting_user,
        region=period.region,
        action="round.lottery_draw",
        target=lottery,
        data={"intake_period": period.pk},
    )
    return lottery


@transaction.atomic
def round_start(*, acting_user: User, admission_round: AdmissionRound) -> AdmissionRound:
    """Mark the round running and enqueue the run after the commit. From draft, from
    preliminary (run again with the current inputs), or after a failed run."""
    round_ = _locked(admission_round)
    failed = round_.status == RoundStatus.RUNNING and bool(round_.error)
    if round_.status not in STARTABLE and not failed:
        raise RoundStateError(_("Only a draft or preliminary round can be run."), code="status")
    # Held for the period: the seed is drawn when its first round starts.
    IntakePeriod.objects.select_for_update().get(pk=round_.intake_period_id)
    _lottery_for(round_.intake_period, acting_user)
    previous = round_.status
    round_.status = RoundStatus.RUNNING
    round_.progress = 0
    round_.error = ""
    round_.started_at = timezone.now()
    round_.finished_at = None
    if not failed:
        # A new run freezes the inputs anew; a failed run's retry keeps what it froze.
        round_.snapshot = None
        round_.snapshot_sha256 = ""
    round_.save(
        update_fields=[
            "status",
            "progress",
            "error",
            "started_at",
            "finished_at",
            "snapshot",
            "snapshot_sha256",
        ]
    )
    audit_record(
        acting_user=acting_user,
        region=round_.region,
        action="round.start",
        target=round_,
        data={"previous_status": previous},
    )
    outbox.enqueue_on_commit("admissions.tasks.round_run", round_.pk)
    return round_


# --- the snapshot -----------------------------------------------------------------------------


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def snapshot_build(round_: AdmissionRound) -> dict:
    """The engine's input for the round, with what the writer needs to map it back to choices.
    Lists are sorted by pk so the same inputs always give the same JSON and hash."""
    period = round_.intake_period
    seed = IntakeLottery.objects.get(intake_period=period).seed
    tie_break = TieBreak(round_.region.tie_break)
    eligibility = latest_by_choice(EligibilityDecision, "eligible", period)
    groups = latest_by_choice(SelectionGroupDecision, "group", period)
    held = {app: choice.pk for app, choice in held_choices(period).items()}
    removed_choices = set(
        Offer.objects.filter(
            round__intake_period=period, answer__kind__in=CHOICE_REMOVING_ANSWERS
        ).values_list("choice_id", flat=True)
    )
    withdrawn_by_answer = set(
        Offer.objects.filter(
            round__intake_period=period, answer__kind=OfferAnswerKind.WITHDRAWN
        ).values_list("application_id", flat=True)
    )
    applications = dict(
        Application.objects.filter(
            intake_period=period,
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN),
        ).values_list("pk", "status")
    )
    submitted_at = {}
    if tie_break == TieBreak.GIVEN:
        submitted_at = dict(
            Application.objects.filter(intake_period=period).values_list("pk", "submitted_at")
        )
    choices = (
        Choice.objects.filter(
            application__intake_period=period,
            application__status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN),
        )
        .order_by("application_id", "rank")
        .values_list("pk", "application_id", "offering_id")
    )
    applicants: dict[int, dict] = {}
    choice_ids: dict[int, list[int]] = {}
    excluded: list[dict] = []
    referenced: set[int] = set()
    for choice_pk, app_pk, offering_pk in choices:
        group = groups.get(choice_pk, DEFAULT_GROUP)
        withdrawn = (
            applications[app_pk] == ApplicationStatus.WITHDRAWN or app_pk in withdrawn_by_answer
        )
        if withdrawn or choice_pk in removed_choices:
            excluded.append(
                {
                    "application": app_pk,
                    "choice": choice_pk,
                    "offering": offering_pk,
                    "group": group,
                    "why": "withdrawn" if withdrawn else "declined",
                }
            )
            continue
        referenced.add(offering_pk)
        applicant = applicants.get(app_pk)
        if applicant is None:
            given = submitted_at.get(app_pk)
            applicant = applicants[app_pk] = {
                "id": str(app_pk),
                "lottery": given.timestamp() if given is not None else None,
                "held": None,
                "choices": [],
            }
            choice_ids[app_pk] = []
        is_held = held.get(app_pk) == choice_pk
        if is_held:
            applicant["held"] = str(offering_pk)
        applicant["choices"].append(
            {
                "offering": str(offering_pk),
                "group": group,
                "eligible": True if is_held else bool(eligibility.get(choice_pk, False)),
            }
        )
        choice_ids[app_pk].append(choice_pk)
    seats = dict(
        Offering.objects.filter(Q(intake_period=period) | Q(pk__in=referenced)).values_list(
            "pk", "seats"
        )
    )
    return {
        "format": SNAPSHOT_FORMAT,
        "problem": {
            "tie_break": tie_break.value,
            "seed": seed,
            "offerings": [{"id": str(pk), "capacity": seats[pk]} for pk in sorted(seats)],
            "applicants": [applicants[pk] for pk in sorted(applicants)],
        },
        "choice_ids": {str(pk): choice_ids[pk] for pk in sorted(choice_ids)},
        "excluded": sorted(excluded, key=lambda row: row["choice"]),
    }


def problem_from_snapshot(snapshot: dict) -> Problem:
    data = snapshot["problem"]
    return Problem(
        offerings=tuple(OfferingIn(id=o["id"], capacity=o["capacity"]) for o in data["offerings"]),
        applicants=tuple(
            ApplicantIn(
                id=a["id"],
                choices=tuple(
                    ChoiceIn(offering=c["offering"], group=c["group"], eligible=c["eligible"])
                    for c in a["choices"]
                ),
                lottery=a["lottery"],
                held=a["held"],
            )
            for a in data["applicants"]
        ),
        tie_break=TieBreak(data["tie_break"]),
        seed=data["seed"],
    )


# --- the run ------------------------------------------------------------------------------------


def _progress(round_pk: int, percent: int) -> None:
    # Only a running round's progress moves: a late copy never touches a finished round.
    AdmissionRound.objects.filter(pk=round_pk, status=RoundStatus.RUNNING).update(progress=percent)


@transaction.atomic
def _freeze_inputs(round_pk: int) -> tuple[dict, str] | None:
    """Step 1: the run's snapshot and its SHA-256 (built, hashed and stored together if this run
    has none yet), or None when the round is not running (another copy finished it, or it was
    never started)."""
    round_ = _locked(round_pk, with_snapshot=True)
    if round_.status != RoundStatus.RUNNING:
        return None
    round_.progress = 10
    round_.save(update_fields=["progress"])
    if round_.snapshot is None:
        round_.snapshot = snapshot_build(round_)
        round_.snapshot_sha256 = snapshot_hash(round_.snapshot)
        round_.save(update_fields=["snapshot", "snapshot_sha256"])
    # The stored hash was computed from this very snapshot in the same transaction: hashed once.
    return round_.snapshot, round_.snapshot_sha256


RESULT_FIELDS = (
    "round",
    "choice",
    "application",
    "offering",
    "outcome",
    "waiting_position",
    "group",
    "lottery",
)


def result_rows(round_pk: int, snapshot: dict, solution: Solution) -> Iterator[tuple]:
    """One row (RESULT_FIELDS, ids for the keys) per choice: the engine's outcome, or
    "withdrawn" for the choices that were kept from it. A generator, so that a round of any
    size is written without a model instance per row nor a list of them all."""
    index: dict[tuple[str, str], tuple[int, int]] = {}
    for applicant in snapshot["problem"]["applicants"]:
        ids = snapshot["choice_ids"][applicant["id"]]
        for choice, choice_pk in zip(applicant["choices"], ids, strict=True):
            index[(applicant["id"], choice["offering"])] = (choice_pk, choice["group"])
    lotteries = solution.lotteries
    for outcome in solution.outcomes:
        choice_pk, group = index[(outcome.applicant, outcome.offering)]
        yield (
            round_pk,
            choice_pk,
            int(outcome.applicant),
            int(outcome.offering),
            Outcome(outcome.reason.value).value,
            outcome.position,
            group,
            lotteries.get(outcome.applicant),
        )
    for row in snapshot["excluded"]:
        yield (
            round_pk,
            row["choice"],
            row["application"],
            row["offering"],
            Outcome.WITHDRAWN.value,
            None,
            row["group"],
            None,
        )


def bulk_insert(model: type[models.Model], fields: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Inserts the rows (values in the order of `fields`, ids for foreign keys) in the current
    transaction and returns how many. On PostgreSQL through COPY, streamed: no model instance
    and no SQL statement per batch, and the rows are never all in memory at once. Elsewhere
    (SQLite) through bulk_create, a batch at a time. Nothing is called per row (no save(), no
    signals): as with bulk_create."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        count = 0
        with connection.cursor() as cursor:
            # cursor.cursor is psycopg 3's own cursor, under Django's wrapper.
            statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    # attname: "round_id" for the foreign key "round".
    attnames = [model._meta.get_field(name).attname for name in fields]
    count = 0
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, RESULT_BATCH)):
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in batch])
        count += len(batch)
    return count


def cutoffs_from_solution(round_pk: int, snapshot: dict, solution: Solution) -> list[RoundCutoff]:
    admitted: dict[str, int] = {}
    for offering in solution.assignments.values():
        if offering is not None:
            admitted[offering] = admitted.get(offering, 0) + 1
    cutoffs = []
    for offering in snapshot["problem"]["offerings"]:
        pk = offering["id"]
        cutoff = solution.cutoffs.get(pk)
        cutoffs.append(
            RoundCutoff(
                round_id=round_pk,
                offering_id=int(pk),
                admitted=admitted.get(pk, 0),
                waiting=len(solution.waitlists.get(pk, ())),
                group=cutoff.group if cutoff else None,
                lottery=cutoff.lottery if cutoff else None,
            )
        )
    return cutoffs


def _delete_round_rows(model: type[models.Model], round_pk: int) -> None:
    """DELETE ... WHERE round_id = %s in one statement. QuerySet.delete() would fetch every row
    first (an appeal PROTECTs its result, so Django collects the rows to check them): minutes
    for a national round run again. Nothing is lost by skipping that check: only a draft or
    preliminary round runs, and appeals are made against published results; were one there,
    the database's own foreign key would refuse the delete at commit."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field("round").column)
    with connection.cursor() as cursor:
        # The names come from the model, quoted; the value is a parameter.
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [round_pk])  # noqa: S608


@transaction.atomic
def _write(round_pk: int, sha256: str, snapshot: dict, solution: Solution) -> bool:
    """Step 3: replace the round's results in one transaction. False when another copy of the
    run got here first (the round is no longer running, or runs on newer inputs)."""
    round_ = _locked(round_pk)
    if round_.status != RoundStatus.RUNNING or round_.snapshot_sha256 != sha256:
        return False
    # Keyed writes: whatever an earlier attempt left goes first, in this same transaction.
    _delete_round_rows(RoundResult, round_pk)
    _delete_round_rows(RoundCutoff, round_pk)
    bulk_insert(RoundResult, RESULT_FIELDS, result_rows(round_pk, snapshot, solution))
    # Looked up on the module at call time: the fault tests stop a worker right here, with the
    # results inserted and nothing committed (tests/faults/worker_app.py).
    RoundCutoff.objects.bulk_create(
        cutoffs_from_solution(round_pk, snapshot, solution), batch_size=RESULT_BATCH
    )
    round_.status = RoundStatus.PRELIMINARY
    round_.progress = 100
    round_.finished_at = timezone.now()
    round_.save(update_fields=["status", "progress", "finished_at"])
    audit_record(
        acting_user=None,
        region=round_.region,
        action="round.run",
        target=round_,
        data={
            "snapshot_sha256": sha256,
            "admitted": sum(1 for o in solution.assignments.values() if o is not None),
        },
    )
    return True


@transaction.atomic
def _fail(round_pk: int, message: str, *, back_to_draft: bool) -> None:
    round_ = _locked(round_pk)
    if round_.status != RoundStatus.RUNNING:
        return
    round_.error = message[:2000]
    update = ["error"]
    if back_to_draft:
        round_.status = RoundStatus.DRAFT
        round_.progress = 0
        update += ["status", "progress"]
    round_.save(update_fields=update)


def round_run(*, round_id: int) -> bool:
    """The run itself (called by the Celery task): safe to call any number of times, at once or
    one after another; see the module's docstring. True when this call wrote the results."""
    frozen = _freeze_inputs(round_id)
    if frozen is None:
        return False
    snapshot, sha256 = frozen
    _progress(round_id, 50)
    try:
        solution = matching.solve(problem_from_snapshot(snapshot))
    except ProblemError as error:
        # The inputs cannot be solved as they are: back to draft, with the engine's one line.
        _fail(round_id, str(error), back_to_draft=True)
        return False
    _progress(round_id, 90)
    try:
        return _write(round_id, sha256, snapshot, solution)
    except Exception as error:
        # Recorded so the page can say so; the round stays running and can be run again. The
        # error is re-raised: the task fails loudly.
        _fail(round_id, f"{type(error).__name__}: {error}", back_to_draft=False)
        raise


# --- publish, close -------------------------------------------------------------------------


@transaction.atomic
def round_publish(*, acting_user: User, admission_round: AdmissionRound) -> AdmissionRound:
    """Preliminary → published: an offer for every admitted application, with the round's
    answer deadline, except where the applicant already holds exactly that offering."""
    round_ = _locked(admission_round)
    if round_.status != RoundStatus.PRELIMINARY:
        raise RoundStateError(_("Only a preliminary round can be published."), code="status")
    held = {
        app: choice.pk
        for app, choice in held_choices(round_.intake_period, before_number=round_.number).items()
    }
    # Fetched whole (pairs of ints), not streamed from the database: a COPY holds the
    # connection, so no cursor may fetch on it while the offers are copied in.
    admitted = list(
        RoundResult.objects.filter(round=round_, outcome=Outcome.ADMITTED).values_list(
            "application_id", "choice_id"
        )
    )
    now = timezone.now()
    offers = bulk_insert(
        Offer,
        ("round", "application", "choice", "answer_deadline", "created_at"),
        (
            (round_.pk, app, choice, round_.answer_deadline, now)
            for app, choice in admitted
            if held.get(app) != choice
        ),
    )
    round_.status = RoundStatus.PUBLISHED
    round_.published_by = acting_user
    round_.published_at = timezone.now()
    round_.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        acting_user=acting_user,
        region=round_.region,
        action="round.publish",
        target=round_,
        data={"offers": offers, "snapshot_sha256": round_.snapshot_sha256},
    )
    for hook in list(round_published_hooks):
        transaction.on_commit(lambda hook=hook: hook(round_))
    return round_


@transaction.atomic
def round_close(*, acting_user: User, admission_round: AdmissionRound) -> AdmissionRound:
    """Published → closed, once the answer deadline has passed: the open offers expire first,
    so the round's seats are settled before the next round is run."""
    round_ = _locked(admission_round)
    if round_.status != RoundStatus.PUBLISHED:
        raise RoundStateError(_("Only a published round can be closed."), code="status")
    if timezone.localdate() <= round_.answer_deadline:
        raise RoundStateError(
            _("The round can be closed after its answer deadline."), code="deadline"
        )
    expired = _expire(Offer.objects.filter(round=round_))
    round_.status = RoundStatus.CLOSED
    round_.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        region=round_.region,
        action="round.close",
        target=round_,
        data={"expired": expired},
    )
    return round_


# --- offers -----------------------------------------------------------------------------------


def offer_is_open(offer: Offer, today: dt.date | None = None) -> bool:
    """Whether the applicant may still answer: unanswered, round published, deadline ahead."""
    today = today or timezone.localdate()
    try:
        offer.answer  # noqa: B018
    except OfferAnswer.DoesNotExist:
        return offer.round.status == RoundStatus.PUBLISHED and today <= offer.answer_deadline
    return False


@transaction.atomic
def offer_answer(*, acting_user: User, offer: Offer, kind: str) -> OfferAnswer:
    """The applicant's answer: accept; decline and keep waiting for higher choices; or decline
    and withdraw the whole application. One answer per offer (the database enforces it)."""
    if kind not in (OfferAnswerKind.ACCEPTED, OfferAnswerKind.DECLINED, OfferAnswerKind.WITHDRAWN):
        raise OfferAnswerError(_("Choose an answer."), code="kind")
    offer = (
        Offer.objects.select_for_update()
        .select_related("round", "application__region", "choice")
        .get(pk=offer.pk)
    )
    if OfferAnswer.objects.filter(offer=offer).exists():
        raise OfferAnswerError(_("This offer has already been answered."), code="answered")
    if offer.round.status != RoundStatus.PUBLISHED:
        raise OfferAnswerError(_("This offer can no longer be answered."), code="closed")
    if timezone.localdate() > offer.answer_deadline:
        raise OfferAnswerError(_("The answer deadline has passed."), code="deadline")
    answer = OfferAnswer.objects.create(offer=offer, kind=kind, answered_by=acting_user)
    audit_record(
        acting_user=acting_user,
        region=offer.application.region,
        action=f"offer.{kind}",
        target=offer.application,
        data={"offer": offer.pk, "round": offer.round_id, "choice": offer.choice_id},
    )
    if kind == OfferAnswerKind.WITHDRAWN:
        application_withdraw(acting_user=acting_user, application=offer.application)
    return answer


def offer_accept(*, acting_user: User, offer: Offer) -> OfferAnswer:
    """Accepting a later round's offer supersedes an earlier accepted one: the held seat is the
    latest offer (see `held_choices`); the round that moved the applicant up gave the lower seat
    to the next in line."""
    return offer_answer(acting_user=acting_user, offer=offer, kind=OfferAnswerKind.ACCEPTED)


def offer_decline(*, acting_user: User, offer: Offer) -> OfferAnswer:
    return offer_answer(acting_user=acting_user, offer=offer, kind=OfferAnswerKind.DECLINED)


def offer_withdraw(*, acting_user: User, offer: Offer) -> OfferAnswer:
    return offer_answer(acting_user=acting_user, offer=offer, kind=OfferAnswerKind.WITHDRAWN)


def _expire(offers) -> int:
    today = timezone.localdate()
    open_offers = list(
        offers.filter(answer__isnull=True, answer_deadline__lt=today).values_list("pk", flat=True)
    )
    # ignore_conflicts: an applicant's answer that lands at the same moment wins; the one-to-one
    # keeps it to one answer per offer either way.
    OfferAnswer.objects.bulk_create(
        [OfferAnswer(offer_id=pk, kind=OfferAnswerKind.EXPIRED) for pk in open_offers],
        ignore_conflicts=True,
        batch_size=RESULT_BATCH,
    )
    return len(open_offers)


@transaction.atomic
def offers_expire() -> int:
    """Record EXPIRED for every offer of a published round left unanswered past its deadline.
    Safe to run any number of times: an answered offer is never touched again. Returns how many
    offers expired."""
    expired = _expire(Offer.objects.filter(round__status=RoundStatus.PUBLISHED))
    if expired:
        logger.info("offers expired: %d", expired)
    return expired


# --- after publication ----------------------------------------------------------------------


def _letters_hook(admission_round: AdmissionRound) -> None:
    """A published round's decision letters: one task per application, keyed by round and
    application (admissions.rounds.services.letters), so publishing twice never makes two."""
    letter_services.letters_enqueue_for_round(round_id=admission_round.pk)


round_published_hooks.append(_letters_hook)
