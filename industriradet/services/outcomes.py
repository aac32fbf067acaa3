"""Outcomes: the follow-up, about six months after the end, of every student who completed or
stopped early: employed (occupation and the employer's municipality), studying further,
job-seeking or unknown, with the dimensions of förordning (2016:937) 35-36 §§ (sex, age band,
prior education, born in or outside Sweden, time in Sweden).

Who records: the centre's coordinator, for their own centre's students (the views fetch the
enrolment through Enrolment.objects.visible_to), one at a time or as a CSV file; a region admin
may import a file for the whole region.

The rules:

- Only an enrolment that has ended (stopped early or completed) is followed up.
- Employed needs the occupation (SSYK 2012); the employer's municipality is any municipality the
  region knows (parties and non-parties), or empty for an employer abroad (Värmland borders
  Norway) or not known. Other statuses carry neither.
- The follow-up date has happened (not in the future) and is not before the end. A date far from
  six months after the end is saved with a warning: the centre may have reached the student
  earlier or later, and a late follow-up is better than none.
- Born in Sweden goes with "time in Sweden: not applicable"; born outside Sweden does not.
- One outcome per enrolment (the model is one-to-one). Recording again corrects it in place: the
  row says what is known now, and the audit log keeps what it said before and after.

Defaults offered for a new outcome (the form's initial values and an import row's empty cells):
the age band at the end date from the application's date of birth, the prior education the
applicant gave, and the legal sex from the personnummer or samordningsnummer when there is one
(its second-to-last digit: even for women). Each can be changed.

Audit data carries ids, dates and codes; never a name or an identity number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Region, Role, User
from accounts.services import audit_record
from admissions.applications.models import PriorEducation
from admissions.applications.services.import_rows import import_max_bytes, import_max_rows
from admissions.enrolment.models import Enrolment, EnrolmentStatus

# ImportFileError and ImportRefused are re-exported: the views (and callers) catch them from
# this module.
from admissions.files.tabular_import import ImportFileError as ImportFileError
from admissions.files.tabular_import import ImportRefused as ImportRefused
from admissions.files.tabular_import import csv_dataset_read
from industriradet.models import (
    AgeBand,
    Birthplace,
    OutcomeStatus,
    Sex,
    StudentOutcome,
    TimeInSweden,
)
from industriradet.services.needs import ssyk_problem
from yrkescenter.models import Municipality

# Who records outcomes one by one (their own centre), who may import a file of them (a
# coordinator for their centre, a region admin for the region), and who may read the pages.
RECORDERS = (Role.COORDINATOR,)
IMPORTERS = (Role.COORDINATOR, Role.REGION_ADMIN)
READERS = (Role.COORDINATOR, Role.REGION_ADMIN)

ENDED = (EnrolmentStatus.INTERRUPTED, EnrolmentStatus.COMPLETED)
# The follow-up is made about six months after the end...
FOLLOW_UP_AFTER = dt.timedelta(days=182)
# ...and a date more than about two months away from that is saved with a warning.
FOLLOW_UP_MARGIN = dt.timedelta(days=61)


@dataclass(frozen=True)
class OutcomeDetails:
    """What a follow-up says, as a form or an import row gives it."""

    status: str
    followed_up_on: dt.date
    ssyk_code: str = ""
    employer_municipality: Municipality | None = None
    sex: str = Sex.UNKNOWN
    age_band: str = AgeBand.UNKNOWN
    prior_education: str = ""
    birthplace: str = Birthplace.UNKNOWN
    time_in_sweden: str = TimeInSweden.UNKNOWN


@dataclass(frozen=True)
class OutcomeRecorded:
    outcome: StudentOutcome
    # "created", "updated" or "unchanged".
    change: str
    warnings: tuple[str, ...] = ()


# --- defaults -----------------------------------------------------------------------------------


def age_band_at(birth_date: dt.date | None, on: dt.date | None) -> str:
    if birth_date is None or on is None:
        return AgeBand.UNKNOWN
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 25:
        return AgeBand.UNDER_25
    if age < 35:
        return AgeBand.AGE_25_34
    if age < 45:
        return AgeBand.AGE_35_44
    if age < 55:
        return AgeBand.AGE_45_54
    return AgeBand.AGE_55_PLUS


def sex_from_identity_number(number: str) -> str:
    """Legal sex as the personnummer (or samordningsnummer) records it: its second-to-last
    digit is even for women and odd for men."""
    if len(number) != 12 or not number.isdigit():
        return Sex.UNKNOWN
    return Sex.FEMALE if int(number[10]) % 2 == 0 else Sex.MALE


def outcome_defaults(enrolment: Enrolment) -> dict:
    """What a new outcome of this enrolment starts from (the caller has loaded the application):
    every value can be changed before saving."""
    application = enrolment.application
    ends = enrolment.ended_on
    return {
        "followed_up_on": None,
        "sex": sex_from_identity_number(application.personnummer),
        "age_band": age_band_at(application.birth_date, ends),
        "prior_education": application.prior_education,
        "birthplace": Birthplace.UNKNOWN,
        "time_in_sweden": TimeInSweden.UNKNOWN,
    }


def outcome_initial(enrolment: Enrolment, outcome: StudentOutcome | None) -> dict:
    """The form's initial values: the recorded outcome, or the defaults of a new one."""
    if outcome is None:
        return outcome_defaults(enrolment)
    return {
        "status": outcome.status,
        "followed_up_on": outcome.followed_up_on,
        "ssyk_code": outcome.ssyk_code,
        "employer_municipality": outcome.employer_municipality_id,
        "sex": outcome.sex,
        "age_band": outcome.age_band,
        "prior_education": outcome.prior_education,
        "birthplace": outcome.birthplace,
        "time_in_sweden": outcome.time_in_sweden,
    }


