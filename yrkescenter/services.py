"""Write services of the regional structure: each owns its transaction and writes the audit log
only when something changed, so loading the same reference data twice is a no-op."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import Region, TieBreak, User
from accounts.region_files import RegionDataError, reported_as
from accounts.services import audit_record, upsert
from yrkescenter.grants import CENT, places_for
from yrkescenter.models import (
    Agreement,
    Allocation,
    AllocationLine,
    CofinancingCommitment,
    Course,
    EarlyStopRule,
    GrantRate,
    GrantYear,
    IntakeOffice,
    IntakePeriod,
    Municipality,
    Offering,
    Pace,
    Price,
    PriceUnit,
    Programme,
    ProgrammeCourse,
    Sector,
    Yrkescenter,
)
from yrkescenter.selectors import current_commitments, grant_year_offerings

# --- What a region's structure is made of, as the loader reads it --------------------------------


@dataclass(frozen=True)
class MunicipalityData:
    code: str
    name: str


@dataclass(frozen=True)
class CentreData:
    slug: str
    name: str
    host_municipality: str
    orientation: str = ""
    address: str = ""


@dataclass(frozen=True)
class IntakeOfficeData:
    name: str
    host_municipality: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PriceData:
    programme: str  # the programme's code
    unit: str  # a PriceUnit value
    amount: Decimal


@dataclass(frozen=True)
class AgreementData:
    name: str
    valid_from: dt.date
    parties: tuple[str, ...]
    valid_until: dt.date | None = None
    early_stop_rule: str = EarlyStopRule.FULL_COURSE
    prices: tuple[PriceData, ...] = ()


@dataclass(frozen=True)
class CourseData:
    code: str
    name: str
    points: int


@dataclass(frozen=True)
class ProgrammeData:
    code: str
    name: str
    vp: int
    grant_category: str
    ssyk_code: str
    occupation: str
    courses: tuple[str, ...]
    name_en: str = ""
    description: str = ""
    sector: str = Sector.INDUSTRY


@dataclass(frozen=True)
class GrantYearData:
    year: int
    sector: str
    granted_places: Decimal
    granted_amount: Decimal
    cofinancing_municipal: int
    cofinancing_state: int
    decision_reference: str = ""
    # (grant category, SEK per årsstudieplats)
    rates: tuple[tuple[str, Decimal], ...] = ()
    # (kommunkod, committed co-financed places)
    commitments: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class RegionStructure:
    # The region's own municipalities: the parties to its agreement.
    municipalities: tuple[MunicipalityData, ...] = ()
    # Every municipality of the country, so an applicant may live anywhere; None when the region
    # file names no national list (then only the parties are loaded).
    national_municipalities: tuple[MunicipalityData, ...] | None = None
    centres: tuple[CentreData, ...] = ()
    intake_office: IntakeOfficeData | None = None
    agreements: tuple[AgreementData, ...] = ()
    courses: tuple[CourseData, ...] = ()
    programmes: tuple[ProgrammeData, ...] = field(default_factory=tuple)
    grant_years: tuple[GrantYearData, ...] = ()


@transaction.atomic
def region_structure_load(
    *, acting_user: User | None, region: Region, structure: RegionStructure
) -> int:
    """Create or update the region's municipalities, centres, intake office, agreements, courses,
    programmes, the agreements' price lists and the grant years. Returns how many of them were
    created or changed.

    Rows the data does not mention are kept: removing a centre or a programme is a decision for
    the region admin, not a side effect of a shorter file.
    """
    changes = 0
    municipalities = {m.code: m for m in Municipality.objects.for_region(region)}

    def municipality(code: str, where: str) -> Municipality:
        if code not in municipalities:
            raise RegionDataError(f"{where}: unknown municipality code {code}")
        return municipalities[code]

    for item in structure.municipalities:
        with reported_as(f"yrkescenter.municipalities[{item.code}]"):
            row, changed = municipality_upsert(
                acting_user=acting_user,
                region=region,
                code=item.code,
                name=item.name,
                is_party=True,
            )
        municipalities[row.code] = row
        changes += changed
    if structure.national_municipalities is not None:
        changes += municipalities_national_sync(
            acting_user=acting_user,
            region=region,
            municipalities=structure.national_municipalities,
            party_codes={item.code for item in structure.municipalities},
        )
        municipalities = {m.code: m for m in Municipality.objects.for_region(region)}
    for item in structure.centres:
        where = f"yrkescenter.centres[{item.slug}]"
        with reported_as(where):
            _, changed = centre_upsert(
                acting_user=acting_user,
                region=region,
                slug=item.slug,
                name=item.name,
                host_municipality=municipality(item.host_municipality, where),
                orientation=item.orientation,
                address=item.address,
            )
        changes += changed
    if structure.intake_office is not None:
        item = structure.intake_office
        where = "yrkescenter.intake_office"
        with reported_as(where):
            _, changed = intake_office_upsert(
                acting_user=acting_user,
                region=region,
                name=item.name,
                host_municipality=municipality(item.host_municipality, where),
                email=item.email,
                phone=item.phone,
            )
        changes += changed
    for item in structure.agreements:
        where = f"yrkescenter.agreements[{item.name}]"
        with reported_as(where):
            _, changed = agreement_upsert(
                acting_user=acting_user,
                region=region,
                name=item.name,
                valid_from=item.valid_from,
                valid_until=item.valid_until,
                parties=[municipality(code, where) for code in item.parties],
                early_stop_rule=item.early_stop_rule,
            )
        changes += changed
    courses = {c.code: c for c in Course.objects.for_region(region)}
    for item in structure.courses:
        with reported_as(f"yrkescenter.courses[{item.code}]"):
            row, changed = course_upsert(
                acting_user=acting_user,
                region=region,
                code=item.code,
                name=item.name,
                points=item.points,
            )
        courses[row.code] = row
        changes += changed
    for item in structure.programmes:
        where = f"yrkescenter.programmes[{item.code}]"
        unknown = [code for code in item.courses if code not in courses]
        if unknown:
            raise RegionDataError(f"{where}: unknown course code {', '.join(unknown)}")
        with reported_as(where):
            _, changed = programme_upsert(
                acting_user=acting_user,
                region=region,
                code=item.code,
                name=item.name,
                name_en=item.name_en,
                description=item.description,
                vp=item.vp,
                grant_category=item.grant_category,
                ssyk_code=item.ssyk_code,
                occupation=item.occupation,
                courses=[courses[code] for code in item.courses],
                sector=item.sector,
            )
        changes += changed
    # Prices name programmes, so they come after them.
    programmes = {p.code: p for p in Programme.objects.for_region(region)}
    for item in structure.agreements:
        if not item.prices:
            continue
        agreement = Agreement.objects.for_region(region).get(name=item.name)
        for price in item.prices:
            where = f"yrkescenter.agreements[{item.name}].prices[{price.programme}]"
            if price.programme not in programmes:
                raise RegionDataError(f"{where}: unknown programme code {price.programme}")
            with reported_as(where):
                _, changed = price_upsert(
                    acting_user=acting_user,
                    agreement=agreement,
                    programme=programmes[price.programme],
                    unit=price.unit,
                    amount=price.amount,
                )
            changes += changed
    for item in structure.grant_years:
        where = f"yrkescenter.grant_years[{item.year} {item.sector}]"
        with reported_as(where):
            _, changed = grant_year_upsert(
                acting_user=acting_user,
                region=region,
                year=item.year,
                sector=item.sector,
                granted_places=item.granted_places,
                granted_amount=item.granted_amount,
                cofinancing_municipal=item.cofinancing_municipal,
                cofinancing_state=item.cofinancing_state,
                decision_reference=item.decision_reference,
                rates=dict(item.rates),
                commitments={
                    municipality(code, where): places for code, places in item.commitments
                },
            )
        changes += changed
    return changes


# --- One thing at a time ------------------------------------------------------------------------


def _audited_upsert(
    model: type[models.Model],
    *,
    acting_user: User | None,
    region: Region,
    action: str,
    lookup: dict[str, Any],
    values: dict[str, Any],
) -> tuple[Any, bool]:
    row, changes = upsert(model, lookup=lookup, values=values)
    if changes:
        audit_record(
            acting_user=acting_user, region=region, action=action, target=row, data=changes
        )
    return row, bool(changes)


def _same_region(region: Region, *rows: models.Model) -> None:
    for row in rows:
        if row.region_id != region.pk:
            raise ValueError(f"{row._meta.verbose_name} {row} belongs to another region")


@transaction.atomic
def municipality_upsert(
    *, acting_user: User | None, region: Region, code: str, name: str, is_party: bool = True
) -> tuple[Municipality, bool]:
    return _audited_upsert(
        Municipality,
        acting_user=acting_user,
        region=region,
        action="municipality.upsert",
        lookup={"region": region, "code": code},
        values={"name": name, "is_party": is_party},
    )


@transaction.atomic
def municipalities_national_sync(
    *,
    acting_user: User | None,
    region: Region,
    municipalities: tuple[MunicipalityData, ...],
    party_codes: set[str],
) -> int:
    """Give the region every municipality of the national list that is not one of its parties,
    marked as not party to the agreement (their residents need their own municipality's cost
    commitment). A former party that is no longer in the region's list becomes a non-party.

    The parties themselves are left to municipality_upsert. Rows are written in bulk, with one
    audit entry for the whole list, because a region gets some 275 of them at once. Returns how
    many rows were created or changed; a second run with the same list changes nothing.
    """
    existing = {m.code: m for m in Municipality.objects.for_region(region)}
    to_create: list[Municipality] = []
    to_update: list[Municipality] = []
    for item in municipalities:
        if item.code in party_codes:
            continue
        row = existing.get(item.code)
        if row is None:
            row = Municipality(region=region, code=item.code, name=item.name, is_party=False)
            row.full_clean(exclude=["region"], validate_unique=False)
            to_create.append(row)
        elif row.name != item.name or row.is_party:
            row.name = item.name
            row.is_party = False
            row.full_clean(exclude=["region"], validate_unique=False)
            to_update.append(row)
    if to_create:
        Municipality.objects.bulk_create(to_create)
    if to_update:
        Municipality.objects.bulk_update(to_update, ["name", "is_party"])
    if to_create or to_update:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="national_municipality_list.sync",
            target=region,
            data={
                "created": [row.code for row in to_create],
                "changed": [row.code for row in to_update],
            },
        )
    return len(to_create) + len(to_update)


@transaction.atomic
def centre_upsert(
    *,
    acting_user: User | None,
    region: Region,
    slug: str,
    name: str,
    host_municipality: Municipality,
    orientation: str = "",
    address: str = "",
) -> tuple[Yrkescenter, bool]:
    _same_region(region, host_municipality)
    return _audited_upsert(
        Yrkescenter,
        acting_user=acting_user,
        region=region,
        action="centre.upsert",
        lookup={"region": region, "slug": slug},
        values={
            "name": name,
            "host_municipality": host_municipality,
            "orientation": orientation,
            "address": address,
        },
    )


@transaction.atomic
def intake_office_upsert(
    *,
    acting_user: User | None,
    region: Region,
    name: str,
    host_municipality: Municipality,
    email: str = "",
    phone: str = "",
) -> tuple[IntakeOffice, bool]:
    _same_region(region, host_municipality)
    return _audited_upsert(
        IntakeOffice,
        acting_user=acting_user,
        region=region,
        action="intake_office.upsert",
        lookup={"region": region},
        values={
            "name": name,
            "host_municipality": host_municipality,
            "email": email,
            "phone": phone,
        },
    )


@transaction.atomic
def agreement_upsert(
    *,
    acting_user: User | None,
    region: Region,
    name: str,
    valid_from: dt.date,
    parties: list[Municipality],
    valid_until: dt.date | None = None,
    early_stop_rule: str = EarlyStopRule.FULL_COURSE,
) -> tuple[Agreement, bool]:
    """An agreement and exactly these parties (a municipality that left is removed)."""
    _same_region(region, *parties)
    agreement, changes = upsert(
        Agreement,
        lookup={"region": region, "name": name},
        values={
            "valid_from": valid_from,
            "valid_until": valid_until,
            "early_stop_rule": early_stop_rule,
        },
    )
    wanted = {party.pk for party in parties}
    if set(agreement.parties.values_list("pk", flat=True)) != wanted:
        agreement.parties.set(parties)
        changes["parties"] = sorted(party.code for party in parties)
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="agreement.upsert",
            target=agreement,
            data=changes,
        )
    return agreement, bool(changes)


@transaction.atomic
def course_upsert(
    *, acting_user: User | None, region: Region, code: str, name: str, points: int
) -> tuple[Course, bool]:
    return _audited_upsert(
        Course,
        acting_user=acting_user,
        region=region,
        action="course.upsert",
        lookup={"region": region, "code": code},
        values={"name": name, "points": points},
    )


@transaction.atomic
def programme_upsert(
    *,
    acting_user: User | None,
    region: Region,
    code: str,
    name: str,
    vp: int,
    grant_category: str,
    ssyk_code: str,
    occupation: str,
    courses: list[Course],
    name_en: str = "",
    description: str = "",
    sector: str = Sector.INDUSTRY,
) -> tuple[Programme, bool]:
    """A programme with exactly these courses, in this order. Its vp must be their sum."""
    _same_region(region, *courses)
    if len({course.pk for course in courses}) != len(courses):
        raise ValidationError({"courses": "A course is listed twice."})
    total = sum(course.points for course in courses)
    if courses and vp != total:
        raise ValidationError(
            {"vp": f"{vp} is not the sum of its courses' points ({total})."},
        )
    programme, changes = upsert(
        Programme,
        lookup={"region": region, "code": code},
        values={
            "name": name,
            "name_en": name_en,
            "description": description,
            "vp": vp,
            "grant_category": grant_category,
            "ssyk_code": ssyk_code,
            "occupation": occupation,
            "sector": sector,
        },
    )
    wanted = [(course.pk, position) for position, course in enumerate(courses, start=1)]
    current = list(programme.lines.order_by("position").values_list("course_id", "position"))
    if current != wanted:
        programme.lines.all().delete()
        ProgrammeCourse.objects.bulk_create(
            ProgrammeCourse(programme=programme, course=course, position=position)
            for position, course in enumerate(courses, start=1)
        )
        changes["courses"] = [course.code for course in courses]
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="programme.upsert",
            target=programme,
            data=changes,
        )
    return programme, bool(changes)


@transaction.atomic
def intake_period_upsert(
    *,
    acting_user: User | None,
    region: Region,
    code: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
) -> tuple[IntakePeriod, bool]:
    return _audited_upsert(
        IntakePeriod,
        acting_user=acting_user,
        region=region,
        action="intake_period.upsert",
        lookup={"region": region, "code": code},
        values={"name": name, "starts_on": starts_on, "ends_on": ends_on},
    )


@transaction.atomic
def offering_create(
    *,
    acting_user: User | None,
    region: Region,
    programme: Programme,
    centre: Yrkescenter,
    intake_period: IntakePeriod,
    starts_on: dt.date,
    ends_on: dt.date,
    seats: int,
    state_funded_seats: int,
    application_opens: dt.datetime,
    application_closes: dt.datetime,
    pace: int = Pace.FULL,
) -> Offering:
    """Open a programme at a centre for an intake period."""
    _same_region(region, programme, centre, intake_period)
    offering = Offering(
        region=region,
        programme=programme,
        centre=centre,
        intake_period=intake_period,
        starts_on=starts_on,
        ends_on=ends_on,
        pace=pace,
        seats=seats,
        state_funded_seats=state_funded_seats,
        application_opens=application_opens,
        application_closes=application_closes,
    )
    offering.full_clean()
    offering.save()
    audit_record(
        acting_user=acting_user,
        region=region,
        action="offering.create",
        target=offering,
        data={
            "seats": seats,
            "state_funded_seats": state_funded_seats,
            "starts_on": starts_on.isoformat(),
        },
    )
    return offering


# --- The price list and the state grant ---------------------------------------------------------


@transaction.atomic
def price_upsert(
    *,
    acting_user: User | None,
    agreement: Agreement,
    programme: Programme,
    unit: str,
    amount: Decimal,
) -> tuple[Price, bool]:
    """The agreement's price for one programme (what the home municipality pays the host
    municipality per vp or per full-time week)."""
    _same_region(agreement.region, programme)
    return _audited_upsert(
        Price,
        acting_user=acting_user,
        region=agreement.region,
        action="price.upsert",
        lookup={"agreement": agreement, "programme": programme},
        values={"unit": unit, "amount": amount},
    )


@transaction.atomic
def grant_year_upsert(
    *,
    acting_user: User | None,
    region: Region,
    year: int,
    sector: str,
    granted_places: Decimal,
    granted_amount: Decimal,
    cofinancing_municipal: int,
    cofinancing_state: int,
    decision_reference: str = "",
    rates: Mapping[str, Decimal] | None = None,
    commitments: Mapping[Municipality, Decimal] | None = None,
) -> tuple[GrantYear, bool]:
    """A grant year as Skolverket decided it, with its rates per grant category and the
    municipalities' co-financing commitments that the region's data file states.

    Rates and commitments the data does not name are kept. A commitment is a decision record:
    a changed one adds a row. A commitment a rector recorded on the allocation page is a later
    decision than the file's, so loading the file again does not override it."""
    rates = rates or {}
    commitments = commitments or {}
    _same_region(region, *commitments)
    grant_year, changes = upsert(
        GrantYear,
        lookup={"region": region, "year": year, "sector": sector},
        values={
            "granted_places": granted_places,
            "granted_amount": granted_amount,
            "cofinancing_municipal": cofinancing_municipal,
            "cofinancing_state": cofinancing_state,
            "decision_reference": decision_reference,
        },
    )
    changed_rates = {}
    for category, amount in sorted(rates.items()):
        _rate, changed = upsert(
            GrantRate,
            lookup={"grant_year": grant_year, "grant_category": category},
            values={"amount_per_place": amount},
        )
        if changed:
            changed_rates[category] = str(amount)
    if changed_rates:
        changes["rates"] = changed_rates
    in_force = {row.municipality_id: row for row in current_commitments(grant_year)}
    new_rows = []
    for municipality, places in commitments.items():
        row = in_force.get(municipality.pk)
        if row is not None and (row.decided_by_id is not None or row.places == places):
            continue
        # No user and no reason: the page says it came from the region's data file.
        new_row = CofinancingCommitment(
            grant_year=grant_year, municipality=municipality, places=places
        )
        new_row.full_clean()
        new_rows.append(new_row)
    if new_rows:
        CofinancingCommitment.objects.bulk_create(new_rows)
        changes["commitments"] = {row.municipality.code: str(row.places) for row in new_rows}
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="grant_year.upsert",
            target=grant_year,
            data=changes,
        )
    return grant_year, bool(changes)


