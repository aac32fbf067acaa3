"""django-import-export resources of the council: which columns a needs survey file has and how
a row maps to a competence need. The rules and the writes live in industriradet.services.needs;
industriradet.services.needs_file imports a file as a whole."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from accounts.models import Region, User
from industriradet.models import CompetenceNeed, MemberOrganisation, NeedsSurvey
from industriradet.services import needs


class _CellWidget(widgets.CharWidget):
    # A spreadsheet gives numbers as numbers: 7212.0 must read as "7212", not "7212.0".
    def clean(self, value, row=None, **kwargs):
        return needs.cell_text(value)


class _NewRowsOnly(BaseInstanceLoader):
    # An import adds needs; it never updates an existing one.
    def get_instance(self, row):
        return None


class CompetenceNeedImportResource(resources.Resource):
    """A cluster's own needs survey, one need per row. Each row is read into an ImportRow,
    checked by the needs service against the region's companies and municipalities, and saved
    through need_create on the companies' behalf by the cluster. `reports` holds every row's
    line of the report (OK or its problems per column), in file order."""

    class Meta:
        using_db = DEFAULT_DB_ALIAS
        instance_loader_class = _NewRowsOnly
        force_init_instance = True
        skip_diff = True
        import_id_fields: list[str] = []

    def __init__(
        self,
        *,
        region: Region,
        survey: NeedsSurvey,
        cluster: MemberOrganisation,
        acting_user: User,
    ):
        super().__init__()
        self.region = region
        self.survey = survey
        self.cluster = cluster
        self.acting_user = acting_user
        self.context: needs.ImportContext | None = None
        self.reports: list[needs.RowReport] = []
        self.created: list[CompetenceNeed] = []
        self.fields = {
            name: fields.Field(attribute=name, column_name=name, widget=_CellWidget())
            for name in needs.IMPORT_COLUMNS
        }

    def before_import(self, dataset, **kwargs):
        self.context = needs.import_context_load(
            region=self.region, survey=self.survey, cluster=self.cluster
        )
        self.reports = []
        self.created = []

    def init_instance(self, row=None):
        return needs.ImportRow()

    def after_init_instance(self, instance, new, row, **kwargs):
        # The header is the first line of the file, so data row n is line n + 1.
        instance.line = kwargs["row_number"] + 1

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        problems = needs.import_row_check(self.context, instance)
        for column, errors in (import_validation_errors or {}).items():
            for error in errors:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                problems.extend((column, message) for message in messages)
        self.reports.append(needs.row_report(instance, problems))
        if problems:
            raise ValidationError([message for _column, message in problems])

    def do_instance_save(self, instance, is_create):
        self.created.append(
            needs.need_import_row(
                acting_user=self.acting_user,
                survey=self.survey,
                cluster=self.cluster,
                row=instance,
            )
        )