def follow_up_due_on(enrolment: Enrolment) -> dt.date | None:
    return enrolment.ended_on + FOLLOW_UP_AFTER if enrolment.ended_on else None


# --- the rules ----------------------------------------------------------------------------------


def outcome_errors(
    enrolment: Enrolment, details: OutcomeDetails, *, region: Region, today: dt.date
) -> dict[str, list[str]]:
    """Why these details cannot be saved for this enrolment, by field (empty: they can)."""
    errors: dict[str, list[str]] = defaultdict(list)
    if enrolment.status not in ENDED or enrolment.ended_on is None:
        errors["__all__"].append(
            _("Only a student who has stopped early or completed can be followed up.")
        )
    if details.status not in OutcomeStatus.values:
        errors["status"].append(_("Choose the outcome."))
    if details.followed_up_on is None:
        errors["followed_up_on"].append(_("Enter the date of the follow-up."))
    else:
        if details.followed_up_on > today:
            errors["followed_up_on"].append(_("The follow-up date cannot be in the future."))
        if enrolment.ended_on and details.followed_up_on < enrolment.ended_on:
            errors["followed_up_on"].append(
                _("The follow-up cannot be before the studies ended (%(date)s).")
                % {"date": enrolment.ended_on.isoformat()}
            )
    if details.status == OutcomeStatus.EMPLOYED:
        if not details.ssyk_code:
            errors["ssyk_code"].append(_("Enter the occupation (SSYK 2012) of the job."))
        elif ssyk_problem(details.ssyk_code):
            # The same four-digit codes as the needs survey, so needs and jobs can be compared.
            errors["ssyk_code"].append(ssyk_problem(details.ssyk_code))
        municipality = details.employer_municipality
        if municipality is not None and municipality.region_id != region.pk:
            errors["employer_municipality"].append(_("Choose a municipality of the list."))
    if details.sex not in Sex.values:
        errors["sex"].append(_("Choose the sex."))
    if details.age_band not in AgeBand.values:
        errors["age_band"].append(_("Choose the age band."))
    if details.prior_education and details.prior_education not in PriorEducation.values:
        errors["prior_education"].append(_("Choose the prior education."))
    if details.birthplace not in Birthplace.values:
        errors["birthplace"].append(_("Choose where the student was born."))
    if details.time_in_sweden not in TimeInSweden.values:
        errors["time_in_sweden"].append(_("Choose the time in Sweden."))
    elif details.birthplace == Birthplace.SWEDEN and details.time_in_sweden not in (
        TimeInSweden.NOT_APPLICABLE,
        TimeInSweden.UNKNOWN,
    ):
        errors["time_in_sweden"].append(
            _("Time in Sweden is only asked of students born outside Sweden.")
        )
    elif (
        details.birthplace != Birthplace.SWEDEN
        and details.time_in_sweden == TimeInSweden.NOT_APPLICABLE
    ):
        errors["time_in_sweden"].append(
            _("“Born in Sweden” as time in Sweden needs born in Sweden as birthplace.")
        )
    return dict(errors)


