"""The rules of one imported application row: which columns a file has, how a row is read and
checked against the region (offerings, municipalities, duplicates), and the write of one accepted
row. admissions.applications.resources reads files with these rules; the transfer service runs
the import, its transaction and its audit log."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Region, User
from admissions.applications import personnummer as pnr
from admissions.applications.models import (
    Application,
    ApplicationStatus,
)
from admissions.applications.services.applications import ApplicantDetails, application_submit
from admissions.applications.text import without_bidi_controls

# ImportFileError and ImportRefused are re-exported: the views (and callers) catch them from
# this module.
from admissions.files.tabular_import import ImportFileError as ImportFileError
from admissions.files.tabular_import import ImportRefused as ImportRefused
from admissions.files.tabular_import import csv_dataset_read
from yrkescenter.models import IntakePeriod, Municipality, Offering

# --- rows ---------------------------------------------------------------------------------------

MAX_CHOICE_COLUMNS = 10
IMPORT_COLUMNS = (
    "personnummer",
    "birth_date",
    "first_name",
    "last_name",
    "email",
    "phone",
    "home_municipality_code",
    "intake_period",
    *(f"choice_{rank}" for rank in range(1, MAX_CHOICE_COLUMNS + 1)),
)
REQUIRED_COLUMNS = (
    "personnummer",
    "first_name",
    "last_name",
    "home_municipality_code",
    "intake_period",
    "choice_1",
)
_OFFERING_KEY = re.compile(
    r"^(?P<programme>[-\w]+)@(?P<centre>[-\w]+)(?:@(?P<starts>\d{4}-\d{2}-\d{2}))?$"
)


def import_max_bytes() -> int:
    return getattr(settings, "TRANSFER_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def import_max_rows() -> int:
    return getattr(settings, "TRANSFER_IMPORT_MAX_ROWS", 2000)


@dataclass
class ImportRow:
    """One row of an import file as read, and what it refers to once checked."""

    line: int = 0
    personnummer: str = ""
    birth_date: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    home_municipality_code: str = ""
    intake_period: str = ""
    choice_1: str = ""
    choice_2: str = ""
    choice_3: str = ""
    choice_4: str = ""
    choice_5: str = ""
    choice_6: str = ""
    choice_7: str = ""
    choice_8: str = ""
    choice_9: str = ""
    choice_10: str = ""
    # Filled in by the check.
    number: str = ""
    born: dt.date | None = None
    municipality: Municipality | None = None
    period: IntakePeriod | None = None
    offerings: list[Offering] = field(default_factory=list)

    def text(self, name: str) -> str:
        value = getattr(self, name)
        return "" if value is None else without_bidi_controls(str(value)).strip()

    @property
    def choice_keys(self) -> list[tuple[int, str]]:
        """(column number, key) of the filled choice columns, in column order."""
        keys = []
        for rank in range(1, MAX_CHOICE_COLUMNS + 1):
            key = self.text(f"choice_{rank}")
            if key:
                keys.append((rank, key))
        return keys


@dataclass(frozen=True)
class AcceptedRow:
    line: int
    name: str
    identity: str  # masked personnummer, or the date of birth
    municipality: str
    municipality_is_party: bool
    intake_period: str
    choices: tuple[str, ...]


@dataclass
class ImportContext:
    """What the rows are checked against, loaded once per file."""

    region: Region
    municipalities: dict[str, Municipality]
    periods: dict[str, IntakePeriod]
    # (period id, programme code, centre slug) -> the offerings with that key (several starts).
    offerings: dict[tuple[int, str, str], list[Offering]]
    # (period id, twelve digits) or (period id, birth date, first name, last name) -> reference.
    existing: dict[tuple, str]
    # The same keys for rows already read from this file -> their line.
    seen: dict[tuple, int] = field(default_factory=dict)


def import_dataset_read(content: bytes) -> tablib.Dataset:
    """The rows of an uploaded CSV: UTF-8 with or without a byte order mark (or the Windows
    encoding older Swedish Excel saves in), separated by ";" or ",", with the header names in
    lower case."""
    return csv_dataset_read(
        content,
        required_columns=REQUIRED_COLUMNS,
        known_columns=IMPORT_COLUMNS,
        max_bytes=import_max_bytes(),
        max_rows=import_max_rows(),
    )


def import_context_load(region: Region, dataset: tablib.Dataset) -> ImportContext:
    """Everything the rows refer to, in a handful of queries whatever the number of rows."""
    periods = {p.code: p for p in IntakePeriod.objects.for_region(region)}
    offerings: dict[tuple[int, str, str], list[Offering]] = defaultdict(list)
    for offering in (
        Offering.objects.for_region(region)
        .select_related("programme", "centre", "intake_period")
        .order_by("starts_on", "pk")
    ):
        key = (offering.intake_period_id, offering.programme.code, offering.centre.slug)
        offerings[key].append(offering)
    numbers = set()
    for value in dataset["personnummer"]:
        number, _problem = _identity_number(str(value or ""))
        if number:
            numbers.add(number)
    existing: dict[tuple, str] = {}
    current = Application.objects.for_region(region).exclude(status=ApplicationStatus.WITHDRAWN)
    for period_id, number, reference in current.filter(personnummer__in=numbers).values_list(
        "intake_period_id", "personnummer", "reference"
    ):
        existing[(period_id, number)] = reference
    dates = (
        {_date(str(value or "")) for value in dataset["birth_date"]}
        if ("birth_date" in dataset.headers)
        else set()
    )
    dates.discard(None)
    for period_id, born, first, last, reference in current.filter(
        personnummer="", birth_date__in=dates
    ).values_list("intake_period_id", "birth_date", "first_name", "last_name", "reference"):
        existing[(period_id, born, first.casefold(), last.casefold())] = reference
    return ImportContext(
        region=region,
        municipalities={m.code: m for m in Municipality.objects.for_region(region)},
        periods=periods,
        offerings=dict(offerings),
        existing=existing,
    )


def import_row_check(context: ImportContext, row: ImportRow) -> list[str]:
    """Why the row cannot be imported (empty when it can); resolves what it refers to."""
    problems: list[str] = []
    first_name, last_name = row.text("first_name"), row.text("last_name")
    if not first_name or not last_name:
        problems.append(_("First name and last name are required."))
    elif len(first_name) > 100 or len(last_name) > 100:
        problems.append(_("A name is longer than 100 characters."))
    raw_number = row.text("personnummer")
    row.number, problem = _identity_number(raw_number)
    if problem:
        problems.append(problem)
    birth_text = row.text("birth_date")
    row.born = _date(birth_text) if birth_text else None
    if birth_text and row.born is None:
        problems.append(_("The date of birth must be written YYYY-MM-DD."))
    elif row.number:
        born_by_number = pnr.birth_date(row.number)
        if row.born is not None and row.born != born_by_number:
            problems.append(_("The date of birth does not match the personnummer."))
        row.born = born_by_number
    elif not raw_number and row.born is None:
        problems.append(_("Give a personnummer, or a date of birth for someone without one."))
    email = row.text("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("The e-mail address is not valid."))
    if len(row.text("phone")) > 40:
        problems.append(_("The phone number is longer than 40 characters."))
    code = row.text("home_municipality_code")
    row.municipality = context.municipalities.get(code)
    if row.municipality is None:
        problems.append(_("Unknown municipality code %(code)s.") % {"code": code or "–"})
    period_code = row.text("intake_period")
    row.period = context.periods.get(period_code)
    if row.period is None:
        problems.append(_("Unknown intake period %(code)s.") % {"code": period_code or "–"})
    problems.extend(_choices_check(context, row))
    if row.period is not None and (row.number or row.born):
        problems.extend(_duplicate_check(context, row))
    return problems


def _choices_check(context: ImportContext, row: ImportRow) -> list[str]:
    problems = []
    keys = row.choice_keys
    if not keys:
        return [_("The row has no choice.")]
    if len(keys) > context.region.max_choices:
        problems.append(
            _("The row has %(count)s choices; at most %(max)s are allowed.")
            % {"count": len(keys), "max": context.region.max_choices}
        )
    row.offerings = []
    chosen: dict[int, int] = {}
    for rank, key in keys:
        match = _OFFERING_KEY.match(key)
        if match is None:
            problems.append(
                _("Choice %(rank)s (%(key)s) is not written programme@centre.")
                % {"rank": rank, "key": key}
            )
            continue
        if row.period is None:
            continue
        found = context.offerings.get((row.period.pk, match["programme"], match["centre"]), [])
        if match["starts"]:
            found = [o for o in found if o.starts_on.isoformat() == match["starts"]]
        if not found:
            problems.append(
                _("Choice %(rank)s (%(key)s) is not an offering of this region in %(period)s.")
                % {"rank": rank, "key": key, "period": row.period.code}
            )
        elif len(found) > 1:
            problems.append(
                _(
                    "Choice %(rank)s (%(key)s) starts on several dates; add the date, "
                    "for example %(example)s."
                )
                % {"rank": rank, "key": key, "example": f"{key}@{found[0].starts_on:%Y-%m-%d}"}
            )
        elif found[0].pk in chosen:
            problems.append(
                _("Choice %(rank)s repeats choice %(first)s.")
                % {"rank": rank, "first": chosen[found[0].pk]}
            )
        else:
            chosen[found[0].pk] = rank
            row.offerings.append(found[0])
    return problems


def _duplicate_check(context: ImportContext, row: ImportRow) -> list[str]:
    if row.number:
        key: tuple = (row.period.pk, row.number)
    else:
        key = (
            row.period.pk,
            row.born,
            row.text("first_name").casefold(),
            row.text("last_name").casefold(),
        )
    if key in context.existing:
        return [
            _("This person already has an application for %(period)s (%(reference)s).")
            % {"period": row.period.code, "reference": context.existing[key]}
        ]
    if key in context.seen:
        return [
            _("This person is already on row %(line)s of the file.") % {"line": context.seen[key]}
        ]
    context.seen[key] = row.line
    return []


def _identity_number(raw: str) -> tuple[str, str]:
    """(twelve digits, "") for a valid number, ("", why not) for an invalid one, ("", "") for
    none."""
    compact = "".join(raw.split())
    if not compact:
        return "", ""
    try:
        return pnr.normalize(compact), ""
    except pnr.PersonnummerError:
        digits = compact.replace("-", "").replace("+", "")
        if not digits.isdigit() or len(digits) not in (10, 12):
            return "", _("The personnummer must have 10 or 12 digits (YYYYMMDD-NNNN).")
        if pnr.luhn_check_digit(digits[-10:-1]) != int(digits[-1]):
            return "", _("The personnummer's check digit is wrong.")
        return "", _("The date in the personnummer does not exist.")


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def accepted_row(row: ImportRow) -> AcceptedRow:
    return AcceptedRow(
        line=row.line,
        name=f"{row.text('first_name')} {row.text('last_name')}",
        identity=pnr.mask(row.number) if row.number else f"{row.born:%Y-%m-%d}",
        municipality=f"{row.municipality.name} ({row.municipality.code})",
        municipality_is_party=row.municipality.is_party,
        intake_period=row.period.name,
        choices=tuple(f"{o.programme.name} @ {o.centre.name}" for o in row.offerings),
    )


@transaction.atomic
def application_import_row(*, acting_user: User, region: Region, row: ImportRow) -> Application:
    """Register one checked row as a submitted application without an applicant account (the
    office registers it), through the same service as an applicant's submission."""
    application = application_submit(
        acting_user=acting_user,
        region=region,
        intake_period=row.period,
        applicant=None,
        details=ApplicantDetails(
            first_name=row.text("first_name"),
            last_name=row.text("last_name"),
            birth_date=row.born,
            home_municipality=row.municipality,
            email=row.text("email"),
            phone=row.text("phone"),
            personnummer=row.number,
        ),
        offerings=row.offerings,
    )
    if not row.number:
        application.has_no_identity_number = True
        application.save(update_fields=["has_no_identity_number"])
    return application
