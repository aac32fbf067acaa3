"""Competence needs from the needs survey: entered by a company's contacts, or by the council on
the company's behalf, one by one or imported from a cluster's own survey.

The rules:

- A need is entered, changed or deleted only while its survey is open (opens_on to closes_on,
  both days included, in the region's time zone). After closing, the survey's rows are what the
  council's dashboards count.
- Occupation: a four-digit SSYK 2012 unit group (e.g. 7212 welders); the number of people at
  least 1; the municipality one of the region's parties (where the people are needed); horizon
  and level from their choices.
- The company, the survey and the municipality belong to one region.
- `entered_by_organisation` is set when the council enters the need on the company's behalf: it
  is the company's own cluster (the cluster speaks for its member companies). A company without
  a cluster enters its needs itself.
- A deletion removes the row (a need is a statement of intent, not a decision); the audit log
  keeps what was deleted.

Who may do what (the pages check it through industriradet.selectors.needs):

- a company contact enters needs for their own companies and sees, changes and deletes every
  need of those companies, whoever entered it;
- council members and region admins enter needs on behalf of a company of a cluster, and see,
  change and delete only the rows they entered themselves (one by one or by import): the
  council otherwise sees needs only as aggregates on its dashboards.

The import of a cluster's own survey (CSV or XLSX) is all or nothing, like the intake office's
import of applications: every row is checked first and the report lists each row as OK or with
its problems per column; the file is imported only when every row is OK. A company is named by
its name or organisation number and must be a company of the region that belongs to the
importing cluster: an unknown company is reported, never created (the region admin registers
companies). A row that repeats a need already recorded for the company in the survey (same
occupation, horizon, municipality and level), or an earlier row of the file, is refused, so a
file uploaded twice is not counted twice.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import Region, User
from accounts.services import audit_record
from admissions.files.tabular_import import (
    ImportFileError,
    cell_text,
    columns_check,
    csv_dataset_parse,
    row_count_check,
    size_check,
)
from industriradet.models import (
    Company,
    CompetenceNeed,
    Horizon,
    Level,
    MemberOrganisation,
    NeedsSurvey,
)
from yrkescenter.models import Municipality

SSYK_PATTERN = re.compile(r"^\d{4}$")


class SurveyClosed(ValidationError):
    """The survey is not open: needs cannot be entered, changed or deleted."""


def survey_is_open(survey: NeedsSurvey, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return survey.opens_on <= today <= survey.closes_on


def survey_check_open(survey: NeedsSurvey) -> None:
    if not survey_is_open(survey):
        raise SurveyClosed(
            {
                "survey": _(
                    "The survey %(survey)s is open from %(opens)s to %(closes)s; needs can only "
                    "be entered, changed or deleted while it is open."
                )
                % {
                    "survey": survey.name,
                    "opens": survey.opens_on.isoformat(),
                    "closes": survey.closes_on.isoformat(),
                }
            },
            code="survey_closed",
        )


def ssyk_problem(code: str) -> str:
    """Why `code` is not a four-digit SSYK 2012 code ("" when it is one)."""
    if not SSYK_PATTERN.match(code or ""):
        return _("Write the occupation as a four-digit SSYK 2012 code, e.g. 7212 for welders.")
    return ""


def _check(need: CompetenceNeed) -> None:
    """Every rule of one need, as field errors, before it is saved."""
    errors: dict[str, list[str]] = {}
    try:
        # created_by may be empty: a need loaded without a user (a demo, a command).
        need.full_clean(exclude=["created_by"])
    except ValidationError as error:
        errors = {key: list(messages) for key, messages in error.message_dict.items()}
    problem = ssyk_problem(need.ssyk_code)
    if problem:
        errors["ssyk_code"] = [problem]
    company = need.company
    if need.survey_id and need.survey.region_id != company.region_id:
        errors.setdefault("survey", []).append(_("The survey is not one of the company's region."))
    municipality = need.municipality if need.municipality_id else None
    if municipality is not None and (
        municipality.region_id != company.region_id or not municipality.is_party
    ):
        errors.setdefault("municipality", []).append(
            _("Choose one of the region's municipalities.")
        )
    organisation = need.entered_by_organisation
    if organisation is not None and organisation.pk != company.organisation_id:
        errors.setdefault("entered_by_organisation", []).append(
            _("Only the company's own cluster can enter needs on its behalf.")
        )
    if errors:
        raise ValidationError(errors)


def _state(need: CompetenceNeed) -> dict:
    return {
        "survey": need.survey.code,
        "company": need.company_id,
        "entered_by_organisation": need.entered_by_organisation_id,
        "ssyk_code": need.ssyk_code,
        "count": need.count,
        "horizon": need.horizon,
        "municipality": need.municipality.code,
        "level": need.level,
    }


@transaction.atomic
def need_create(
    *,
    acting_user: User | None,
    survey: NeedsSurvey,
    company: Company,
    ssyk_code: str,
    count: int,
    horizon: str,
    municipality: Municipality,
    level: str,
    note: str = "",
    entered_by_organisation: MemberOrganisation | None = None,
) -> CompetenceNeed:
    """Record one need of `company` in the open `survey`; `entered_by_organisation` is the
    company's cluster when the council enters it on the company's behalf."""
    survey_check_open(survey)
    need = CompetenceNeed(
        survey=survey,
        company=company,
        entered_by_organisation=entered_by_organisation,
        ssyk_code=(ssyk_code or "").strip(),
        count=count,
        horizon=horizon,
        municipality=municipality,
        level=level,
        note=note,
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    _check(need)
    need.save()
    audit_record(
        acting_user=acting_user,
        region=company.region,
        action="competence_need.create",
        target=need,
        data=_state(need),
    )
    return need


@transaction.atomic
def need_update(
    *,
    acting_user: User | None,
    need: CompetenceNeed,
    ssyk_code: str,
    count: int,
    horizon: str,
    municipality: Municipality,
    level: str,
    note: str = "",
) -> CompetenceNeed:
    """Change a need of an open survey; its company, survey and who entered it stay."""
    need = (
        CompetenceNeed.objects.select_for_update()
        .select_related("survey", "company__region", "municipality")
        .get(pk=need.pk)
    )
    survey_check_open(need.survey)
    before = _state(need)
    need.ssyk_code = (ssyk_code or "").strip()
    need.count = count
    need.horizon = horizon
    need.municipality = municipality
    need.level = level
    note_changed = need.note != note
    need.note = note
    _check(need)
    after = _state(need)
    if before == after and not note_changed:
        return need
    need.save(update_fields=["ssyk_code", "count", "horizon", "municipality", "level", "note"])
    audit_record(
        acting_user=acting_user,
        region=need.company.region,
        action="competence_need.update",
        target=need,
        data={
            "before": before,
            "after": after,
            "note_changed": note_changed,
        },
    )
    return need


@transaction.atomic
def need_delete(*, acting_user: User | None, need: CompetenceNeed) -> None:
    """Delete a need of an open survey; the audit log keeps what it said."""
    need = (
        CompetenceNeed.objects.select_for_update()
        .select_related("survey", "company__region", "municipality")
        .get(pk=need.pk)
    )
    survey_check_open(need.survey)
    audit_record(
        acting_user=acting_user,
        region=need.company.region,
        action="competence_need.delete",
        target=need,
        data=_state(need),
    )
    need.delete()


# --- import of a cluster's own survey -----------------------------------------------------------

IMPORT_COLUMNS = ("company", "ssyk", "count", "horizon", "municipality", "level", "note")
REQUIRED_COLUMNS = ("company", "ssyk", "count", "horizon", "municipality", "level")
IMPORT_MAX_BYTES = 2 * 1024 * 1024
# A cluster of 110 companies with a handful of needs each fits many times over; the dry run
# and the import each take about 2 s per 1,000 rows (measured on SQLite).
IMPORT_MAX_ROWS = 2000
# An XLSX file is a zip archive: its unpacked size is bounded too, so a small upload cannot
# unpack into gigabytes (a "zip bomb").
IMPORT_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
IMPORT_FORMATS = ("csv", "xlsx")


@dataclass
class ImportRow:
    """One row of an import file as read, and what it refers to once checked."""

    line: int = 0
    company: str = ""
    ssyk: str = ""
    count: str = ""
    horizon: str = ""
    municipality: str = ""
    level: str = ""
    note: str = ""
    # Resolved by import_row_check.
    resolved_company: Company | None = None
    resolved_count: int | None = None
    resolved_horizon: str = ""
    resolved_municipality: Municipality | None = None
    resolved_level: str = ""

    def text(self, name: str) -> str:
        return cell_text(getattr(self, name, ""))


@dataclass(frozen=True)
class RowReport:
    """One row of the file in the report: OK, or its problems per column."""

    line: int
    company: str
    ssyk: str
    count: str
    horizon: str
    municipality: str
    level: str
    # (column, message) pairs; empty when the row is OK.
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportReport:
    rows: tuple[RowReport, ...]
    # Problems not tied to one row (the file could not be processed at all).
    general: tuple[str, ...] = ()

    @property
    def accepted(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def refused(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def importable(self) -> bool:
        return bool(self.rows) and not self.refused and not self.general


class ImportRefused(Exception):
    """The import was refused: nothing was saved. `report` says which rows and why."""

    def __init__(self, report: ImportReport):
        super().__init__("The import was refused; nothing was saved.")
        self.report = report


@dataclass
class ImportContext:
    """What the rows are checked against, loaded once per file."""

    region: Region
    survey: NeedsSurvey
    cluster: MemberOrganisation
    companies_by_name: dict[str, Company]
    companies_by_number: dict[str, Company]
    municipalities_by_code: dict[str, Municipality]
    municipalities_by_name: dict[str, Municipality]
    # (company id, ssyk, horizon, municipality id, level) of needs already in the survey.
    existing: set[tuple]
    # What a file may write for a horizon or a level -> its value.
    horizons: dict[str, str]
    levels: dict[str, str]
    # The same keys for rows already read from this file -> their line.
    seen: dict[tuple, int] = field(default_factory=dict)


def import_dataset_read(content: bytes, file_name: str = "") -> tablib.Dataset:
    """The rows of an uploaded CSV or XLSX file, told apart by their content (an XLSX file is a
    zip archive; a CSV file is text), with the header names in lower case."""
    size_check(content, max_bytes=IMPORT_MAX_BYTES)
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    # An XLSX workbook is a zip archive; anything else is read as CSV text.
    is_zip = content.startswith(b"PK\x03\x04")
    if is_zip:
        dataset = _xlsx_dataset(content)
    else:
        dataset = csv_dataset_parse(
            content,
            not_csv_message=_("The file is neither a CSV file nor an Excel workbook (XLSX)."),
        )
    columns_check(dataset, required_columns=REQUIRED_COLUMNS, known_columns=IMPORT_COLUMNS)
    # Rows left wholly empty (a spreadsheet's trailing lines) are not rows of the survey.
    blank = [index for index, row in enumerate(dataset) if not any(cell_text(v) for v in row)]
    for index in reversed(blank):
        del dataset[index]
    row_count_check(dataset, max_rows=IMPORT_MAX_ROWS)
    return dataset


def _xlsx_dataset(content: bytes) -> tablib.Dataset:
    not_xlsx = _("The file is neither a CSV file nor an Excel workbook (XLSX).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(not_xlsx) from error
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportFileError(not_xlsx)
    if unpacked > IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large when unpacked."))
    try:
        # The first sheet; its first row names the columns.
        return base_formats.XLSX().create_dataset(content)
    except (
        # What openpyxl raises on a damaged workbook: broken XML (a SyntaxError), a missing
        # part (KeyError, OSError "not a valid workbook"), bad values (ValueError, TypeError).
        SyntaxError,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        zipfile.BadZipFile,
        InvalidFileException,
    ) as error:
        raise ImportFileError(_("The workbook could not be read.")) from error


def _number_key(value: str) -> str:
    return re.sub(r"\D", "", value)


def import_context_load(
    *, region: Region, survey: NeedsSurvey, cluster: MemberOrganisation
) -> ImportContext:
    """Everything the rows refer to, in a handful of queries whatever the number of rows."""
    companies = list(Company.objects.for_region(region))
    municipalities = list(Municipality.objects.for_region(region).filter(is_party=True))
    existing = set(
        CompetenceNeed.objects.filter(survey=survey).values_list(
            "company_id", "ssyk_code", "horizon", "municipality_id", "level"
        )
    )
    return ImportContext(
        region=region,
        survey=survey,
        cluster=cluster,
        companies_by_name={c.name.casefold(): c for c in companies},
        companies_by_number={_number_key(c.org_number): c for c in companies if c.org_number},
        municipalities_by_code={m.code: m for m in municipalities},
        municipalities_by_name={m.name.casefold(): m for m in municipalities},
        existing=existing,
        horizons={**_choice_lookup(Horizon), **HORIZON_SHORTHANDS},
        levels=_choice_lookup(Level),
    )


def _choice_lookup(choices) -> dict[str, str]:
    """Value or label (in Swedish or English, any case) -> value, so a file may say "lt1",
    "Within 1 year" or "Inom 1 år"."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        for language in ("en", "sv"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


