"""Import and export of applications (django-import-export does the columns; this module holds
the rules, the transactions and the audit log).

Export: the intake queue of the region to CSV or XLSX; identity numbers only when asked for and
allowed by role; every export is audited (who saw what, how many rows, with or without numbers).

Import: applications delivered as CSV by another system (for example referrals from
Arbetsförmedlingen). Every row is checked; the preview lists the valid rows and the refused ones
with their reasons; the import itself is all or nothing: one refused row refuses the file, and a
failure while saving rolls every row back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from accounts.models import Membership, Region, Role, User
from accounts.services import audit_record
from admissions.applications.models import (
    Application,
    ApplicationStatus,
    Choice,
    EligibilityDecision,
    SelectionGroupDecision,
)
from admissions.applications.resources import ApplicationExportResource, ApplicationImportResource
from admissions.applications.services.import_rows import (
    import_dataset_read,
)

# ImportFileError and ImportRefused are re-exported: the views (and callers) catch them from
# this module.
from admissions.files.tabular_import import ImportFileError as ImportFileError
from admissions.files.tabular_import import (
    ImportPreview,
    preview_of,
    rows_save,
    rows_try,
)
from admissions.files.tabular_import import ImportRefused as ImportRefused
from yrkescenter.models import IntakePeriod

# Who may use import and export at all, and who may see full identity numbers in an export.
TRANSFER_ROLES = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)
IDENTITY_NUMBER_ROLES = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)

# --- export -------------------------------------------------------------------------------------

EXPORT_FORMATS = {
    "xlsx": base_formats.XLSX,
    "csv": base_formats.CSV,
}
# Statuses the export (like the queue) shows when no status is chosen: not drafts, which the
# intake office does not handle yet.
DEFAULT_EXPORT_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str
    rows: int


def may_export_identity_numbers(membership: Membership | None) -> bool:
    return membership is not None and membership.role in IDENTITY_NUMBER_ROLES


def applications_for_export(
    membership: Membership, *, intake_period: IntakePeriod | None, status: str
) -> QuerySet[Application]:
    """The applications the membership may see, filtered like the queue, with everything the
    export's columns read fetched in a fixed number of queries per chunk."""
    queryset = Application.objects.visible_to(membership)
    if intake_period is not None:
        queryset = queryset.filter(intake_period=intake_period)
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=DEFAULT_EXPORT_STATUSES)
    choices = Choice.objects.select_related(
        "offering__programme", "offering__centre"
    ).prefetch_related(
        # Newest first (the models' ordering), so the first row of each is the current decision.
        Prefetch(
            "eligibility", queryset=EligibilityDecision.objects.order_by("-decided_at", "-id")
        ),
        Prefetch("groups", queryset=SelectionGroupDecision.objects.order_by("-decided_at", "-id")),
    )
    return (
        queryset.select_related("home_municipality", "intake_period")
        .prefetch_related(Prefetch("choices", queryset=choices.order_by("rank")))
        .order_by("reference", "pk")
    )


@transaction.atomic
def applications_export(
    *,
    acting_user: User,
    membership: Membership,
    intake_period: IntakePeriod | None,
    status: str,
    file_format: str,
    include_identity_numbers: bool,
) -> ExportFile:
    """The queue as a file, and an audit entry saying who exported what."""

    if membership.role not in TRANSFER_ROLES:
        raise PermissionDenied
    if include_identity_numbers and not may_export_identity_numbers(membership):
        raise PermissionDenied
    if intake_period is not None and intake_period.region_id != membership.region_id:
        raise PermissionDenied
    if status and status not in ApplicationStatus.values:
        raise ValueError(f"Unknown status {status!r}")
    format_class = EXPORT_FORMATS[file_format]
    region = membership.region
    resource = ApplicationExportResource(
        max_choices=region.max_choices, include_identity_numbers=include_identity_numbers
    )
    dataset = resource.export(
        queryset=applications_for_export(membership, intake_period=intake_period, status=status)
    )
    dataset.title = _("Applications")
    export_format = format_class()
    if file_format == "csv":
        # Swedish Excel reads a semicolon-separated file with a byte order mark as UTF-8.
        content = ("\ufeff" + export_format.export_data(dataset, delimiter=";")).encode("utf-8")
    else:
        content = export_format.export_data(dataset)
    today = timezone.localdate()
    file_name = (
        f"ansokningar-{intake_period.code if intake_period else 'alla'}-{today:%Y-%m-%d}"
        f".{export_format.get_extension()}"
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        role=membership.role,
        action="application.export",
        target=intake_period,
        data={
            "format": file_format,
            "intake_period": intake_period.code if intake_period else "",
            "status": status,
            "identity_numbers": include_identity_numbers,
            "rows": len(dataset),
        },
    )
    return ExportFile(
        content=content,
        file_name=file_name,
        content_type=export_format.get_content_type(),
        rows=len(dataset),
    )


def applications_import_preview(
    *, acting_user: User, region: Region, content: bytes
) -> ImportPreview:
    """Check every row without keeping anything: the rows are saved through the same service as
    the import, inside a transaction that is rolled back."""

    dataset = import_dataset_read(content)
    resource = ApplicationImportResource(region=region, acting_user=acting_user)
    result = rows_try(resource, dataset)
    return preview_of(result, resource.accepted)


@transaction.atomic
def applications_import(*, acting_user: User, region: Region, content: bytes) -> list[Application]:
    """Import every row of the file, or none: if any row is refused, or saving any row fails,
    nothing is kept and ImportRefused says why."""

    dataset = import_dataset_read(content)
    resource = ApplicationImportResource(region=region, acting_user=acting_user)
    result = rows_save(resource, dataset)
    if result.has_errors() or result.has_validation_errors() or not resource.created:
        # Leaving the transaction by this exception rolls back whatever was saved.
        raise ImportRefused(preview_of(result, resource.accepted))
    audit_record(
        acting_user=acting_user,
        region=region,
        action="application.import",
        target=region,
        data={
            "rows": len(resource.created),
            "references": [application.reference for application in resource.created],
        },
    )
    return list(resource.created)
