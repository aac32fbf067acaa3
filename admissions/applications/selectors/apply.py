"""Reads of the applicant's side: their own applications, what may still be chosen, what is
missing before submitting, and the eligibility warnings. The intake office's reads live in
admissions/applications/selectors/review.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import get_scoped_or_404
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    CompletionRequest,
    Document,
    EligibilityDecision,
    PriorEducation,
    SelectionGroupDecision,
)
from admissions.files.uploads import EXTENSIONS
from yrkescenter.models import Offering

# Education that makes a person eligible whatever their age.
UPPER_SECONDARY_OR_MORE = (PriorEducation.UPPER_SECONDARY, PriorEducation.POST_SECONDARY)
ELIGIBLE_AGE = 20


def own_applications(request) -> QuerySet[Application]:
    """The acting applicant's applications in this region (never anyone else's, whatever role
    the membership has)."""
    if not request.user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.visible_to(request.membership)
        .filter(applicant=request.user)
        .select_related("intake_period", "home_municipality", "region")
    )


def get_own_application_for(request, pk) -> Application:
    return get_scoped_or_404(own_applications(request), pk=pk)


def get_own_completion_request_for(request, pk) -> CompletionRequest:
    return get_scoped_or_404(
        CompletionRequest.objects.filter(application__in=own_applications(request)).select_related(
            "application"
        ),
        pk=pk,
    )


def get_document_for(request, pk) -> Document:
    """A document the acting membership may see: its owner's, or staff's whose scope includes
    the application (Application.objects.visible_to)."""
    return get_scoped_or_404(
        Document.objects.visible_to(request.membership).select_related("application"), pk=pk
    )


def own_documents(request) -> QuerySet[Document]:
    """The documents the acting applicant uploaded to their applications in this region."""
    return Document.objects.filter(application__in=own_applications(request)).select_related(
        "application"
    )


def get_own_document_for(request, pk) -> Document:
    return get_scoped_or_404(own_documents(request), pk=pk)


def choices_of(application: Application) -> list[Choice]:
    return list(
        application.choices.select_related(
            "offering__programme", "offering__centre__host_municipality"
        ).order_by("rank")
    )


def is_open(offering: Offering, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return offering.application_opens <= now < offering.application_closes


def offerings_to_add(application: Application, *, now: dt.datetime | None = None):
    """Offerings the application may still add: open now, of its region and intake period,
    not chosen already."""
    now = now or timezone.now()
    return (
        Offering.objects.for_region(application.region)
        .filter(
            intake_period=application.intake_period,
            application_opens__lte=now,
            application_closes__gt=now,
        )
        .exclude(pk__in=application.choices.values("offering_id"))
        .select_related("programme", "centre__host_municipality")
        .order_by("programme__name", "centre__name", "starts_on")
    )


def choices_editable_until(application: Application) -> dt.datetime | None:
    """Until when a submitted application's choices may be reordered or removed: the latest
    application deadline among the offerings it has chosen. A draft has no such limit (it is
    checked at submission), a withdrawn application none at all."""
    if application.status == ApplicationStatus.WITHDRAWN:
        return None
    return application.choices.aggregate(until=Max("offering__application_closes"))["until"]


def decided_by_a_round(application: Application) -> bool:
    """Whether a round has results for the application's choices: its results, offers and
    letters then refer to them, so they stay as they are."""
    return application.choices.filter(results__isnull=False).exists()


def choices_editable(application: Application, *, now: dt.datetime | None = None) -> bool:
    if application.status == ApplicationStatus.DRAFT:
        return True
    if application.status == ApplicationStatus.WITHDRAWN:
        return False
    if decided_by_a_round(application):
        return False  # a round has decided on them (see application_choices_set)
    until = choices_editable_until(application)
    return until is not None and (now or timezone.now()) < until


@dataclass(frozen=True)
class Missing:
    step: str
    message: str


def missing_for_submit(
    application: Application, *, now: dt.datetime | None = None
) -> list[Missing]:
    """What must be filled in before the application can be submitted, by form step."""
    now = now or timezone.now()
    missing = []
    a = application
    if not a.first_name or not a.last_name:
        missing.append(Missing("identity", _("Your first and last name.")))
    if not a.personnummer and not a.has_no_identity_number:
        missing.append(
            Missing(
                "identity",
                _("Your personnummer or samordningsnummer, or that you have neither."),
            )
        )
    if not a.birth_date:
        missing.append(Missing("identity", _("Your date of birth.")))
    if not a.email:
        missing.append(Missing("contact", _("Your e-mail address.")))
    if not a.home_municipality_id:
        missing.append(Missing("contact", _("Your home municipality.")))
    if not a.prior_education:
        missing.append(Missing("background", _("Your highest completed education.")))
    if not a.situation:
        missing.append(Missing("background", _("Your current situation.")))
    if not a.recruitment_channel:
        missing.append(Missing("background", _("How you heard about the education.")))
    choices = choices_of(a)
    if not choices:
        missing.append(Missing("choices", _("At least one course to apply for.")))
    for choice in choices:
        if not is_open(choice.offering, now):
            missing.append(
                Missing(
                    "choices",
                    _("%(course)s is no longer open for applications: remove it.")
                    % {"course": choice.offering.programme.name},
                )
            )
    if a.validation_requested and not a.validation_description.strip():
        missing.append(
            Missing("validation", _("A description of what you want to have validated."))
        )
    return missing


def eligibility_warnings(application: Application) -> list[str]:
    """Why the applicant may not be eligible, by the region's rule: 20 years old from 1 July of
    the year the course starts, or a completed upper-secondary programme; resident in Sweden.
    A warning, never a block: the intake office decides."""
    warnings = []
    a = application
    if a.birth_date and a.prior_education and a.prior_education not in UPPER_SECONDARY_OR_MORE:
        start = a.intake_period.starts_on
        eligible_from = dt.date(a.birth_date.year + ELIGIBLE_AGE, 7, 1)
        if start < eligible_from:
            warnings.append(
                _(
                    "You will not be 20 by 1 July of the year the course starts and you have not "
                    "completed upper-secondary school. You may not be eligible; the intake office "
                    "will decide. Completed upper-secondary school from another country may count."
                )
            )
    return warnings


def application_for_status_page(application: Application) -> Application:
    """The application with everything its status page shows, in a fixed number of queries."""
    return (
        Application.objects.filter(pk=application.pk)
        .select_related("intake_period", "home_municipality", "region")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.select_related(
                    "offering__programme", "offering__centre__host_municipality"
                ).order_by("rank"),
            ),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")),
            Prefetch(
                "completion_requests",
                queryset=CompletionRequest.objects.order_by("-requested_at", "-id"),
            ),
        )
        .get()
    )


def own_applications_for_export(request) -> QuerySet[Application]:
    """The acting user's applications with what the own-data export shows of each (see
    admissions.own_data, which adds the other concerns' parts)."""
    return own_applications(request).prefetch_related(
        Prefetch(
            "choices",
            queryset=Choice.objects.select_related(
                "offering__programme", "offering__centre"
            ).prefetch_related(
                Prefetch("eligibility", queryset=EligibilityDecision.objects.all()),
                Prefetch("groups", queryset=SelectionGroupDecision.objects.all()),
            ),
        ),
        "documents",
        "completion_requests",
    )