def outcome_warnings(enrolment: Enrolment, details: OutcomeDetails) -> list[str]:
    """What is unusual but allowed: a follow-up far from six months after the end."""
    due = follow_up_due_on(enrolment)
    if due is None or details.followed_up_on is None:
        return []
    if abs(details.followed_up_on - due) > FOLLOW_UP_MARGIN:
        months = (details.followed_up_on - enrolment.ended_on).days / 30.44
        return [
            _(
                "The follow-up is usually made about six months after the end (around "
                "%(date)s); this one was made %(months)s months after."
            )
            % {"date": due.isoformat(), "months": f"{months:.0f}"}
        ]
    return []


def _normalised(details: OutcomeDetails) -> OutcomeDetails:
    """The details as stored: what does not belong to the status is cleared, and born in Sweden
    always has "not applicable" as time in Sweden, so a row says one thing."""
    if details.status != OutcomeStatus.EMPLOYED:
        details = replace(details, ssyk_code="", employer_municipality=None)
    if details.birthplace == Birthplace.SWEDEN:
        details = replace(details, time_in_sweden=TimeInSweden.NOT_APPLICABLE)
    return replace(details, ssyk_code=details.ssyk_code.strip())


_FIELDS = (
    "status",
    "followed_up_on",
    "ssyk_code",
    "employer_municipality",
    "sex",
    "age_band",
    "prior_education",
    "birthplace",
    "time_in_sweden",
)


def _state(outcome: StudentOutcome) -> dict:
    return {
        "status": outcome.status,
        "followed_up_on": outcome.followed_up_on.isoformat(),
        "ssyk_code": outcome.ssyk_code,
        "employer_municipality": outcome.employer_municipality.code
        if outcome.employer_municipality_id
        else "",
        "sex": outcome.sex,
        "age_band": outcome.age_band,
        "prior_education": outcome.prior_education,
        "birthplace": outcome.birthplace,
        "time_in_sweden": outcome.time_in_sweden,
    }