# Shorthands a survey form may use for the horizons.
HORIZON_SHORTHANDS: dict[str, str] = {
    "<1": Horizon.WITHIN_1,
    "0-1": Horizon.WITHIN_1,
    "1": Horizon.WITHIN_1,
    "1-3": Horizon.YEARS_1_3,
    "1–3": Horizon.YEARS_1_3,
    "3-5": Horizon.YEARS_3_5,
    "3–5": Horizon.YEARS_3_5,
}


def import_row_check(context: ImportContext, row: ImportRow) -> list[tuple[str, str]]:
    """(column, problem) pairs of the row (empty when it can be imported); resolves what the
    row refers to."""
    problems: list[tuple[str, str]] = []
    company_text = row.text("company")
    company = context.companies_by_name.get(company_text.casefold())
    if company is None and _number_key(company_text):
        company = context.companies_by_number.get(_number_key(company_text))
    if not company_text:
        problems.append(("company", _("Name the company (its name or organisation number).")))
    elif company is None:
        problems.append(
            (
                "company",
                _("%(company)s is not a company of the region.") % {"company": company_text},
            )
        )
    elif company.organisation_id != context.cluster.pk:
        problems.append(
            (
                "company",
                _("%(company)s is not a member company of %(cluster)s.")
                % {"company": company.name, "cluster": context.cluster.name},
            )
        )
    row.resolved_company = company
    ssyk = row.text("ssyk")
    problem = ssyk_problem(ssyk)
    if problem:
        problems.append(("ssyk", problem))
    count_text = row.text("count")
    row.resolved_count = int(count_text) if count_text.isdigit() else None
    if row.resolved_count is None or row.resolved_count < 1:
        problems.append(("count", _("The number of people must be a whole number, 1 or more.")))
    horizon_text = row.text("horizon").casefold()
    row.resolved_horizon = context.horizons.get(horizon_text, "")
    if not row.resolved_horizon:
        problems.append(
            (
                "horizon",
                _("Unknown horizon %(value)s; write one of %(values)s.")
                % {"value": row.text("horizon") or "–", "values": ", ".join(Horizon.values)},
            )
        )
    municipality_text = row.text("municipality")
    municipality = context.municipalities_by_code.get(
        municipality_text
    ) or context.municipalities_by_name.get(municipality_text.casefold())
    if municipality is None:
        problems.append(
            (
                "municipality",
                _("%(value)s is not a municipality of the region (give its code or name).")
                % {"value": municipality_text or "–"},
            )
        )
    row.resolved_municipality = municipality
    level_text = row.text("level").casefold()
    row.resolved_level = context.levels.get(level_text, "")
    if not row.resolved_level:
        problems.append(
            (
                "level",
                _("Unknown level %(value)s; write one of %(values)s.")
                % {"value": row.text("level") or "–", "values": ", ".join(Level.values)},
            )
        )
    if not problems:
        problems.extend(_duplicate_check(context, row, ssyk))
    return problems


