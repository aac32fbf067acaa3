"""The django-import-export resource of the outcome import: which columns a file has and how a
row maps to a follow-up. The rules and the writes live in industriradet.services.outcomes;
industriradet.services.outcomes_file imports a file as a whole."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from accounts.models import Membership, User
from industriradet.models import StudentOutcome
from industriradet.services import outcomes


class _RowsOnly(BaseInstanceLoader):
    # Each row is read into an ImportRow; the service finds the enrolment and its outcome.
    def get_instance(self, row):
        return None


class OutcomeImportResource(resources.Resource):
    """Outcomes delivered as CSV. Each row is read into an ImportRow, checked by the outcome
    service against the enrolments the importer sees, and saved through it."""

    class Meta:
        using_db = DEFAULT_DB_ALIAS
        instance_loader_class = _RowsOnly
        force_init_instance = True
        skip_diff = True
        import_id_fields: list[str] = []

    def __init__(self, *, membership: Membership, acting_user: User):
        super().__init__()
        self.membership = membership
        self.acting_user = acting_user
        self.context: outcomes.ImportContext | None = None
        self.accepted: list[outcomes.AcceptedRow] = []
        self.saved: list[StudentOutcome] = []
        self.fields = {
            name: fields.Field(
                attribute=name, column_name=name, widget=widgets.CharWidget(allow_blank=True)
            )
            for name in outcomes.IMPORT_COLUMNS
        }

    def before_import(self, dataset, **kwargs):
        self.context = outcomes.import_context_load(self.membership, dataset)
        self.accepted = []
        self.saved = []

    def init_instance(self, row=None):
        return outcomes.ImportRow()

    def after_init_instance(self, instance, new, row, **kwargs):
        # The header is the first line of the file, so data row n is line n + 1.
        instance.line = kwargs["row_number"] + 1

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        problems = outcomes.import_row_check(self.context, instance)
        for errors in (import_validation_errors or {}).values():
            for error in errors:
                problems.extend(error.messages if isinstance(error, ValidationError) else [error])
        if problems:
            raise ValidationError(problems)

    def do_instance_save(self, instance, is_create):
        self.saved.append(outcomes.outcome_import_row(acting_user=self.acting_user, row=instance))

    def after_save_instance(self, instance, row, **kwargs):
        self.accepted.append(outcomes.accepted_row(instance))
