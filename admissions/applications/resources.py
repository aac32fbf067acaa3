"""django-import-export resources of admissions: which columns a file has and how a row maps to
an application. The rules and the writes live in admissions.applications.services.import_rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from accounts.models import Region, User
from admissions.applications.models import Application, Choice
from admissions.applications.services import import_rows
from admissions.files.spreadsheets import spreadsheet_row


def _column(name: str, column_name, **options) -> fields.Field:
    return fields.Field(attribute=name, column_name=column_name, **options)


class ApplicationExportResource(resources.Resource):
    """The intake queue as a spreadsheet: one row per application, three columns per choice
    (the offering, the current eligibility decision, the current selection group)."""

    reference = fields.Field(attribute="reference", column_name=_("Reference"))
    first_name = fields.Field(column_name=_("First name"))
    last_name = fields.Field(column_name=_("Last name"))
    birth_date = fields.Field(
        attribute="birth_date",
        column_name=_("Date of birth"),
        widget=widgets.DateWidget("%Y-%m-%d"),
    )
    home_municipality_code = fields.Field(column_name=_("Home municipality code"))
    home_municipality = fields.Field(column_name=_("Home municipality"))
    intake_period = fields.Field(attribute="intake_period__code", column_name=_("Intake period"))
    status = fields.Field(column_name=_("Status"))
    submitted_at = fields.Field(column_name=_("Submitted"))

    class Meta:
        using_db = DEFAULT_DB_ALIAS
        # Applications are read in chunks of this many, each chunk in a fixed number of queries.
        chunk_size = 1000

    def __init__(self, *, max_choices: int, include_identity_numbers: bool = False):
        super().__init__()
        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "reference" and include_identity_numbers:
                ordered["personnummer"] = fields.Field(
                    column_name=_("Personnummer"), dehydrate_method=self._personnummer
                )
        for rank in range(1, max_choices + 1):
            ordered[f"choice_{rank}"] = fields.Field(
                column_name=_("Choice %(rank)s") % {"rank": rank},
                dehydrate_method=self._choice_value(rank, _offering),
            )
            ordered[f"eligibility_{rank}"] = fields.Field(
                column_name=_("Eligibility %(rank)s") % {"rank": rank},
                dehydrate_method=self._choice_value(rank, _eligibility),
            )
            ordered[f"group_{rank}"] = fields.Field(
                column_name=_("Selection group %(rank)s") % {"rank": rank},
                dehydrate_method=self._choice_value(rank, _group),
            )
        self.fields = ordered
        self._plan: list | None = None

    @staticmethod
    def _personnummer(application: Application) -> str:
        number = application.personnummer
        return f"{number[:8]}-{number[8:]}" if number else ""

    @staticmethod
    def _choice_value(rank: int, value):
        def dehydrate(application: Application) -> str:
            # Choices come prefetched
            # (admissions.applications.services.transfer.applications_for_export).
            choice = next((c for c in application.choices.all() if c.rank == rank), None)
            return value(choice) if choice is not None else ""

        return dehydrate

    def export_resource(self, instance, selected_fields=None, **kwargs):
        # The library looks each field's name up among all fields for every cell; with some
        # twenty columns and thousands of rows that is worth doing once.
        if self._plan is None:
            self._plan = []
            for name, field in self.fields.items():
                method = field.get_dehydrate_method(name)
                self._plan.append(
                    (field, method if callable(method) else getattr(self, method, None))
                )
        # Every text cell, not only the names: what staff typed (programme names, decisions'
        # explanations) reaches the spreadsheet as well.
        return spreadsheet_row(
            method(instance) if method is not None else field.export(instance, **kwargs)
            for field, method in self._plan
        )

    def dehydrate_first_name(self, application: Application) -> str:
        return application.first_name

    def dehydrate_last_name(self, application: Application) -> str:
        return application.last_name

    def dehydrate_home_municipality_code(self, application: Application) -> str:
        return application.home_municipality.code if application.home_municipality else ""

    def dehydrate_home_municipality(self, application: Application) -> str:
        return application.home_municipality.name if application.home_municipality else ""

    def dehydrate_status(self, application: Application) -> str:
        return str(application.get_status_display())

    def dehydrate_submitted_at(self, application: Application) -> str:
        if application.submitted_at is None:
            return ""
        return f"{timezone.localtime(application.submitted_at):%Y-%m-%d %H:%M}"


def _offering(choice: Choice) -> str:
    offering = choice.offering
    return f"{offering.programme.name} @ {offering.centre.name} ({offering.starts_on:%Y-%m-%d})"


def _eligibility(choice: Choice) -> str:
    decisions = choice.eligibility.all()
    if not decisions:
        return ""
    current = decisions[0]
    if current.eligible:
        return str(_("Eligible"))
    return str(_("Not eligible: %(ground)s") % {"ground": current.get_ground_display()})


def _group(choice: Choice) -> str:
    decisions = choice.groups.all()
    return str(decisions[0].group) if decisions else ""


class _NewRowsOnly(BaseInstanceLoader):
    # An import registers new applications; it never updates an existing one.
    def get_instance(self, row):
        return None


class ApplicationImportResource(resources.Resource):
    """Applications delivered as CSV by another system. Each row is read into an ImportRow,
    checked against what the region has and saved by
    admissions.applications.services.import_rows."""

    class Meta:
        using_db = DEFAULT_DB_ALIAS
        instance_loader_class = _NewRowsOnly
        force_init_instance = True
        skip_diff = True
        import_id_fields: list[str] = []

    def __init__(self, *, region: Region, acting_user: User):
        super().__init__()
        self.region = region
        self.acting_user = acting_user
        self.context: import_rows.ImportContext | None = None
        self.accepted: list[import_rows.AcceptedRow] = []
        self.created: list[Application] = []
        self.fields = {
            name: _column(name, name, widget=widgets.CharWidget(allow_blank=True))
            for name in import_rows.IMPORT_COLUMNS
        }

    def before_import(self, dataset, **kwargs):
        self.context = import_rows.import_context_load(self.region, dataset)
        self.accepted = []
        self.created = []

    def init_instance(self, row=None):
        return import_rows.ImportRow()

    def after_init_instance(self, instance, new, row, **kwargs):
        # The header is the first line of the file, so data row n is line n + 1.
        instance.line = kwargs["row_number"] + 1

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        problems = import_rows.import_row_check(self.context, instance)
        for errors in (import_validation_errors or {}).values():
            for error in errors:
                problems.extend(error.messages if isinstance(error, ValidationError) else [error])
        if problems:
            raise ValidationError(problems)

    def do_instance_save(self, instance, is_create):
        self.created.append(
            import_rows.application_import_row(
                acting_user=self.acting_user, region=self.region, row=instance
            )
        )

    def after_save_instance(self, instance, row, **kwargs):
        self.accepted.append(import_rows.accepted_row(instance))
