"""Write services of admissions: each owns its transaction and writes the audit log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Region, Role, User
from accounts.services import audit_record, membership_grant
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    CompletionRequest,
    Document,
    DocumentKind,
    personnummer_message,
)
from admissions.applications.selectors.apply import (
    choices_of,
    decided_by_a_round,
    missing_for_submit,
)
from admissions.files import uploads
from admissions.files.stored import save_with_file, sha256_of_upload
from yrkescenter.models import IntakePeriod, Municipality, Offering


@dataclass(frozen=True)
class ApplicantDetails:
    first_name: str
    last_name: str
    birth_date: dt.date
    home_municipality: Municipality
    email: str = ""
    phone: str = ""
    # Any form people write; stored as twelve digits. Empty for someone without a number.
    personnummer: str = ""


@dataclass(frozen=True)
class DemoApplication:
    applicant: User | None
    details: ApplicantDetails
    offerings: tuple[Offering, ...]
    status: str = ApplicationStatus.SUBMITTED
    submitted_at: dt.datetime | None = None


@transaction.atomic
def application_submit(
    *,
    acting_user: User | None,
    region: Region,
    intake_period: IntakePeriod,
    applicant: User | None,
    details: ApplicantDetails,
    offerings: Sequence[Offering],
    submitted_at: dt.datetime | None = None,
) -> Application:
    """Submit one application with its offerings ranked in the given order."""
    number = _checked(region, intake_period, details, offerings)
    if (
        applicant is not None
        and Application.objects.filter(intake_period=intake_period, applicant=applicant).exists()
    ):
        raise ValidationError(_("There is already an application for this intake period."))
    # Serialises reference numbers between concurrent submissions (a no-op on SQLite, which
    # serialises writers anyway).
    Region.objects.select_for_update().filter(pk=region.pk).first()
    application = _application(
        region,
        intake_period,
        applicant,
        details,
        number,
        reference=_next_references(region, intake_period, 1)[0],
        status=ApplicationStatus.SUBMITTED,
        submitted_at=submitted_at or timezone.now(),
    )
    application.full_clean()
    application.save()
    Choice.objects.bulk_create(
        Choice(application=application, offering=offering, rank=rank)
        for rank, offering in enumerate(offerings, start=1)
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.submit",
        target=application,
        data={"choices": [offering.pk for offering in offerings]},
    )
    return application


@transaction.atomic
def application_seed_demo(
    *,
    acting_user: User | None,
    region: Region,
    intake_period: IntakePeriod,
    applications: Sequence[DemoApplication],
) -> int:
    """Synthetic applications for a demo, written in bulk under the same rules as a submission.
    One audit entry summarises them. Returns how many were created."""
    if not applications:
        return 0
    checked = [_checked(region, intake_period, a.details, a.offerings) for a in applications]
    applicants = [a.applicant.pk for a in applications if a.applicant is not None]
    if len(set(applicants)) != len(applicants) or (
        Application.objects.filter(intake_period=intake_period, applicant__in=applicants).exists()
    ):
        raise ValidationError(_("An applicant can have only one application per intake period."))
    Region.objects.select_for_update().filter(pk=region.pk).first()
    references = _next_references(region, intake_period, len(applications))
    rows = []
    for item, number, reference in zip(applications, checked, references, strict=True):
        row = _application(
            region,
            intake_period,
            item.applicant,
            item.details,
            number,
            reference=reference,
            status=item.status,
            submitted_at=item.submitted_at,
        )
        # Field checks only: the rows' relations and uniqueness were checked above, in bulk.
        row.full_clean(
            exclude=["region", "intake_period", "home_municipality", "applicant"],
            validate_unique=False,
            validate_constraints=False,
        )
        rows.append(row)
    Application.objects.bulk_create(rows)
    ids = dict(
        Application.objects.filter(region=region, reference__in=references).values_list(
            "reference", "pk"
        )
    )
    choices = [
        Choice(application_id=ids[reference], offering=offering, rank=rank)
        for item, reference in zip(applications, references, strict=True)
        for rank, offering in enumerate(item.offerings, start=1)
    ]
    Choice.objects.bulk_create(choices)
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.seed_demo",
        target=intake_period,
        data={"applications": len(rows), "choices": len(choices)},
    )
    return len(rows)


def reference_prefix(region: Region, intake_period: IntakePeriod) -> str:
    """VA-2027-: the region's first two letters and the year the period starts."""
    return f"{region.slug[:2].upper()}-{intake_period.starts_on.year}-"