def user_data(request) -> dict:
    user = request.user
    return {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined.isoformat(),
    }


def iso(value) -> str | None:
    return value.isoformat() if value else None


def application_data(a: Application) -> dict:
    """An application as plain JSON-ready data. Internal notes of the intake office are not
    included (they are working notes, not decisions)."""
    return {
        "reference": a.reference if a.status != ApplicationStatus.DRAFT else "",
        "intake_period": a.intake_period.name,
        "status": a.status,
        "created_at": iso(a.created_at),
        "submitted_at": iso(a.submitted_at),
        "personnummer": a.personnummer,
        "has_no_identity_number": a.has_no_identity_number,
        "birth_date": iso(a.birth_date),
        "first_name": a.first_name,
        "last_name": a.last_name,
        "email": a.email,
        "phone": a.phone,
        "street_address": a.street_address,
        "postal_code": a.postal_code,
        "city": a.city,
        "home_municipality": a.home_municipality.name if a.home_municipality else None,
        "prior_education": a.prior_education,
        "situation": a.situation,
        "recruitment_channel": a.recruitment_channel,
        "combine_with_sfi": a.combine_with_sfi,
        "combine_with_sas": a.combine_with_sas,
        "language_support_note": a.language_support_note,
        "validation_requested": a.validation_requested,
        "validation_description": a.validation_description,
        "consent_given_at": iso(a.consent_given_at),
        "choices": [
            {
                "rank": c.rank,
                "programme": c.offering.programme.name,
                "centre": c.offering.centre.name,
                "starts_on": iso(c.offering.starts_on),
                "eligibility_decisions": [
                    {
                        "eligible": d.eligible,
                        "ground": d.ground,
                        "explanation": d.explanation,
                        "decided_at": iso(d.decided_at),
                    }
                    for d in c.eligibility.all()
                ],
                "selection_group_decisions": [
                    {"group": d.group, "evidence": d.evidence, "decided_at": iso(d.decided_at)}
                    for d in c.groups.all()
                ],
            }
            for c in sorted(a.choices.all(), key=lambda c: c.rank)
        ],
        "completion_requests": [
            {
                "missing": r.missing,
                "message": r.message,
                "deadline": iso(r.deadline),
                "requested_at": iso(r.requested_at),
                "answered_at": iso(r.answered_at),
                "answer": r.answer,
            }
            for r in a.completion_requests.all()
        ],
        "documents": [
            {
                "file": own_data_document_path(d),
                "kind": d.kind,
                "original_name": d.original_name,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": iso(d.uploaded_at),
            }
            for d in a.documents.all()
        ],
    }


def own_data_document_path(document: Document) -> str:
    """Where a document goes in the own-data zip: its id, not its (personal) file name."""
    return f"documents/{document.pk}{EXTENSIONS.get(document.content_type, '')}"