@transaction.atomic
def outcome_record(
    *,
    acting_user: User | None,
    enrolment: Enrolment,
    details: OutcomeDetails,
    source: str = "form",
) -> OutcomeRecorded:
    """Record the follow-up of `enrolment` (fetched through the acting user's scope), or correct
    the one recorded. Raises ValidationError by field; returns the outcome, whether it was
    created, updated or already said this, and the warnings."""
    # The enrolment's row is the lock: two recordings of one student queue here, and the
    # second finds the first one's outcome and corrects it.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("offering__region", "application")
        .get(pk=enrolment.pk)
    )
    region = enrolment.offering.region
    errors = outcome_errors(enrolment, details, region=region, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    details = _normalised(details)
    warnings = tuple(outcome_warnings(enrolment, details))
    outcome = (
        StudentOutcome.objects.select_related("employer_municipality")
        .filter(enrolment=enrolment)
        .first()
    )
    if outcome is None:
        outcome = StudentOutcome(enrolment=enrolment, recorded_by=acting_user)
        for name in _FIELDS:
            setattr(outcome, name, getattr(details, name))
        outcome.save()
        audit_record(
            acting_user=acting_user,
            region=region,
            action="outcome.record",
            target=outcome,
            data={"enrolment": enrolment.pk, "source": source, **_state(outcome)},
        )
        return OutcomeRecorded(outcome=outcome, change="created", warnings=warnings)
    before = _state(outcome)
    changed = [name for name in _FIELDS if getattr(outcome, name) != getattr(details, name)]
    if not changed:
        return OutcomeRecorded(outcome=outcome, change="unchanged", warnings=warnings)
    for name in changed:
        setattr(outcome, name, getattr(details, name))
    outcome.recorded_by = acting_user
    outcome.save(update_fields=[*changed, "recorded_by"])
    audit_record(
        acting_user=acting_user,
        region=region,
        action="outcome.correct",
        target=outcome,
        data={
            "enrolment": enrolment.pk,
            "source": source,
            "before": before,
            "after": _state(outcome),
        },
    )
    return OutcomeRecorded(outcome=outcome, change="updated", warnings=warnings)


def outcome_list_view_log(*, acting_user: User, membership: Membership) -> None:
    """Who opened the list of students to follow up (it names them)."""
    audit_record(
        acting_user=acting_user,
        region=membership.region,
        role=membership.role,
        action="outcome.list.view",
        target=membership.scope_centre,
    )


def outcome_view_log(*, acting_user: User, membership: Membership, enrolment: Enrolment) -> None:
    """Who opened a student's follow-up page."""
    audit_record(
        acting_user=acting_user,
        region=membership.region,
        role=membership.role,
        action="outcome.view",
        target=enrolment,
    )


# --- import -------------------------------------------------------------------------------------

IMPORT_COLUMNS = (
    "reference",
    "offering",
    "status",
    "followed_up_on",
    "ssyk",
    "employer_municipality",
    "sex",
    "age_band",
    "prior_education",
    "birthplace",
    "time_in_sweden",
)
REQUIRED_COLUMNS = ("reference", "offering", "status", "followed_up_on")
# The offering column: the programme's code and the offering's start date.
_OFFERING_KEY = re.compile(r"^(?P<programme>[-\w]+)@(?P<starts>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class AcceptedRow:
    line: int
    reference: str
    offering: str
    status: str
    followed_up_on: dt.date
    # True when the row replaces an outcome already recorded.
    replaces: bool
    warnings: tuple[str, ...] = ()


@dataclass
class ImportRow:
    """One row of an import file as read, and what it refers to once checked."""

    line: int = 0
    reference: str = ""
    offering: str = ""
    status: str = ""
    followed_up_on: str = ""
    ssyk: str = ""
    employer_municipality: str = ""
    sex: str = ""
    age_band: str = ""
    prior_education: str = ""
    birthplace: str = ""
    time_in_sweden: str = ""
    # Filled in by the check.
    enrolment: Enrolment | None = None
    details: OutcomeDetails | None = None
    replaces: bool = False
    warnings: tuple[str, ...] = ()

    def text(self, name: str) -> str:
        value = getattr(self, name)
        return "" if value is None else str(value).strip()


@dataclass
class ImportContext:
    """What the rows are checked against, loaded once per file."""

    region: Region
    today: dt.date
    municipalities: dict[str, Municipality]
    # (application reference, programme code, start date) -> the enrolments in scope.
    enrolments: dict[tuple[str, str, dt.date], list[Enrolment]]
    # Enrolment ids with an outcome already.
    recorded: set[int]
    # Enrolment id -> the line of the file that already names it.
    seen: dict[int, int] = field(default_factory=dict)


def import_dataset_read(content: bytes) -> tablib.Dataset:
    """The rows of an uploaded CSV (UTF-8 with or without a byte order mark, or the Windows
    encoding older Swedish Excel saves in; ";" or "," between cells), headers in lower case."""
    return csv_dataset_read(
        content,
        required_columns=REQUIRED_COLUMNS,
        known_columns=IMPORT_COLUMNS,
        max_bytes=import_max_bytes(),
        max_rows=import_max_rows(),
    )


def import_context_load(membership: Membership, dataset: tablib.Dataset) -> ImportContext:
    """The enrolments the rows may name: only those the importer sees (a coordinator: their
    centre's; a region admin: the region's), found by the references in the file. A handful of
    queries whatever the number of rows."""
    references = {str(value or "").strip() for value in dataset["reference"]}
    references.discard("")
    enrolments: dict[tuple[str, str, dt.date], list[Enrolment]] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.visible_to(membership)
        .filter(application__reference__in=references)
        .select_related("application", "offering__programme", "offering__centre")
        .order_by("pk")
    ):
        key = (
            enrolment.application.reference,
            enrolment.offering.programme.code,
            enrolment.offering.starts_on,
        )
        enrolments[key].append(enrolment)
    ids = [e.pk for found in enrolments.values() for e in found]
    recorded = set(
        StudentOutcome.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", flat=True)
    )
    region = membership.region
    return ImportContext(
        region=region,
        today=timezone.localdate(),
        municipalities={m.code: m for m in Municipality.objects.for_region(region)},
        enrolments=dict(enrolments),
        recorded=recorded,
    )


def _choice_value(row: ImportRow, name: str, choices, problems: list[str], label: str) -> str:
    value = row.text(name).lower()
    if value and value not in choices.values:
        problems.append(
            _("Unknown %(column)s “%(value)s”; write one of %(values)s.")
            % {"column": label, "value": row.text(name), "values": ", ".join(choices.values)}
        )
        return ""
    return value


def import_row_check(context: ImportContext, row: ImportRow) -> list[str]:
    """Why the row cannot be imported (empty when it can); resolves its enrolment and details."""
    problems: list[str] = []
    reference, key = row.text("reference"), row.text("offering")
    match = _OFFERING_KEY.match(key)
    starts = _date(match["starts"]) if match else None
    if not reference:
        problems.append(_("The row has no application reference."))
    if match is None or starts is None:
        problems.append(
            _("The offering “%(key)s” is not written programme-code@YYYY-MM-DD (its start date).")
            % {"key": key or "–"}
        )
    elif reference:
        found = context.enrolments.get((reference, match["programme"], starts), [])
        if not found:
            # The same words whether the student is elsewhere or nowhere: an importer learns
            # nothing about students outside their scope.
            problems.append(
                _(
                    "Not found: application %(reference)s has no enrolment on %(key)s that you "
                    "can follow up."
                )
                % {"reference": reference, "key": key}
            )
        elif len(found) > 1:
            problems.append(
                _(
                    "Application %(reference)s has several enrolments on %(key)s; record the "
                    "outcome on the student's page."
                )
                % {"reference": reference, "key": key}
            )
        else:
            row.enrolment = found[0]
    status = _choice_value(row, "status", OutcomeStatus, problems, "status")
    if not row.text("status"):
        problems.append(_("The row has no status."))
    followed_text = row.text("followed_up_on")
    followed_up_on = _date(followed_text)
    if followed_up_on is None:
        problems.append(_("The follow-up date must be written YYYY-MM-DD."))
    code = row.text("employer_municipality")
    municipality = None
    if code:
        municipality = context.municipalities.get(code)
        if municipality is None:
            problems.append(_("Unknown municipality code %(code)s.") % {"code": code})
    sex = _choice_value(row, "sex", Sex, problems, "sex")
    age_band = _choice_value(row, "age_band", AgeBand, problems, "age_band")
    prior = _choice_value(row, "prior_education", PriorEducation, problems, "prior_education")
    birthplace = _choice_value(row, "birthplace", Birthplace, problems, "birthplace")
    time_in_sweden = _choice_value(row, "time_in_sweden", TimeInSweden, problems, "time_in_sweden")
    if status and status != OutcomeStatus.EMPLOYED and (row.text("ssyk") or code):
        problems.append(_("Occupation and employer's municipality are only given for employed."))
    if row.enrolment is None or not status or followed_up_on is None or problems:
        return problems
    enrolment = row.enrolment
    if enrolment.pk in context.seen:
        return [
            _("This student is already on row %(line)s of the file.")
            % {"line": context.seen[enrolment.pk]}
        ]
    context.seen[enrolment.pk] = row.line
    # Empty cells take the same defaults as the form.
    defaults = outcome_defaults(enrolment)
    details = OutcomeDetails(
        status=status,
        followed_up_on=followed_up_on,
        ssyk_code=row.text("ssyk"),
        employer_municipality=municipality,
        sex=sex or defaults["sex"],
        age_band=age_band or defaults["age_band"],
        prior_education=prior or defaults["prior_education"],
        birthplace=birthplace or defaults["birthplace"],
        time_in_sweden=time_in_sweden
        or (
            TimeInSweden.NOT_APPLICABLE
            if birthplace == Birthplace.SWEDEN
            else defaults["time_in_sweden"]
        ),
    )
    errors = outcome_errors(enrolment, details, region=context.region, today=context.today)
    problems = [message for messages in errors.values() for message in messages]
    if not problems:
        details = _normalised(details)
        row.details = details
        row.replaces = enrolment.pk in context.recorded
        row.warnings = tuple(outcome_warnings(enrolment, details))
    return problems


def _date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def accepted_row(row: ImportRow) -> AcceptedRow:
    enrolment = row.enrolment
    return AcceptedRow(
        line=row.line,
        reference=enrolment.application.reference,
        offering=f"{enrolment.offering.programme.name} · {enrolment.offering.centre.name} "
        f"({enrolment.offering.starts_on:%Y-%m-%d})",
        status=str(OutcomeStatus(row.details.status).label),
        followed_up_on=row.details.followed_up_on,
        replaces=row.replaces,
        warnings=row.warnings,
    )


def outcome_import_row(*, acting_user: User, row: ImportRow) -> StudentOutcome:
    return outcome_record(
        acting_user=acting_user, enrolment=row.enrolment, details=row.details, source="import"
    ).outcome