def _next_references(region: Region, intake_period: IntakePeriod, count: int) -> list[str]:
    prefix = reference_prefix(region, intake_period)
    last = (
        Application.objects.filter(region=region, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    start = int(last.removeprefix(prefix)) if last else 0
    return [f"{prefix}{number:06d}" for number in range(start + 1, start + 1 + count)]


def _checked(
    region: Region,
    intake_period: IntakePeriod,
    details: ApplicantDetails,
    offerings: Sequence[Offering],
) -> str:
    """The application's rules that span rows; returns the personnummer in twelve digits."""
    if intake_period.region_id != region.pk or details.home_municipality.region_id != region.pk:
        raise ValidationError(_("The intake period and home municipality must be the region's."))
    if not 1 <= len(offerings) <= region.max_choices:
        raise ValidationError(
            _("An application ranks between 1 and %(most)d courses.") % {"most": region.max_choices}
        )
    if len({offering.pk for offering in offerings}) != len(offerings):
        raise ValidationError(_("A course can be chosen only once."))
    if any(offering.intake_period_id != intake_period.pk for offering in offerings):
        raise ValidationError(_("Every choice must be a course of the intake period."))
    if not details.personnummer:
        return ""
    try:
        number = pnr.normalize(details.personnummer)
    except pnr.PersonnummerError as error:
        raise ValidationError({"personnummer": personnummer_message(error)}) from error
    if pnr.birth_date(number) != details.birth_date:
        raise ValidationError({"birth_date": _("The date of birth does not match the number.")})
    return number


def _application(
    region: Region,
    intake_period: IntakePeriod,
    applicant: User | None,
    details: ApplicantDetails,
    number: str,
    *,
    reference: str,
    status: str,
    submitted_at: dt.datetime | None,
) -> Application:
    return Application(
        region=region,
        intake_period=intake_period,
        applicant=applicant,
        reference=reference,
        personnummer=number,
        birth_date=details.birth_date,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        home_municipality=details.home_municipality,
        status=status,
        submitted_at=submitted_at,
    )


# --- the applicant's web form -------------------------------------------------------------------

# Fields the applicant's form may write on a draft, by step. Nothing else is writable that way
# (not the status, the reference or the owner).
DRAFT_FIELDS: dict[str, tuple[str, ...]] = {
    "identity": (
        "personnummer",
        "has_no_identity_number",
        "birth_date",
        "first_name",
        "last_name",
    ),
    "contact": (
        "protected_identity",
        "email",
        "phone",
        "street_address",
        "postal_code",
        "city",
        "home_municipality",
    ),
    "background": (
        "prior_education",
        "situation",
        "recruitment_channel",
        "combine_with_sfi",
        "combine_with_sas",
        "language_support_note",
    ),
    "choices": (),
    "validation": ("validation_requested", "validation_description"),
    "documents": (),
    "review": (),
}
DRAFT_STEPS = tuple(DRAFT_FIELDS)
_DRAFT_REFERENCE_PREFIX = "UTKAST-"


def _locked(application: Application) -> Application:
    """The application's row, locked for the rest of the transaction, so two tabs of the same
    applicant cannot interleave their changes."""
    return (
        Application.objects.select_for_update()
        .select_related("region", "intake_period")
        .get(pk=application.pk)
    )


def _is_open(offering: Offering, now: dt.datetime) -> bool:
    return offering.application_opens <= now < offering.application_closes


@transaction.atomic
def application_start(*, acting_user: User, region: Region, offering: Offering) -> Application:
    """The applicant's application for the offering's intake period, with the offering among
    its choices: a new draft, or the one they already have (one per period)."""
    now = timezone.now()
    if offering.region_id != region.pk:
        raise ValidationError(_("The course was not found."), code="not_found")
    existing = (
        Application.objects.filter(
            region=region, intake_period_id=offering.intake_period_id, applicant=acting_user
        )
        .select_for_update()
        .first()
    )
    if existing is not None:
        if existing.status == ApplicationStatus.WITHDRAWN:
            raise ValidationError(
                _(
                    "You have withdrawn your application for this intake period. Contact the "
                    "intake office if you want to apply again."
                ),
                code="withdrawn",
            )
        chosen = list(existing.choices.order_by("rank").values_list("offering_id", flat=True))
        if offering.pk not in chosen and len(chosen) < region.max_choices:
            application_choices_set(
                acting_user=acting_user, application=existing, offering_ids=[*chosen, offering.pk]
            )
        return existing
    if not _is_open(offering, now):
        raise ValidationError(_("This course is not open for applications."), code="closed")
    # Fritt sök: anyone may apply in any region of the installation; the first application
    # makes the person an applicant here, whichever region they signed up in.
    membership_grant(acting_user=acting_user, user=acting_user, region=region, role=Role.APPLICANT)
    application = Application.objects.create(
        region=region,
        intake_period_id=offering.intake_period_id,
        applicant=acting_user,
        reference=f"{_DRAFT_REFERENCE_PREFIX}{uuid.uuid4().hex[:16].upper()}",
        email=acting_user.email,
        **_verified_identity(acting_user),
        status=ApplicationStatus.DRAFT,
        draft_step=DRAFT_STEPS[0],
    )
    Choice.objects.create(application=application, offering=offering, rank=1)
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.start",
        target=application,
        data={"offering": offering.pk},
    )
    return application


@transaction.atomic
def application_draft_save(
    *, acting_user: User, application: Application, step: str, values: dict[str, Any]
) -> Application:
    """Save what the applicant typed on one step of a draft. The form passes only the fields
    that passed its checks, so a mistake in one field never loses the others."""
    if step not in DRAFT_FIELDS:
        raise ValueError(f"Unknown form step {step!r}")
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(
            _("The application has been submitted and can no longer be changed here."),
            code="not_draft",
        )
    unknown = set(values) - set(DRAFT_FIELDS[step])
    if unknown:
        raise ValueError(f"Fields {sorted(unknown)} are not part of step {step!r}")
    values = dict(values)
    if "personnummer" in values:
        values["personnummer"] = _normalised(values["personnummer"])
    if values.get("has_no_identity_number"):
        values["personnummer"] = ""
    if {"personnummer", "has_no_identity_number"} & set(values) and application.applicant:
        # A number verified by e-ID is the person's; whatever the form sent, it stays.
        values.update(_verified_identity(application.applicant))
    if values.get("personnummer"):
        # The number carries the date of birth; a second, different one would be a mistake.
        values["birth_date"] = pnr.birth_date(values["personnummer"])
    municipality = values.get("home_municipality")
    if municipality is not None and municipality.region_id != application.region_id:
        raise ValidationError({"home_municipality": _("Choose a municipality from the list.")})
    if values.get("protected_identity", application.protected_identity):
        # A protected address must never reach the database, whatever the form sent.
        values.update(street_address="", postal_code="", city="")
    for name, value in values.items():
        setattr(application, name, value)
    application.draft_step = step
    application.full_clean(
        exclude=["region", "intake_period", "applicant", "home_municipality"],
        validate_unique=False,
        validate_constraints=False,
    )
    application.save(update_fields=[*values, "draft_step", "updated_at"])
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="application.draft_save",
        target=application,
        # Which fields, never their values: the log must not hold the person's data.
        data={"step": step, "fields": sorted(values)},
    )
    return application


