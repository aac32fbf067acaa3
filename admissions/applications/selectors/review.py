"""Reads of the intake office's review: the work queue and one application, scoped through
Application.objects.visible_to so a counsellor or coordinator sees only their part."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import AuditEntry, Membership
from admissions.applications import personnummer
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    CompletionRequest,
    EligibilityDecision,
    Note,
    SelectionGroupDecision,
)
from yrkescenter.selectors import grant_year_offerings

# Sort keys the queue offers, each with a unique tie-breaker so pages never overlap.
SORTS = {
    "reference": ("reference", "pk"),
    "name": ("last_name", "first_name", "pk"),
    "submitted": ("submitted_at", "pk"),
    "municipality": ("home_municipality__name", "last_name", "pk"),
}
DEFAULT_SORT = "-submitted"
PAGE_SIZES = (25, 50, 100)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is filtered by; None or empty means no filter."""

    intake_period: int | None = None
    centre: int | None = None
    offering: int | None = None
    # Empty: every application but drafts (a draft is not yet the office's work).
    status: str = ""
    missing_documents: bool = False
    municipality: int | None = None
    selection_group: int | None = None
    search: str = ""
    sort: str = DEFAULT_SORT


def latest_decision(model, field: str):
    """`field` of the current (latest) decision of `model` on the choice of the outer row."""
    return Subquery(
        model.objects.filter(choice=OuterRef("pk")).order_by("-decided_at", "-id").values(field)[:1]
    )


def _current_groups() -> QuerySet[SelectionGroupDecision]:
    """The decisions no later decision on the same choice has replaced: an anti-join, which
    databases plan far better over all choices than a latest-row subquery per choice."""
    later = SelectionGroupDecision.objects.filter(choice=OuterRef("choice")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    return SelectionGroupDecision.objects.filter(~Exists(later))


def _open_requests():
    return CompletionRequest.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)


def choices_with_current_decisions() -> QuerySet[Choice]:
    """Choices with their offering and their current eligibility and selection group."""
    return (
        Choice.objects.select_related("offering__programme", "offering__centre")
        .annotate(
            current_eligible=latest_decision(EligibilityDecision, "eligible"),
            current_group=latest_decision(SelectionGroupDecision, "group"),
        )
        .order_by("rank")
    )


def search_filter(term: str) -> Q:
    """A search term is an identity number (matched exactly on the stored twelve digits), or
    words each found in the first or last name, or (part of) the reference."""
    term = term.strip()
    if not term:
        return Q()
    try:
        return Q(personnummer=personnummer.normalize(term))
    except personnummer.PersonnummerError:
        pass
    by_name = Q()
    for word in term.split():
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return by_name | Q(reference__icontains=term)


def queue_for(membership: Membership | None, filters: QueueFilters) -> QuerySet[Application]:
    """The applications of the work queue, filtered and sorted, with what a row shows.

    The selection-group filter matches an application when the current group of any of its
    choices is the one asked for (groups are set per choice and may differ between choices).
    Filters on choices go through subqueries, so an application is listed once.
    """
    queryset = Application.objects.visible_to(membership)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.exclude(status=ApplicationStatus.DRAFT)
    if filters.intake_period:
        queryset = queryset.filter(intake_period_id=filters.intake_period)
    if filters.municipality:
        queryset = queryset.filter(home_municipality_id=filters.municipality)
    choice_filter = Q()
    if filters.centre:
        choice_filter &= Q(offering__centre_id=filters.centre)
    if filters.offering:
        choice_filter &= Q(offering_id=filters.offering)
    if choice_filter:
        queryset = queryset.filter(
            pk__in=Choice.objects.filter(choice_filter).values("application_id")
        )
    if filters.selection_group:
        queryset = queryset.filter(
            pk__in=_current_groups()
            .filter(group=filters.selection_group)
            .values("choice__application_id")
        )
    queryset = queryset.annotate(incomplete=Exists(_open_requests()))
    if filters.missing_documents:
        queryset = queryset.filter(incomplete=True)
    if filters.search:
        queryset = queryset.filter(search_filter(filters.search))
    descending = filters.sort.startswith("-")
    fields = SORTS.get(filters.sort.lstrip("-"), SORTS["submitted"])
    order = [f"-{field}" if descending else field for field in fields]
    return (
        queryset.select_related("home_municipality", "intake_period")
        .prefetch_related(Prefetch("choices", queryset=choices_with_current_decisions()))
        .order_by(*order)
    )


