"""Write services of the validation centre: cases, mapping, appointments, results, sign-offs
and the decision. Each owns its transaction and writes the audit log against the case (never
with the person's identity number).

A result is a decision record: a correction adds a row that replaces the latest one. Which
results count is defined in validation.selectors (result_is_final). A decided case credits the
courses of its final results to the application's study path through admissions' service; a
later correction or sign-off syncs those credits again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Region, Role, User
from accounts.region_files import RegionDataError, reported_as
from accounts.services import audit_record, upsert
from admissions.applications import personnummer as pnr
from admissions.applications.models import Application, ApplicationStatus, personnummer_message
from admissions.enrolment.credits import study_path_credits_sync
from admissions.rounds.letters import letter_language
from validation.models import (
    Appointment,
    AreaResult,
    CaseArea,
    CaseSource,
    CaseStatus,
    CompetenceArea,
    CompetenceStandard,
    Method,
    Outcome,
    SignOff,
    ValidationCase,
    ValidationCentre,
)
from validation.selectors import area_standings, final_credited_courses
from yrkescenter.models import Course, Municipality

OPEN_STATUSES = (CaseStatus.MAPPING, CaseStatus.ASSESSMENT)
REFERENCE_PREFIX = "VAL"
# Sources of a case opened directly, without an application.
DIRECT_SOURCES = (CaseSource.ARBETSFORMEDLINGEN, CaseSource.EMPLOYER, CaseSource.SELF)


# --- the region's centre and standards, as the region data file gives them --------------------


@dataclass(frozen=True)
class CentreData:
    name: str
    host_municipality: str  # municipality code
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class AreaData:
    code: str
    name: str
    method: str
    courses: tuple[str, ...]  # course codes of the region's catalogue
    name_en: str = ""


@dataclass(frozen=True)
class StandardData:
    code: str
    name: str
    branch: str
    four_eyes: bool
    areas: tuple[AreaData, ...]
    name_en: str = ""
    owner: str = ""
    description: str = ""


@dataclass(frozen=True)
class ValidationData:
    centre: CentreData | None = None
    standards: tuple[StandardData, ...] = ()


@transaction.atomic
def validation_load(*, acting_user: User | None, region: Region, data: ValidationData) -> int:
    """Create or update the region's validation centre and standards (areas in the given order,
    each mapped to exactly the given courses). Returns how many rows were created or changed;
    loading the same data again changes nothing. Standards and areas the data no longer names
    are kept: cases refer to them."""
    changes = 0
    if data.centre is not None:
        where = "validation.centre"
        municipality = (
            Municipality.objects.for_region(region)
            .filter(code=data.centre.host_municipality)
            .first()
        )
        if municipality is None:
            raise RegionDataError(
                f"{where}: unknown municipality code {data.centre.host_municipality}"
            )
        with reported_as(where):
            changes += _audited(
                acting_user,
                region,
                "validation_centre.upsert",
                ValidationCentre,
                lookup={"region": region},
                values={
                    "name": data.centre.name,
                    "host_municipality": municipality,
                    "address": data.centre.address,
                    "email": data.centre.email,
                },
            )[1]
    courses = {course.code: course for course in Course.objects.for_region(region)}
    for item in data.standards:
        where = f"validation.standards[{item.code}]"
        with reported_as(where):
            standard, changed = _audited(
                acting_user,
                region,
                "validation_standard.upsert",
                CompetenceStandard,
                lookup={"region": region, "code": item.code},
                values={
                    "name": item.name,
                    "name_en": item.name_en,
                    "branch": item.branch,
                    "owner": item.owner,
                    "description": item.description,
                    "four_eyes": item.four_eyes,
                },
            )
        changes += changed
        for position, area_item in enumerate(item.areas, start=1):
            area_where = f"{where}.areas[{area_item.code}]"
            unknown = [code for code in area_item.courses if code not in courses]
            if unknown:
                raise RegionDataError(
                    f"{area_where}: unknown course code {', '.join(unknown)} (not in the "
                    "region's catalogue)"
                )
            with reported_as(area_where):
                area, area_changes = upsert(
                    CompetenceArea,
                    lookup={"standard": standard, "code": area_item.code},
                    values={
                        "name": area_item.name,
                        "name_en": area_item.name_en,
                        "method": area_item.method,
                        "position": position,
                    },
                )
            wanted = {courses[code].pk for code in area_item.courses}
            if set(area.courses.values_list("pk", flat=True)) != wanted:
                area.courses.set(wanted)
                area_changes["courses"] = sorted(area_item.courses)
            if area_changes:
                audit_record(
                    acting_user=acting_user,
                    region=region,
                    action="validation_area.upsert",
                    target=area,
                    data=area_changes,
                )
                changes += 1
    return changes


def _audited(acting_user, region, action, model, *, lookup, values):
    row, changes = upsert(model, lookup=lookup, values=values)
    if changes:
        audit_record(
            acting_user=acting_user, region=region, action=action, target=row, data=changes
        )
    return row, bool(changes)


# --- opening a case --------------------------------------------------------------------------


def reference_prefix(year: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-"


def _next_reference(region: Region) -> str:
    """VAL-2026-0001: numbered per region and calendar year of opening. The caller holds the
    region's row lock, so two cases opened at once cannot take the same number."""
    prefix = reference_prefix(timezone.localdate().year)
    last = (
        ValidationCase.objects.filter(region=region, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _lock_region(region: Region) -> None:
    # Serialises reference numbers between concurrent openings (a no-op on SQLite, which
    # serialises writers anyway).
    Region.objects.select_for_update().filter(pk=region.pk).first()


def _create_case(region: Region, **values) -> ValidationCase:
    _lock_region(region)
    case = ValidationCase(region=region, reference=_next_reference(region), **values)
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as error:
        # Only reachable if the lock was bypassed; say so instead of a server error.
        raise ValidationError(_("Another case took that reference; please try again.")) from error
    return case


def _check_standard(region: Region, standard: CompetenceStandard) -> None:
    if standard.region_id != region.pk:
        raise ValidationError({"standard": _("Choose a standard of the region.")})


@transaction.atomic
def case_open_from_application(
    *, acting_user: User, application: Application, standard: CompetenceStandard
) -> ValidationCase:
    """Open a case from an application's validation request, copying who the person is."""
    if not application.validation_requested:
        raise ValidationError(_("The application does not ask for validation."))
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted application can open a validation case."))
    _check_standard(application.region, standard)
    if application.validation_cases.filter(standard=standard, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("The application already has an open case against %(standard)s.")
            % {"standard": standard.name}
        )
    case = _create_case(
        application.region,
        standard=standard,
        source=CaseSource.APPLICATION,
        application=application,
        person=application.applicant,
        first_name=application.first_name,
        last_name=application.last_name,
        personnummer=application.personnummer,
        email=application.email,
        home_municipality=application.home_municipality,
        description=application.validation_description,
        language=letter_language(application),
        requested_at=application.submitted_at or timezone.now(),
        opened_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_case.open",
        target=case,
        data={"source": case.source, "standard": standard.code, "application": application.pk},
    )
    return case


@transaction.atomic
def case_open(
    *,
    acting_user: User,
    region: Region,
    standard: CompetenceStandard,
    source: str,
    first_name: str,
    last_name: str,
    personnummer: str = "",
    email: str = "",
    home_municipality: Municipality | None = None,
    referrer: str = "",
    description: str = "",
    language: str = "sv",
    person: User | None = None,
    requested_at: dt.datetime | None = None,
) -> ValidationCase:
    """Open a case directly: a referral from Arbetsförmedlingen, an employer upskilling staff,
    or the person's own request. The identity number, when given, is checked and stored as
    twelve digits."""
    errors: dict[str, list[str]] = {}
    if source not in DIRECT_SOURCES:
        errors.setdefault("source", []).append(
            _("A case from an application is opened from the application.")
        )
    if source in (CaseSource.ARBETSFORMEDLINGEN, CaseSource.EMPLOYER) and not referrer.strip():
        errors.setdefault("referrer", []).append(_("Name the referring office or the employer."))
    if home_municipality is not None and home_municipality.region_id != region.pk:
        errors.setdefault("home_municipality", []).append(_("Choose a municipality of the region."))
    number = ""
    if personnummer.strip():
        try:
            number = pnr.normalize(personnummer)
        except pnr.PersonnummerError as error:
            errors.setdefault("personnummer", []).append(personnummer_message(error))
    if standard.region_id != region.pk:
        errors.setdefault("standard", []).append(_("Choose a standard of the region."))
    if errors:
        raise ValidationError(errors)
    if person is None:
        person = _verified_applicant(region, email)
    case = _create_case(
        region,
        standard=standard,
        source=source,
        person=person,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        personnummer=number,
        email=email.strip(),
        home_municipality=home_municipality,
        referrer=referrer.strip(),
        description=description.strip(),
        language=language,
        requested_at=requested_at or timezone.now(),
        opened_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        region=region,
        action="validation_case.open",
        target=case,
        data={"source": source, "standard": standard.code, "person": case.person_id},
    )
    return case


# --- linking a directly opened case to the person's account ----------------------------------


def _any_address(addresses) -> Q:
    """Matches any of the addresses, ignoring case (people type capitals; allauth does not)."""
    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(email__iexact=address)
    return condition


def _uncontested(addresses: set[str], user: User | None = None) -> set[str]:
    """The addresses (lower case) that no account but `user` has verified. An address two
    accounts have verified (allauth keeps one per spelling, but older data may differ in
    case) proves neither owner, so it links nobody."""
    owners: dict[str, set[int]] = {}
    for address, owner in EmailAddress.objects.filter(
        _any_address(addresses), verified=True
    ).values_list("email", "user_id"):
        owners.setdefault(address.strip().lower(), set()).add(owner)
    return {
        address
        for address, users in owners.items()
        if len(users) == 1 and (user is None or users == {user.pk})
    }


def _verified_applicant(region: Region, email: str) -> User | None:
    """The region's applicant who has verified this e-mail address, or None. Only a verified
    address proves that the account belongs to the person the centre wrote down; a typed
    address alone could hand someone else's case (and certificate) to whoever registered it."""
    address = email.strip().lower()
    if not address or not _uncontested({address}):
        return None
    return User.objects.filter(
        emailaddress__email__iexact=address,
        emailaddress__verified=True,
        memberships__region=region,
        memberships__role=Role.APPLICANT,
    ).first()


@transaction.atomic
def cases_claim(*, user: User, region: Region) -> list[ValidationCase]:
    """Link the region's unlinked cases whose e-mail address is one the user has verified to
    the user, so a case opened directly (a referral, an employer, the person's own request)
    reaches the person's page once they sign in. A case linked to anyone is never re-linked,
    and an unverified address links nothing. Idempotent: a second call finds nothing left to
    link. Returns the cases linked now."""
    if not Membership.objects.filter(user=user, region=region, role=Role.APPLICANT).exists():
        return []
    verified = {
        address.strip().lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    } - {""}
    addresses = _uncontested(verified, user) if verified else set()
    if not addresses:
        return []
    # Locked and filtered in one query: a case another request links meanwhile is no longer
    # unlinked when the lock is granted, so it is left alone.
    cases = list(
        ValidationCase.objects.select_for_update(of=("self",))
        .for_region(region)
        .filter(_any_address(addresses), person__isnull=True)
        .order_by("pk")
    )
    for case in cases:
        case.person = user
        case.save(update_fields=["person"])
        audit_record(
            acting_user=user,
            region=region,
            action="validation_case.claim",
            target=case,
            role=Role.APPLICANT,
            data={"case": case.pk, "person": user.pk},
        )
    return cases


# --- the steps -------------------------------------------------------------------------------


def _locked(case: ValidationCase) -> ValidationCase:
    """The case's row, locked for the rest of the transaction, so concurrent steps on one case
    run one after another and each sees the other's result."""
    return (
        ValidationCase.objects.select_for_update(of=("self",))
        .select_related("standard", "region", "application")
        .get(pk=case.pk)
    )


def _require_open(case: ValidationCase) -> None:
    if case.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The case is %(status)s; it can no longer be changed this way.")
            % {"status": case.get_status_display().lower()}
        )


def is_assessor(user: User, region: Region) -> bool:
    return Membership.objects.filter(user=user, region=region, role=Role.ASSESSOR).exists()


def _require_assessor(user: User, region: Region, field: str | None = None) -> None:
    if not is_assessor(user, region):
        message = _("Only a validation assessor of the region can do this.")
        raise ValidationError({field: message} if field else message)


@transaction.atomic
def case_assign(*, acting_user: User, case: ValidationCase, assessor: User) -> ValidationCase:
    """Make an assessor of the region responsible for the case."""
    case = _locked(case)
    _require_open(case)
    _require_assessor(assessor, case.region, "assessor")
    if case.assessor_id != assessor.pk:
        case.assessor = assessor
        case.save(update_fields=["assessor"])
        audit_record(
            acting_user=acting_user,
            region=case.region,
            action="validation_case.assign",
            target=case,
            data={"assessor": assessor.pk},
        )
    return case


@transaction.atomic
def case_map(
    *,
    acting_user: User,
    case: ValidationCase,
    areas: Iterable[CompetenceArea],
    notes: Mapping[int, str] | None = None,
) -> ValidationCase:
    """The mapping step: which areas of the standard the case will assess (with a note per
    area, keyed by area id). Moves the case to assessment. It can be mapped again during the
    assessment, but an area that has a result stays."""
    case = _locked(case)
    _require_open(case)
    notes = notes or {}
    areas = {area.pk: area for area in areas}
    if not areas:
        raise ValidationError({"areas": _("Choose at least one competence area to assess.")})
    if any(area.standard_id != case.standard_id for area in areas.values()):
        raise ValidationError({"areas": _("Choose areas of the case's standard.")})
    assessed = set(case.results.values_list("area_id", flat=True))
    kept_back = CompetenceArea.objects.filter(pk__in=assessed - set(areas)).order_by("position")
    if kept_back:
        raise ValidationError(
            {
                "areas": _("These areas already have a result and stay mapped: %(areas)s.")
                % {"areas": ", ".join(area.name for area in kept_back)}
            }
        )
    existing = {item.area_id: item for item in case.areas.all()}
    CaseArea.objects.filter(case=case).exclude(area_id__in=areas).delete()
    changed_notes = []
    for area_id, item in existing.items():
        note = notes.get(area_id, "").strip()
        if area_id in areas and item.mapping_note != note:
            item.mapping_note = note
            changed_notes.append(item)
    CaseArea.objects.bulk_update(changed_notes, ["mapping_note"])
    CaseArea.objects.bulk_create(
        CaseArea(case=case, area_id=area_id, mapping_note=notes.get(area_id, "").strip())
        for area_id in sorted(set(areas) - set(existing))
    )
    if case.status == CaseStatus.MAPPING:
        case.status = CaseStatus.ASSESSMENT
        case.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_case.map",
        target=case,
        data={"areas": sorted(area.code for area in areas.values())},
    )
    return case


