"""Scoped reads of appeals (överklagande). Every page reaches appeals through `appeals_for`, so
a rule about who may see which appeal (for example for applicants with protected personal data)
is added in one place.

When the clock starts: an appeal must have reached the deciding municipality within three weeks
from the day the applicant was given the decision (förvaltningslagen 44 §). Yrkesporten gives
decisions through the portal: the round's letter (its first version) is published there and the
applicant is told by e-mail the same moment. So the three weeks run from the day that letter was
made (Europe/Stockholm); a later corrected version does not restart them. The last day moves to
the next Monday when it falls on a Saturday or Sunday (lagen (1930:173) om beräkning av
lagstadgad tid; public holidays are not counted here, which only ever errs towards "late", and
a late appeal is still received for the authority to judge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Membership
from accounts.tenancy import get_scoped_or_404
from admissions.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealReconsideration,
    AppealState,
    AppealSubject,
)
from admissions.applications.models import Application
from admissions.applications.selectors.apply import iso
from admissions.rounds.models import DecisionLetter, Outcome, RoundResult
from yrkescenter.models import Municipality

APPEAL_PERIOD = dt.timedelta(weeks=3)
# Which round outcome is a decision of which appealable kind (skollagen 28 kap. 12 §); the
# others (waiting list, ranked below the admitted course) are urval, which cannot be appealed
# (skollagen 28 kap. 12 och 18 §§). Mirrors admissions.rounds.letters.APPEALABLE_OUTCOMES.
SUBJECT_OF_OUTCOME = {
    Outcome.NOT_ELIGIBLE: AppealSubject.ACCEPTANCE,
    Outcome.ADMITTED: AppealSubject.COST_COMMITMENT,
}
NOT_APPEALABLE_OUTCOMES = frozenset({Outcome.WAITING, Outcome.BELOW_ASSIGNMENT})


def appeals_for(membership: Membership | None) -> QuerySet[Appeal]:
    """The appeals a membership may see: the one place for visibility rules."""
    return Appeal.objects.visible_to(membership)


def appeal_deadline(made_known_on: dt.date) -> dt.date:
    """The last day of the three weeks counted from the day the decision was made known."""
    deadline = made_known_on + APPEAL_PERIOD
    while deadline.weekday() >= 5:
        deadline += dt.timedelta(days=1)
    return deadline


def letter_made_known_on(letter: DecisionLetter) -> dt.date:
    return timezone.localdate(letter.created_at)


@dataclass(frozen=True)
class DecisionForAppeal:
    """One decision of a published letter, as the status page shows it."""

    result: RoundResult
    letter: DecisionLetter
    subject: str | None
    deciding_municipality: Municipality | None
    deadline: dt.date | None
    appeal: Appeal | None

    @property
    def appealable(self) -> bool:
        return self.subject is not None and self.deciding_municipality is not None

    @property
    def not_appealable(self) -> bool:
        return self.result.outcome in NOT_APPEALABLE_OUTCOMES

    @property
    def subject_label(self) -> str:
        return str(AppealSubject(self.subject).label) if self.subject else ""

    @property
    def past_deadline(self) -> bool:
        return self.deadline is not None and timezone.localdate() > self.deadline


def _deciding_municipality(result: RoundResult, application: Application, subject):
    if subject == AppealSubject.ACCEPTANCE:
        return result.offering.centre.host_municipality
    if subject == AppealSubject.COST_COMMITMENT:
        return application.home_municipality
    return None


def decisions_for_appeal(application: Application) -> list[DecisionForAppeal]:
    """The application's decisions that a letter has made known, newest round first, each with
    whether and until when it can be appealed and the appeal lodged against it. The caller has
    fetched the application through its scope. A fixed number of queries."""
    first_letters = {
        letter.round_id: letter
        for letter in DecisionLetter.objects.filter(application=application, version=1)
    }
    if not first_letters:
        return []
    results = list(
        RoundResult.objects.filter(application=application, round_id__in=first_letters)
        .exclude(outcome=Outcome.WITHDRAWN)
        .select_related(
            "round", "choice", "offering__programme", "offering__centre__host_municipality"
        )
        .order_by("-round__number", "choice__rank")
    )
    appeals = {
        appeal.result_id: appeal for appeal in Appeal.objects.filter(application=application)
    }
    if application.home_municipality_id:
        # Loaded once, for every cost-commitment decision.
        application = Application.objects.select_related("home_municipality").get(pk=application.pk)
    rows = []
    for result in results:
        letter = first_letters[result.round_id]
        subject = SUBJECT_OF_OUTCOME.get(result.outcome)
        rows.append(
            DecisionForAppeal(
                result=result,
                letter=letter,
                subject=subject,
                deciding_municipality=_deciding_municipality(result, application, subject),
                deadline=appeal_deadline(letter_made_known_on(letter)) if subject else None,
                appeal=appeals.get(result.pk),
            )
        )
    return rows


def get_decision_for_appeal(application: Application, result_pk) -> DecisionForAppeal | None:
    for row in decisions_for_appeal(application):
        if str(row.result.pk) == str(result_pk):
            return row
    return None


def get_own_result_for(request, pk) -> RoundResult:
    """A round result of the acting applicant's own application; anything else is a 404."""
    return get_scoped_or_404(
        RoundResult.objects.filter(
            application__in=Application.objects.visible_to(request.membership),
            application__applicant_id=request.user.pk,
        ).select_related("application"),
        pk=pk,
    )