def _verified_identity(user: User) -> dict:
    """The identity fields an e-ID login has verified for the user (none without one)."""
    if not user.personnummer:
        return {}
    return {
        "personnummer": user.personnummer,
        "has_no_identity_number": False,
        "birth_date": pnr.birth_date(user.personnummer),
    }


@transaction.atomic
def paper_applications_link(*, user: User) -> list[Application]:
    """Applications the intake office registered without an account (on paper or imported)
    whose personnummer the user has now verified by e-ID become theirs, so they follow them on
    their status page. One per intake period: where the user already has an application for
    that period, the registered one stays unlinked for the office to sort out."""
    if not user.personnummer:
        return []
    taken = set(
        Application.objects.filter(applicant=user).values_list("intake_period_id", flat=True)
    )
    linked = []
    unclaimed = (
        Application.objects.select_for_update()
        .filter(applicant__isnull=True, personnummer=user.personnummer)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("region")
        .order_by("created_at", "pk")
    )
    for application in unclaimed:
        if application.intake_period_id in taken:
            continue
        taken.add(application.intake_period_id)
        application.applicant = user
        application.save(update_fields=["applicant", "updated_at"])
        membership_grant(
            acting_user=user, user=user, region=application.region, role=Role.APPLICANT
        )
        audit_record(
            acting_user=user,
            region=application.region,
            action="application.link",
            target=application,
            data={"verified_by": "eid"},
        )
        linked.append(application)
    return linked