@transaction.atomic
def appointment_book(
    *,
    acting_user: User,
    case: ValidationCase,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    method: str,
    assessor: User,
    area: CompetenceArea | None = None,
) -> Appointment:
    """Book an assessment: date and time, place, method and an assessor of the region, who must
    not already have an appointment overlapping it. The first booked assessor becomes the case's
    responsible assessor when it has none."""
    case = _locked(case)
    _require_open(case)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The appointment must end after it starts."))
    if method not in Method.values:
        errors.setdefault("method", []).append(_("Choose a method."))
    if not place.strip():
        errors.setdefault("place", []).append(_("Say where the assessment takes place."))
    if area is not None and not case.areas.filter(area=area).exists():
        errors.setdefault("area", []).append(_("Choose an area mapped for this case."))
    if not is_assessor(assessor, case.region):
        errors.setdefault("assessor", []).append(_("Choose a validation assessor of the region."))
    if errors:
        raise ValidationError(errors)
    # Locks the assessor's row so two bookings of the same assessor at once cannot both pass
    # the overlap check.
    User.objects.select_for_update().filter(pk=assessor.pk).first()
    clash = (
        Appointment.objects.filter(
            assessor=assessor,
            cancelled_at__isnull=True,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("case")
        .first()
    )
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise ValidationError(
            {
                "assessor": _("%(assessor)s already has an appointment then (%(case)s, %(start)s).")
                % {
                    "assessor": str(assessor),
                    "case": clash.case.reference,
                    "start": local.strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
    appointment = Appointment(
        case=case,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        method=method,
        assessor=assessor,
        created_by=acting_user,
    )
    appointment.full_clean()
    appointment.save()
    if case.assessor_id is None:
        case.assessor = assessor
        case.save(update_fields=["assessor"])
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_appointment.book",
        target=case,
        data={
            "appointment": appointment.pk,
            "assessor": assessor.pk,
            "starts_at": starts_at.isoformat(),
            "method": method,
        },
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, acting_user: User, appointment: Appointment, reason: str = ""
) -> Appointment:
    """Cancel an appointment; it stays in the case's list, marked as cancelled."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("case__region")
        .get(pk=appointment.pk)
    )
    if appointment.cancelled_at is not None:
        raise ValidationError(_("The appointment is already cancelled."))
    appointment.cancelled_at = timezone.now()
    appointment.save(update_fields=["cancelled_at"])
    audit_record(
        acting_user=acting_user,
        region=appointment.case.region,
        action="validation_appointment.cancel",
        target=appointment.case,
        data={"appointment": appointment.pk, "reason": reason.strip()},
    )
    return appointment


# --- results ---------------------------------------------------------------------------------


def _credited(
    area: CompetenceArea, outcome: str, credited_courses: Iterable[Course]
) -> list[Course]:
    """The courses a result credits: all the area's for validated, a chosen part of them for
    partly, none for not validated."""
    area_courses = {course.pk: course for course in area.courses.all()}
    chosen = {course.pk: course for course in credited_courses}
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if set(chosen) - set(area_courses):
        raise ValidationError(
            {"credited_courses": _("Choose only courses that the area can replace.")}
        )
    if outcome == Outcome.VALIDATED:
        return list(area_courses.values())
    if outcome == Outcome.NOT_VALIDATED:
        if chosen:
            raise ValidationError(
                {"credited_courses": _("An area that is not validated credits no course.")}
            )
        return []
    if not chosen:
        raise ValidationError(
            {"credited_courses": _("Choose the courses the partly validated area credits.")}
        )
    if set(chosen) == set(area_courses):
        raise ValidationError(
            {
                "credited_courses": _(
                    "To credit all the area's courses, record the area as validated."
                )
            }
        )
    return list(chosen.values())


def _result_data(result: AreaResult, courses: Sequence[Course]) -> dict:
    return {
        "result": result.pk,
        "area": result.area.code,
        "outcome": result.outcome,
        "method": result.method,
        "credited": sorted(course.code for course in courses),
    }


@transaction.atomic
def result_record(
    *,
    acting_user: User,
    case: ValidationCase,
    area: CompetenceArea,
    outcome: str,
    credited_courses: Iterable[Course] = (),
    evidence: str,
    method: str,
) -> AreaResult:
    """Record the first result of a mapped area, with the evidence and method; the acting
    assessor is its assessor. A later change is a correction (result_correct)."""
    case = _locked(case)
    if case.status != CaseStatus.ASSESSMENT:
        raise ValidationError(
            _("Results are recorded while the case is in assessment; correct a decided result.")
        )
    _require_assessor(acting_user, case.region)
    if not case.areas.filter(area=area).exists():
        raise ValidationError({"area": _("Choose an area mapped for this case.")})
    if case.results.filter(area=area).exists():
        raise ValidationError(
            _("%(area)s already has a result; correct it instead.") % {"area": area.name}
        )
    errors = {}
    if not evidence.strip():
        errors["evidence"] = _("Describe the evidence the result rests on.")
    if method not in Method.values:
        errors["method"] = _("Choose a method.")
    if errors:
        raise ValidationError(errors)
    courses = _credited(area, outcome, credited_courses)
    result = AreaResult.objects.create(
        case=case,
        area=area,
        outcome=outcome,
        evidence=evidence.strip(),
        method=method,
        assessor=acting_user,
    )
    result.credited_courses.set(courses)
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_result.record",
        target=case,
        data=_result_data(result, courses),
    )
    return result


@transaction.atomic
def result_correct(
    *,
    acting_user: User,
    result: AreaResult,
    outcome: str,
    credited_courses: Iterable[Course] = (),
    evidence: str,
    reason: str,
    method: str | None = None,
) -> AreaResult:
    """Correct the current result of an area: a new record that replaces it (the old one stays
    in the history). Under four eyes the correction needs a sign-off of its own before it counts;
    on a decided case the credits follow at once."""
    case = _locked(result.case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is closed; its results cannot be corrected."))
    _require_assessor(acting_user, case.region)
    result = AreaResult.objects.select_for_update().select_related("area").get(pk=result.pk)
    if AreaResult.objects.filter(replaces=result).exists():
        raise ValidationError(_("This result was already corrected; correct the latest one."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the result is corrected.")
    if not evidence.strip():
        errors["evidence"] = _("Describe the evidence the result rests on.")
    method = method or result.method
    if method not in Method.values:
        errors["method"] = _("Choose a method.")
    if errors:
        raise ValidationError(errors)
    courses = _credited(result.area, outcome, credited_courses)
    correction = AreaResult.objects.create(
        case=case,
        area=result.area,
        outcome=outcome,
        evidence=evidence.strip(),
        method=method,
        assessor=acting_user,
        replaces=result,
        correction_reason=reason.strip(),
    )
    correction.credited_courses.set(courses)
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_result.correct",
        target=case,
        data={**_result_data(correction, courses), "replaces": result.pk},
    )
    if case.status == CaseStatus.DECIDED:
        _sync_credits(acting_user, case, reason=reason.strip())
    return correction


@transaction.atomic
def result_sign_off(*, acting_user: User, result: AreaResult, note: str = "") -> SignOff:
    """A second assessor's sign-off of a result under four eyes: never the result's own
    assessor, and only the current result of the area."""
    case = _locked(result.case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is closed."))
    result = AreaResult.objects.select_for_update().get(pk=result.pk)
    if not case.standard.four_eyes:
        raise ValidationError(_("This standard does not need a second assessor's sign-off."))
    if result.assessor_id == acting_user.pk:
        raise ValidationError(_("A second assessor must sign off; you recorded this result."))
    _require_assessor(acting_user, case.region)
    if AreaResult.objects.filter(replaces=result).exists():
        raise ValidationError(_("This result was corrected; sign off the latest one."))
    if SignOff.objects.filter(result=result).exists():
        raise ValidationError(_("This result is already signed off."))
    sign_off = SignOff.objects.create(result=result, assessor=acting_user, note=note.strip())
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_result.sign_off",
        target=case,
        data={"result": result.pk, "area": result.area.code},
    )
    if case.status == CaseStatus.DECIDED:
        _sync_credits(acting_user, case)
    return sign_off


# --- deciding and closing --------------------------------------------------------------------


@transaction.atomic
def case_decide(*, acting_user: User, case: ValidationCase) -> ValidationCase:
    """Decide the case once every mapped area has a result that counts (under four eyes: signed
    off by a second assessor). Credits the final results' courses to the application's study
    path; a case without an application credits nothing."""
    case = _locked(case)
    if case.status != CaseStatus.ASSESSMENT:
        if case.status == CaseStatus.MAPPING:
            raise ValidationError(_("Map the areas to assess before deciding the case."))
        _require_open(case)
    standings = area_standings(case)
    if not standings:
        raise ValidationError(_("Map the areas to assess before deciding the case."))
    without_result = [s.area.name for s in standings if s.result is None]
    unsigned = [s.area.name for s in standings if s.awaiting_sign_off]
    problems = []
    if without_result:
        problems.append(
            _("These areas have no result yet: %(areas)s.") % {"areas": ", ".join(without_result)}
        )
    if unsigned:
        problems.append(
            _("These results need a second assessor's sign-off: %(areas)s.")
            % {"areas": ", ".join(unsigned)}
        )
    if problems:
        raise ValidationError(" ".join(problems))
    case.status = CaseStatus.DECIDED
    case.decided_at = timezone.now()
    case.save(update_fields=["status", "decided_at"])
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_case.decide",
        target=case,
        data={
            "outcomes": {s.area.code: s.result.outcome for s in standings},
        },
    )
    _sync_credits(acting_user, case)
    return case


def _sync_credits(acting_user: User, case: ValidationCase, reason: str = "") -> None:
    if case.application_id is None:
        return
    study_path_credits_sync(
        acting_user=acting_user,
        application=case.application,
        courses=final_credited_courses(case),
        source_reference=case.reference,
        reason=reason,
    )


@transaction.atomic
def case_close(*, acting_user: User, case: ValidationCase, reason: str) -> ValidationCase:
    """Close a case without a result (the person withdrew, did not come...). Its future
    appointments are cancelled."""
    case = _locked(case)
    _require_open(case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is closed.")})
    now = timezone.now()
    cancelled = case.appointments.filter(cancelled_at__isnull=True, starts_at__gt=now).update(
        cancelled_at=now
    )
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_case.close",
        target=case,
        data={"reason": reason.strip(), "appointments_cancelled": cancelled},
    )
    return case


def case_view_log(*, acting_user: User, case: ValidationCase, role: str) -> None:
    """Who opened which case (a GET may write only '.view' entries)."""
    audit_record(
        acting_user=acting_user,
        region=case.region,
        action="validation_case.view",
        target=case,
        role=role,
    )