@transaction.atomic
def commitment_record(
    *,
    acting_user: User,
    grant_year: GrantYear,
    municipality: Municipality,
    places: Decimal,
    reason: str,
) -> CofinancingCommitment:
    """Record a municipality's co-financed places in the grant year. Earlier commitments stay;
    the latest one counts. Who may speak for which municipality is the caller's check: a rector
    for their own municipality, a region admin for any party."""
    errors = {}
    if municipality.region_id != grant_year.region_id:
        errors["municipality"] = _("Choose a municipality of this region.")
    elif not municipality.is_party:
        errors["municipality"] = _(
            "Only a party to the cooperation agreement co-finances the region's grant."
        )
    if places is None or places < 0:
        errors["places"] = _("Enter the committed places, zero or more.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the commitment is set or changed.")
    if errors:
        raise ValidationError(errors)
    row = CofinancingCommitment(
        grant_year=grant_year,
        municipality=municipality,
        places=places,
        reason=reason.strip(),
        decided_by=acting_user,
    )
    row.full_clean()
    row.save()
    audit_record(
        acting_user=acting_user,
        region=grant_year.region,
        action="cofinancing_commitment.record",
        target=row,
        data={"municipality": municipality.code, "places": str(places), "reason": row.reason},
    )
    return row


@transaction.atomic
def allocation_save(
    *,
    acting_user: User,
    grant_year: GrantYear,
    seats_by_offering: Mapping[int, int] | Iterable[tuple[int, int]],
    reason: str,
    based_on_version: int | None,
) -> Allocation:
    """Save the rectors' allocation of the grant year's places as a new version, and put its
    seats in force as the offerings' state-funded seats (0 for an offering not listed).

    `based_on_version` is the version the rector had on screen (None when there was none);
    when someone saved in between, both versions are kept and the new one is in force."""
    # Lock the grant year so two rectors saving at once get consecutive versions, neither lost.
    grant_year = GrantYear.objects.select_for_update().get(pk=grant_year.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the allocation is made or changed.")})
    seats = {int(pk): int(n) for pk, n in dict(seats_by_offering).items()}
    offerings = {offering.pk: offering for offering in grant_year_offerings(grant_year)}
    last = (
        Allocation.objects.filter(grant_year=grant_year).aggregate(last=Max("version"))["last"] or 0
    )
    errors = []
    if based_on_version is not None and not 0 <= based_on_version <= last:
        errors.append(
            _("There is no version %(version)s to base this on.") % {"version": based_on_version}
        )
    for pk, count in seats.items():
        offering = offerings.get(pk)
        if offering is None:
            errors.append(
                _("Offering %(pk)s does not count towards the grant year %(grant_year)s.")
                % {"pk": pk, "grant_year": grant_year}
            )
        elif not 0 <= count <= offering.seats:
            errors.append(
                _("%(offering)s has %(seats)s seats: it cannot have %(count)s state-funded seats.")
                % {"offering": offering, "seats": offering.seats, "count": count}
            )
    if errors:
        raise ValidationError(errors)
    used = sum(
        (places_for(seats=count, vp=offerings[pk].programme.vp) for pk, count in seats.items()),
        Decimal(0),
    )
    if used > grant_year.granted_places:
        raise ValidationError(
            _(
                "The allocation uses %(used)s årsstudieplatser but the grant is %(granted)s: "
                "remove %(excess)s."
            )
            % {
                "used": number_format(used.quantize(CENT, rounding=ROUND_HALF_UP), 2),
                "granted": number_format(grant_year.granted_places, 2),
                # Rounded up, so that removing what it says is always enough.
                "excess": number_format(
                    (used - grant_year.granted_places).quantize(CENT, rounding=ROUND_UP), 2
                ),
            },
            code="exceeds_grant",
        )
    allocation = Allocation.objects.create(
        grant_year=grant_year,
        version=last + 1,
        based_on_version=based_on_version,
        reason=reason.strip(),
        decided_by=acting_user,
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(allocation=allocation, offering_id=pk, seats=seats.get(pk, 0))
        for pk in offerings
    )
    changed = []
    for offering in offerings.values():
        wanted = seats.get(offering.pk, 0)
        if offering.state_funded_seats != wanted:
            offering.state_funded_seats = wanted
            changed.append(offering)
    Offering.objects.bulk_update(changed, ["state_funded_seats"])
    audit_record(
        acting_user=acting_user,
        region=grant_year.region,
        action="allocation.save",
        target=allocation,
        data={
            "version": allocation.version,
            "based_on_version": based_on_version,
            "reason": allocation.reason,
            "seats": {str(pk): seats.get(pk, 0) for pk in offerings},
            "places": str(used),
        },
    )
    return allocation


# --- the region's own terms, changed by its region admin in the app ---------------------------


@dataclass(frozen=True)
class RegionTerms:
    """What a region admin may change without a new region file: the admission terms on the
    region, the co-financing ratio of each grant year (pk -> municipal, state places) and the
    agreement's price list (price pk -> unit, amount)."""

    max_choices: int
    tie_break: str
    answer_days: int
    cofinancing: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    prices: Mapping[int, tuple[str, Decimal]] = field(default_factory=dict)


MAX_CHOICES_RANGE = (1, 20)
ANSWER_DAYS_RANGE = (1, 60)


@transaction.atomic
def region_terms_update(
    *, acting_user: User, region: Region, terms: RegionTerms, role: str = ""
) -> dict[str, dict[str, Any]]:
    """Save the region's terms; one audit entry lists each changed term with its old and new
    value. Returns those changes ({} and no entry when nothing changed). A bad value raises a
    ValidationError keyed by the form's field name, and nothing is saved."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    errors: dict[str, str] = {}
    low, high = MAX_CHOICES_RANGE
    if not low <= terms.max_choices <= high:
        errors["max_choices"] = _("Choose between %(low)d and %(high)d courses.") % {
            "low": low,
            "high": high,
        }
    if terms.tie_break not in TieBreak.values:
        errors["tie_break"] = _("Choose a tie-break rule.")
    low, high = ANSWER_DAYS_RANGE
    if not low <= terms.answer_days <= high:
        errors["answer_days"] = _("Give between %(low)d and %(high)d days.") % {
            "low": low,
            "high": high,
        }
    years = GrantYear.objects.for_region(region).select_for_update().in_bulk(terms.cofinancing)
    prices = (
        Price.objects.for_region(region)
        .select_for_update(of=("self",))
        .select_related("programme")
        .in_bulk(terms.prices)
    )
    for pk, (municipal, state) in terms.cofinancing.items():
        if pk not in years:
            errors[f"grant_year_{pk}_state"] = _("The grant year was not found.")
        elif municipal < 0 or state < 1:
            errors[f"grant_year_{pk}_state"] = _(
                "A ratio is 0 or more municipal places per 1 or more state places."
            )
    for pk, (unit, amount) in terms.prices.items():
        if pk not in prices:
            errors[f"price_{pk}_amount"] = _("The price was not found.")
        elif unit not in PriceUnit.values:
            errors[f"price_{pk}_unit"] = _("Choose per vp or per week.")
        elif amount < 0 or amount != amount.quantize(CENT):
            errors[f"price_{pk}_amount"] = _("A price is 0 or more, with at most two decimals.")
    if errors:
        raise ValidationError(errors)

    changes: dict[str, dict[str, Any]] = {}
    changed_fields = []
    for name in ("max_choices", "tie_break", "answer_days"):
        old, new = getattr(region, name), getattr(terms, name)
        if old != new:
            changes[name] = {"old": old, "new": new}
            setattr(region, name, new)
            changed_fields.append(name)
    if changed_fields:
        region.full_clean()
        region.save(update_fields=changed_fields)
    for pk, (municipal, state) in terms.cofinancing.items():
        year = years[pk]
        old = f"{year.cofinancing_municipal}:{year.cofinancing_state}"
        if old != f"{municipal}:{state}":
            changes[f"cofinancing {year.year} {year.sector}"] = {
                "old": old,
                "new": f"{municipal}:{state}",
            }
            year.cofinancing_municipal, year.cofinancing_state = municipal, state
            year.save(update_fields=["cofinancing_municipal", "cofinancing_state"])
    for pk, (unit, amount) in terms.prices.items():
        price = prices[pk]
        if (price.unit, price.amount) != (unit, amount):
            changes[f"price {price.programme.code}"] = {
                "old": f"{price.amount} {price.unit}",
                "new": f"{amount} {unit}",
            }
            price.unit, price.amount = unit, amount
            price.full_clean()
            price.save(update_fields=["unit", "amount"])
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="region.terms_update",
            target=region,
            role=role,
            data={"changes": changes},
        )
    return changes
