"""A cluster's file of its member companies' competence needs, imported whole or not at all:
django-import-export runs the file through industriradet.resources, whose rows are checked and
saved by the rules of industriradet.services.needs."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.services import audit_record
from admissions.files.tabular_import import ImportFileError, rows_save, rows_try
from industriradet.models import CompetenceNeed, MemberOrganisation, NeedsSurvey, OrganisationKind
from industriradet.resources import CompetenceNeedImportResource
from industriradet.services.needs import (
    ImportRefused,
    ImportReport,
    RowReport,
    import_dataset_read,
    survey_check_open,
)


def _check_import_target(region: Region, survey: NeedsSurvey, cluster: MemberOrganisation):
    if survey.region_id != region.pk or cluster.region_id != region.pk:
        raise ValueError("The survey and the cluster must be of the region.")
    if cluster.kind != OrganisationKind.CLUSTER:
        raise ImportFileError(_("Only a cluster imports its member companies' needs."))
    survey_check_open(survey)


def _report_of(result, resource) -> ImportReport:
    """The import result as the report page shows it, in the file's row order. Unexpected
    errors are reported without their text."""
    rows = list(resource.reports)
    for error_row in result.error_rows:
        line = error_row.number + 1
        if not any(r.line == line for r in rows):
            rows.append(
                RowReport(
                    line=line,
                    company="",
                    ssyk="",
                    count="",
                    horizon="",
                    municipality="",
                    level="",
                    problems=(("", _("The row could not be saved.")),),
                )
            )
    general = (_("The file could not be processed."),) if result.base_errors else ()
    return ImportReport(rows=tuple(sorted(rows, key=lambda r: r.line)), general=general)


def needs_import_preview(
    *,
    acting_user: User,
    region: Region,
    survey: NeedsSurvey,
    cluster: MemberOrganisation,
    content: bytes,
) -> ImportReport:
    """Check every row without keeping anything (a dry run): the rows are saved through the
    same service as the import, inside a transaction that is rolled back."""
    _check_import_target(region, survey, cluster)
    dataset = import_dataset_read(content)
    resource = CompetenceNeedImportResource(
        region=region, survey=survey, cluster=cluster, acting_user=acting_user
    )
    result = rows_try(resource, dataset)
    return _report_of(result, resource)


@transaction.atomic
def needs_import(
    *,
    acting_user: User,
    region: Region,
    survey: NeedsSurvey,
    cluster: MemberOrganisation,
    content: bytes,
) -> list[CompetenceNeed]:
    """Import every row of the file, or none: if any row is refused, or saving any row fails,
    nothing is kept and ImportRefused says why."""
    _check_import_target(region, survey, cluster)
    dataset = import_dataset_read(content)
    resource = CompetenceNeedImportResource(
        region=region, survey=survey, cluster=cluster, acting_user=acting_user
    )
    result = rows_save(resource, dataset)
    if result.has_errors() or result.has_validation_errors() or not resource.created:
        # Leaving the transaction by this exception rolls back whatever was saved.
        raise ImportRefused(_report_of(result, resource))
    audit_record(
        acting_user=acting_user,
        region=region,
        action="competence_need.import",
        target=survey,
        data={
            "cluster": cluster.code,
            "rows": len(resource.created),
            "needs": [need.pk for need in resource.created],
        },
    )
    return list(resource.created)