def application_for_review(membership: Membership | None) -> QuerySet[Application]:
    """The scoped queryset one application page fetches from, with everything it shows."""
    return (
        Application.objects.visible_to(membership)
        .select_related("region", "intake_period", "home_municipality", "applicant")
        .annotate(incomplete=Exists(_open_requests()))
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.select_related(
                    "offering__programme", "offering__centre"
                ).prefetch_related(
                    Prefetch(
                        "eligibility",
                        queryset=EligibilityDecision.objects.select_related("decided_by"),
                    ),
                    Prefetch(
                        "groups",
                        queryset=SelectionGroupDecision.objects.select_related("decided_by"),
                    ),
                ),
            ),
            "documents",
            Prefetch("notes", queryset=Note.objects.select_related("author")),
            Prefetch(
                "completion_requests",
                queryset=CompletionRequest.objects.select_related("requested_by"),
            ),
        )
    )


def choices_for_review(membership: Membership | None) -> QuerySet[Choice]:
    """A choice fetched for a decision: scoped like its application."""
    return Choice.objects.filter(
        application__in=Application.objects.visible_to(membership)
    ).select_related("application__region", "offering__programme", "offering__centre")


def application_history(application: Application) -> QuerySet[AuditEntry]:
    """What happened to the application, newest first. Views are left out: they are in the
    region's audit log, and here they would bury the decisions."""
    return (
        AuditEntry.objects.filter(
            region=application.region_id,
            object_type=Application._meta.label_lower,
            object_id=str(application.pk),
        )
        .exclude(action__endswith=".view")
        .order_by("-at", "-id")
    )


# Enough for one person's applications over the years; a broader term should be narrowed.
ACCESS_LOG_MATCHES = 20


def access_log_lookup(membership: Membership | None, term: str) -> list[Application]:
    """The applications a region admin's access-log search finds (identity number, name or
    reference), in scope: an application with protected identity stays out of it as of
    every search but the named officers'."""
    if not term.strip():
        return []
    return list(
        Application.objects.visible_to(membership)
        .filter(search_filter(term))
        .select_related("intake_period")
        .order_by("-intake_period__starts_on", "reference")[:ACCESS_LOG_MATCHES]
    )


def reads_of(application: Application) -> QuerySet[AuditEntry]:
    """Who opened the application's pages and files, newest first (the access log)."""
    return AuditEntry.objects.filter(
        region=application.region_id,
        object_type=Application._meta.label_lower,
        object_id=str(application.pk),
        action__endswith=".view",
    ).order_by("-at", "-id")


def bulk_selection(membership: Membership | None, pks: list[int]) -> QuerySet[Application]:
    """The applications picked for a bulk action, in scope, with what the action needs."""
    return (
        Application.objects.visible_to(membership)
        .filter(pk__in=pks)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.select_related(
                    "offering__programme", "offering__centre"
                ).prefetch_related("eligibility"),
            )
        )
        .order_by("reference")
    )


# --- demand per offering, for the rectors' allocation of the state grant --------------------


def _count_per_offering(choices) -> Subquery:
    return Coalesce(
        Subquery(
            choices.order_by().values("offering").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def offerings_with_demand(grant_year):
    """The grant year's offerings, each with `applications` (submitted applications with a
    choice of it) and `eligible_first_choices` (first choices of submitted applications whose
    current eligibility decision says eligible): two subqueries, so the whole table is one
    query."""
    submitted = Choice.objects.filter(
        offering=OuterRef("pk"), application__status=ApplicationStatus.SUBMITTED
    )
    eligible_first = (
        submitted.filter(rank=1)
        .annotate(current_eligible=latest_decision(EligibilityDecision, "eligible"))
        .filter(current_eligible=True)
    )
    return grant_year_offerings(grant_year).annotate(
        applications=_count_per_offering(submitted),
        eligible_first_choices=_count_per_offering(eligible_first),
    )
