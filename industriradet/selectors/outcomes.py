"""Reads of the follow-up pages: the students a coordinator (their centre) or a region admin (the
region) follows up, and one student's enrolment with its outcome.

Students are enrolments that have ended (stopped early or completed), fetched through
Enrolment.objects.visible_to, so another centre's students are a 404 like missing ones. Council
members have no page here: they see outcomes only as suppressed counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Membership
from accounts.tenancy import get_scoped_or_404
from admissions.enrolment.models import Enrolment
from industriradet.models import StudentOutcome
from industriradet.services.outcomes import ENDED, FOLLOW_UP_AFTER

# A student is due for follow-up about five months after the end, so the centre can reach them
# around six months.
DUE_AFTER = dt.timedelta(days=152)


def _ended(membership: Membership | None) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.visible_to(membership)
        .filter(status__in=ENDED, ended_on__isnull=False)
        .select_related("application", "offering__programme", "offering__centre")
        .annotate(has_outcome=Exists(StudentOutcome.objects.filter(enrolment=OuterRef("pk"))))
    )


@dataclass
class FollowUpRow:
    enrolment: Enrolment
    due_on: dt.date
    outcome: StudentOutcome | None = None


@dataclass
class FollowUpLists:
    due: list[FollowUpRow]
    upcoming: list[FollowUpRow]
    recorded: list[FollowUpRow]
    # The page of the recorded list shown (the list grows with every follow-up).
    recorded_page: Page


# Followed-up students per page.
RECORDED_PER_PAGE = 50


def follow_up_lists(
    membership: Membership | None,
    *,
    centre_id: int | None = None,
    page: str | int | None = 1,
    today: dt.date | None = None,
) -> FollowUpLists:
    """Students without an outcome who ended at least about five months ago (due, oldest end
    first), those who ended more recently (upcoming), and one page of those followed up (newest
    follow-up first). Four queries, whatever the number of students."""
    today = today or timezone.localdate()
    enrolments = _ended(membership)
    if centre_id:
        enrolments = enrolments.filter(offering__centre_id=centre_id)
    waiting = list(enrolments.filter(has_outcome=False).order_by("ended_on", "pk"))
    due = [
        FollowUpRow(e, e.ended_on + FOLLOW_UP_AFTER)
        for e in waiting
        if e.ended_on <= today - DUE_AFTER
    ]
    upcoming = [
        FollowUpRow(e, e.ended_on + FOLLOW_UP_AFTER)
        for e in waiting
        if e.ended_on > today - DUE_AFTER
    ]
    outcomes = (
        StudentOutcome.objects.filter(enrolment__in=enrolments.values("pk"))
        .select_related(
            "enrolment__application",
            "enrolment__offering__programme",
            "enrolment__offering__centre",
            "employer_municipality",
        )
        .order_by("-followed_up_on", "-pk")
    )
    recorded_page = Paginator(outcomes, RECORDED_PER_PAGE).get_page(page)
    recorded = [
        FollowUpRow(outcome.enrolment, outcome.enrolment.ended_on + FOLLOW_UP_AFTER, outcome)
        for outcome in recorded_page
    ]
    return FollowUpLists(due=due, upcoming=upcoming, recorded=recorded, recorded_page=recorded_page)


def get_followed_up_enrolment_for(request, pk) -> Enrolment:
    """An ended enrolment the membership sees (a coordinator: at their centre); 404 otherwise."""
    return get_scoped_or_404(
        _ended(request.membership).select_related("application__region", "offering__region"),
        pk=pk,
    )


def outcome_of(enrolment: Enrolment) -> StudentOutcome | None:
    return (
        StudentOutcome.objects.select_related("employer_municipality", "recorded_by")
        .filter(enrolment=enrolment)
        .first()
    )