def _normalised(number: str) -> str:
    if not number:
        return ""
    try:
        return pnr.normalize(number)
    except pnr.PersonnummerError as error:
        raise ValidationError({"personnummer": personnummer_message(error)}) from error


@transaction.atomic
def application_choices_set(
    *,
    acting_user: User,
    application: Application,
    offering_ids: Sequence[int],
    now: dt.datetime | None = None,
) -> list[Choice]:
    """Rank the application's choices in the given order: add, remove and reorder in one go.

    An offering must be of the application's region and intake period, chosen once, and open
    now if it is newly added; at most the region's maximum. A submitted application may change
    its choices until the latest deadline among the offerings it has chosen (see
    admissions.applications.selectors.apply.choices_editable_until); it keeps at least one
    (withdraw instead).
    """
    now = now or timezone.now()
    application = _locked(application)
    region = application.region
    ids = [int(pk) for pk in offering_ids]
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("The application has been withdrawn."), code="withdrawn")
    if decided_by_a_round(application):
        # A round has decided on these choices: its results, offers and letters refer to them.
        raise ValidationError(
            _(
                "An admission round has already decided on your choices, so they can no longer "
                "be changed. Contact the intake office."
            ),
            code="decided",
        )
    current = {c.offering_id: c for c in application.choices.select_related("offering")}
    if application.status == ApplicationStatus.SUBMITTED:
        deadlines = [c.offering.application_closes for c in current.values()]
        if not deadlines or now >= max(deadlines):
            raise ValidationError(
                _("The application deadline has passed; the choices can no longer be changed."),
                code="deadline_passed",
            )
        if not ids:
            raise ValidationError(
                _("A submitted application keeps at least one choice. Withdraw it instead."),
                code="no_choices",
            )
    if len(set(ids)) != len(ids):
        raise ValidationError(_("You have chosen the same course twice."), code="duplicate")
    if len(ids) > region.max_choices:
        raise ValidationError(
            _("You can choose at most %(count)d courses.") % {"count": region.max_choices},
            code="too_many",
        )
    offerings = Offering.objects.for_region(region).select_related("programme").in_bulk(ids)
    for pk in ids:
        offering = offerings.get(pk)
        if offering is None:
            raise ValidationError(_("The course was not found."), code="not_found")
        if offering.intake_period_id != application.intake_period_id:
            raise ValidationError(
                _("%(course)s belongs to another intake period.")
                % {"course": offering.programme.name},
                code="other_period",
            )
        if pk not in current and not _is_open(offering, now):
            raise ValidationError(
                _("%(course)s is not open for applications.") % {"course": offering.programme.name},
                code="closed",
            )
    removed = [c.pk for pk, c in current.items() if pk not in ids]
    Choice.objects.filter(pk__in=removed).delete()
    kept = [current[pk] for pk in ids if pk in current]
    # Ranks are unique per application: move the kept rows out of the way first, then place.
    for choice in kept:
        choice.rank += 100
    Choice.objects.bulk_update(kept, ["rank"])
    final = []
    for rank, pk in enumerate(ids, start=1):
        choice = current.get(pk) or Choice(application=application, offering=offerings[pk])
        choice.rank = rank
        final.append(choice)
    Choice.objects.bulk_update([c for c in final if c.pk], ["rank"])
    Choice.objects.bulk_create([c for c in final if not c.pk])
    if application.status == ApplicationStatus.DRAFT:
        application.draft_step = "choices"
        application.save(update_fields=["draft_step", "updated_at"])
    before = [pk for pk, _c in sorted(current.items(), key=lambda item: item[1].rank)]
    if before != ids:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="application.choices_set",
            target=application,
            data={"before": before, "after": ids},
        )
    return final