def _duplicate_check(context: ImportContext, row: ImportRow, ssyk: str) -> list[tuple[str, str]]:
    key = (
        row.resolved_company.pk,
        ssyk,
        row.resolved_horizon,
        row.resolved_municipality.pk,
        row.resolved_level,
    )
    if key in context.existing:
        return [
            (
                "ssyk",
                _(
                    "This need of %(company)s (same occupation, horizon, municipality and level) "
                    "is already recorded in %(survey)s."
                )
                % {"company": row.resolved_company.name, "survey": context.survey.name},
            )
        ]
    if key in context.seen:
        return [("ssyk", _("This need repeats row %(line)s.") % {"line": context.seen[key]})]
    context.seen[key] = row.line
    return []


def row_report(row: ImportRow, problems: list[tuple[str, str]] | tuple = ()) -> RowReport:
    return RowReport(
        line=row.line,
        company=row.resolved_company.name if row.resolved_company else row.text("company"),
        ssyk=row.text("ssyk"),
        count=row.text("count"),
        horizon=row.resolved_horizon or row.text("horizon"),
        municipality=(
            str(row.resolved_municipality)
            if row.resolved_municipality
            else row.text("municipality")
        ),
        level=row.resolved_level or row.text("level"),
        problems=tuple(problems),
    )


def need_import_row(
    *, acting_user: User, survey: NeedsSurvey, cluster: MemberOrganisation, row: ImportRow
) -> CompetenceNeed:
    """Record one checked row through the same service as a need entered by hand, on behalf
    of the company by its cluster."""
    return need_create(
        acting_user=acting_user,
        survey=survey,
        company=row.resolved_company,
        ssyk_code=row.text("ssyk"),
        count=row.resolved_count,
        horizon=row.resolved_horizon,
        municipality=row.resolved_municipality,
        level=row.resolved_level,
        note=row.text("note"),
        entered_by_organisation=cluster,
    )