def _with_related(queryset: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return queryset.select_related(
        "application",
        "deciding_municipality",
        "letter",
        "result__round__intake_period",
        "result__offering__programme",
        "result__offering__centre",
    )


def get_appeal_for(request, pk) -> Appeal:
    return get_scoped_or_404(_with_related(appeals_for(request.membership)), pk=pk)


def get_own_appeal_for(request, pk) -> Appeal:
    return get_scoped_or_404(
        _with_related(appeals_for(request.membership)).filter(
            application__applicant_id=request.user.pk
        ),
        pk=pk,
    )


def appeal_queue(membership: Membership | None, *, state: str = "") -> QuerySet[Appeal]:
    """The intake office's queue: open appeals first (oldest first: the law asks for speed),
    then the others newest first."""
    queryset = _with_related(appeals_for(membership))
    if state:
        queryset = queryset.filter(state=state)
    still_open = Case(When(state=AppealState.RECEIVED, then=Value(0)), default=Value(1))
    return queryset.order_by(still_open, "lodged_at", "id")


def open_appeal_count(membership: Membership | None) -> int:
    return appeals_for(membership).filter(state=AppealState.RECEIVED).count()


def get_attachment_for(request, pk) -> AppealAttachment:
    return get_scoped_or_404(
        AppealAttachment.objects.filter(appeal__in=appeals_for(request.membership)), pk=pk
    )


def get_reconsideration_for(request, pk) -> AppealReconsideration:
    return get_scoped_or_404(
        AppealReconsideration.objects.filter(
            appeal__in=appeals_for(request.membership)
        ).select_related("appeal__application"),
        pk=pk,
    )


def appeal_data(appeal: Appeal) -> dict:
    """An appeal as plain JSON-ready data, for the applicant's own-data export."""
    return {
        "subject": appeal.subject,
        "result": appeal.result_id,
        "requested_change": appeal.requested_change,
        "grounds": appeal.grounds,
        "lodged_at": iso(appeal.lodged_at),
        "deadline": iso(appeal.deadline),
        "is_late": appeal.is_late,
        "state": appeal.state,
        "forwarded_at": iso(appeal.forwarded_at),
        "board_outcome": appeal.board_outcome,
        "board_decided_on": iso(appeal.board_decided_on),
        "board_reference": appeal.board_reference,
        "board_note": appeal.board_note,
        "attachments": [
            {
                "original_name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            }
            for attachment in appeal.attachments.all()
        ],
        "reconsiderations": [
            {
                "fully_changed": item.fully_changed,
                "decision": item.decision,
                "reasons": item.reasons,
                "decided_at": iso(item.decided_at),
            }
            for item in appeal.reconsiderations.all()
        ],
    }
