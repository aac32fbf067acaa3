"""A centre's file of follow-ups, imported whole or not at all: django-import-export runs the
file through industriradet.outcome_resources, whose rows are checked and saved by the rules of
industriradet.services.outcomes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Membership, User
from accounts.services import audit_record
from admissions.files.tabular_import import (
    ImportPreview,
    ImportRefused,
    preview_of,
    rows_save,
    rows_try,
)
from industriradet.models import StudentOutcome
from industriradet.outcome_resources import OutcomeImportResource
from industriradet.services.outcomes import IMPORTERS, import_dataset_read


def _check_importer(membership: Membership) -> None:
    if membership is None or membership.role not in IMPORTERS:
        raise PermissionDenied


def outcomes_import_preview(
    *, acting_user: User, membership: Membership, content: bytes
) -> ImportPreview:
    """Check every row without keeping anything: the rows are saved through the same service as
    the import, inside a transaction that is rolled back."""
    _check_importer(membership)
    dataset = import_dataset_read(content)
    resource = OutcomeImportResource(membership=membership, acting_user=acting_user)
    result = rows_try(resource, dataset)
    return preview_of(result, resource.accepted)


@transaction.atomic
def outcomes_import(
    *, acting_user: User, membership: Membership, content: bytes
) -> list[StudentOutcome]:
    """Import every row of the file, or none: if any row is refused, or saving any row fails,
    nothing is kept and ImportRefused says why."""
    _check_importer(membership)
    dataset = import_dataset_read(content)
    resource = OutcomeImportResource(membership=membership, acting_user=acting_user)
    result = rows_save(resource, dataset)
    if result.has_errors() or result.has_validation_errors() or not resource.saved:
        # Leaving the transaction by this exception rolls back whatever was saved.
        raise ImportRefused(preview_of(result, resource.accepted))
    audit_record(
        acting_user=acting_user,
        region=membership.region,
        role=membership.role,
        action="outcome.import",
        target=membership.scope_centre or membership.region,
        data={
            "rows": len(resource.saved),
            "enrolments": [outcome.enrolment_id for outcome in resource.saved],
        },
    )
    return list(resource.saved)