@transaction.atomic
def application_draft_submit(
    *, acting_user: User, application: Application, consent: bool, language: str | None = None
) -> Application:
    """Submit a draft: everything required is there, the applicant consents, it gets its
    reference number and the applicant a receipt by e-mail (after the commit)."""
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(_("The application has already been submitted."), code="not_draft")
    errors = [item.message for item in missing_for_submit(application)]
    if not consent:
        errors.append(_("You must consent to how your personal data is handled."))
    if errors:
        raise ValidationError(errors)
    region = application.region
    Region.objects.select_for_update().filter(pk=region.pk).first()
    now = timezone.now()
    application.reference = _next_references(region, application.intake_period, 1)[0]
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.consent_given_at = now
    application.draft_step = "review"
    application.save(
        update_fields=[
            "reference",
            "status",
            "submitted_at",
            "consent_given_at",
            "draft_step",
            "updated_at",
        ]
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.submit",
        target=application,
        data={"choices": list(application.choices.values_list("offering_id", flat=True))},
    )
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(partial(_send_receipt, application.pk, language))
    return application


def _send_receipt(application_pk: int, language: str) -> None:
    application = Application.objects.select_related("region", "intake_period").get(
        pk=application_pk
    )
    recipient = application.email or (application.applicant.email if application.applicant else "")
    if not recipient:
        return
    context = {"application": application, "choices": choices_of(application)}
    # The receipt never carries the identity number: e-mail is not a safe channel for it.
    with translation.override(language):
        subject = render_to_string("admissions/apply/email/receipt_subject.txt", context)
        body = render_to_string("admissions/apply/email/receipt_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient])


@transaction.atomic
def application_withdraw(*, acting_user: User, application: Application) -> Application:
    application = _locked(application)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    previous = application.status
    application.status = ApplicationStatus.WITHDRAWN
    if application.submitted_at is None:
        # A withdrawn draft counts as handed in and taken back at once (the status constraint).
        application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="application.withdraw",
        target=application,
        data={"previous_status": previous},
    )
    return application


@transaction.atomic
def document_upload(
    *,
    acting_user: User,
    application: Application,
    kind: str,
    file: UploadedFile,
    completion_request: CompletionRequest | None = None,
) -> Document:
    """Store one document of the application, privately, under a server-generated name, after
    checking what it is by its content and its size."""
    application = _locked(application)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("The application has been withdrawn."), code="withdrawn")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose what kind of document this is.")})
    if completion_request is not None and completion_request.application_id != application.pk:
        raise ValueError("The completion request belongs to another application")
    content_type = uploads.check_upload(file)
    document = Document(
        application=application,
        kind=kind,
        original_name=uploads.masked_name(file.name, content_type),
        content_type=content_type,
        size=file.size,
        sha256=sha256_of_upload(file),
        completion_request=completion_request,
        uploaded_by=acting_user,
    )
    save_with_file(document, "file", "upload", file)
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="document.upload",
        target=document,
        data={"application": application.pk, "kind": kind, "size": document.size},
    )
    return document


@transaction.atomic
def document_delete(*, acting_user: User, document: Document) -> None:
    """A draft's applicant may remove a document they uploaded by mistake; after submission
    documents stay (the intake office may already have read them)."""
    application = _locked(document.application)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(
            _("Documents of a submitted application cannot be removed."), code="not_draft"
        )
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="document.delete",
        target=document,
        data={"application": application.pk, "kind": document.kind},
    )
    stored = document.file.name
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(stored))


@transaction.atomic
def completion_answer(
    *,
    acting_user: User,
    completion_request: CompletionRequest,
    answer: str,
    files: Sequence[tuple[str, UploadedFile]],
) -> CompletionRequest:
    """The applicant answers a completion request with a message and new documents."""
    request = CompletionRequest.objects.select_for_update().get(pk=completion_request.pk)
    if request.answered_at is not None:
        raise ValidationError(_("This request has already been answered."), code="answered")
    if not answer.strip() and not files:
        raise ValidationError(_("Upload a document or write a message."), code="empty")
    application = request.application
    for kind, file in files:
        document_upload(
            acting_user=acting_user,
            application=application,
            kind=kind,
            file=file,
            completion_request=request,
        )
    request.answer = answer.strip()
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_at"])
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action="completion.answer",
        target=request,
        data={"application": application.pk, "documents": len(files)},
    )
    return request
