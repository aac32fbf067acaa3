"""The yrkescenter section of a region data file (see accounts.region_files).

Reads the section into typed data, failing with a one-line RegionDataError that names the
place, and hands it to one service.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts.models import Region, User
from accounts.region_files import RegionDataError, optional, require, require_list
from yrkescenter.models import EarlyStopRule, GrantCategory, PriceUnit, Sector
from yrkescenter.services import (
    AgreementData,
    CentreData,
    CourseData,
    GrantYearData,
    IntakeOfficeData,
    MunicipalityData,
    PriceData,
    ProgrammeData,
    RegionStructure,
    region_structure_load,
)

SECTION = "yrkescenter"


def load(*, region: Region, section: dict[str, Any], acting_user: User | None) -> int:
    structure = parse(section)
    return region_structure_load(acting_user=acting_user, region=region, structure=structure)


def parse(section: dict[str, Any]) -> RegionStructure:
    _known_keys(
        section,
        {
            "municipalities",
            "national_municipalities",
            "centres",
            "intake_office",
            "agreements",
            "courses",
            "programmes",
            "grant_years",
        },
        SECTION,
    )
    municipalities = tuple(
        _municipality(item, f"{SECTION}.municipalities[{index}]")
        for index, item in enumerate(_list(section, "municipalities"))
    )
    _unique([m.code for m in municipalities], f"{SECTION}.municipalities", "code")
    national_file = optional(section, "national_municipalities", SECTION, str, None)
    centres = tuple(
        _centre(item, f"{SECTION}.centres[{index}]")
        for index, item in enumerate(_list(section, "centres"))
    )
    _unique([c.slug for c in centres], f"{SECTION}.centres", "slug")
    office = section.get("intake_office")
    courses = tuple(
        _course(item, f"{SECTION}.courses[{index}]")
        for index, item in enumerate(_list(section, "courses"))
    )
    _unique([c.code for c in courses], f"{SECTION}.courses", "code")
    programmes = tuple(
        _programme(item, f"{SECTION}.programmes[{index}]")
        for index, item in enumerate(_list(section, "programmes"))
    )
    _unique([p.code for p in programmes], f"{SECTION}.programmes", "code")
    _check_vp(programmes, {course.code: course.points for course in courses})
    grant_years = tuple(
        _grant_year(item, f"{SECTION}.grant_years[{index}]")
        for index, item in enumerate(_list(section, "grant_years"))
    )
    _unique(
        [f"{g.year} {g.sector}" for g in grant_years], f"{SECTION}.grant_years", "year and sector"
    )
    return RegionStructure(
        municipalities=municipalities,
        national_municipalities=(
            national_municipalities_read(national_file) if national_file else None
        ),
        centres=centres,
        intake_office=_intake_office(office, f"{SECTION}.intake_office") if office else None,
        agreements=tuple(
            _agreement(item, f"{SECTION}.agreements[{index}]")
            for index, item in enumerate(_list(section, "agreements"))
        ),
        courses=courses,
        programmes=programmes,
        grant_years=grant_years,
    )


def national_municipalities_read(file_name: str) -> tuple[MunicipalityData, ...]:
    """The country's municipalities from regions/<file_name> (e.g. sverige-kommuner.json): an
    object whose "municipalities" lists {"code", "name"}. Only a bare file name in regions/ is
    accepted, so a region file cannot point the loader elsewhere on the server."""
    where = f"{SECTION}.national_municipalities"
    if Path(file_name).name != file_name or not file_name.endswith(".json"):
        raise RegionDataError(f"{where} must name a .json file in regions/, not {file_name!r}")
    path = Path(settings.BASE_DIR) / "regions" / file_name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RegionDataError(f"{where}: no file at {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise RegionDataError(f"{where}: cannot read {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise RegionDataError(
            f"{where}: {path} is not valid JSON: {error.msg} at line {error.lineno}"
        ) from error
    _known_keys(data, {"description", "source", "version", "municipalities"}, file_name)
    items = require_list(data, "municipalities", file_name)
    national = tuple(
        _municipality(item, f"{file_name}.municipalities[{index}]")
        for index, item in enumerate(items)
    )
    if not national:
        raise RegionDataError(f"{file_name}.municipalities must not be empty")
    _unique([m.code for m in national], f"{file_name}.municipalities", "code")
    return national


def _municipality(item: Any, where: str) -> MunicipalityData:
    _known_keys(item, {"code", "name"}, where)
    code = require(item, "code", where)
    if not (len(code) == 4 and code.isdigit()):
        raise RegionDataError(f"{where}.code {code!r} is not a four-digit municipality code")
    return MunicipalityData(code=code, name=require(item, "name", where))


def _centre(item: Any, where: str) -> CentreData:
    _known_keys(item, {"slug", "name", "host_municipality", "orientation", "address"}, where)
    return CentreData(
        slug=require(item, "slug", where),
        name=require(item, "name", where),
        host_municipality=require(item, "host_municipality", where),
        orientation=optional(item, "orientation", where, str, ""),
        address=optional(item, "address", where, str, ""),
    )


def _intake_office(item: Any, where: str) -> IntakeOfficeData:
    _known_keys(item, {"name", "host_municipality", "email", "phone"}, where)
    return IntakeOfficeData(
        name=require(item, "name", where),
        host_municipality=require(item, "host_municipality", where),
        email=optional(item, "email", where, str, ""),
        phone=optional(item, "phone", where, str, ""),
    )


def _agreement(item: Any, where: str) -> AgreementData:
    _known_keys(
        item, {"name", "valid_from", "valid_until", "parties", "early_stop_rule", "prices"}, where
    )
    parties = require_list(item, "parties", where)
    if not parties or not all(isinstance(code, str) for code in parties):
        raise RegionDataError(f"{where}.parties must list the parties' municipality codes")
    _unique(parties, f"{where}.parties", "municipality code")
    valid_until = item.get("valid_until")
    return AgreementData(
        name=require(item, "name", where),
        valid_from=_date(require(item, "valid_from", where), f"{where}.valid_from"),
        valid_until=_date(valid_until, f"{where}.valid_until") if valid_until else None,
        parties=tuple(parties),
        early_stop_rule=_choice(
            item, "early_stop_rule", where, EarlyStopRule, EarlyStopRule.FULL_COURSE
        ),
        prices=_prices(item, where),
    )


def _prices(agreement: dict[str, Any], where: str) -> tuple[PriceData, ...]:
    items = require_list(agreement, "prices", where) if "prices" in agreement else []
    prices = []
    for index, item in enumerate(items):
        place = f"{where}.prices[{index}]"
        _known_keys(item, {"programme", "unit", "amount"}, place)
        prices.append(
            PriceData(
                programme=require(item, "programme", place),
                unit=_choice(item, "unit", place, PriceUnit, None),
                amount=_amount(
                    require(item, "amount", place, (int, float, str)), f"{place}.amount"
                ),
            )
        )
    _unique([price.programme for price in prices], f"{where}.prices", "programme")
    return tuple(prices)


def _grant_year(item: Any, where: str) -> GrantYearData:
    _known_keys(
        item,
        {
            "year",
            "sector",
            "granted_places",
            "granted_amount",
            "cofinancing",
            "decision_reference",
            "rates",
            "commitments",
        },
        where,
    )
    year = require(item, "year", where, int)
    if not 2000 <= year <= 2100:
        raise RegionDataError(f"{where}.year {year} is not a plausible grant year")
    cofinancing = require(item, "cofinancing", where, dict)
    _known_keys(cofinancing, {"municipal", "state"}, f"{where}.cofinancing")
    municipal = require(cofinancing, "municipal", f"{where}.cofinancing", int)
    state = require(cofinancing, "state", f"{where}.cofinancing", int)
    if municipal < 0 or state < 1:
        raise RegionDataError(
            f"{where}.cofinancing needs municipal places of 0 or more per state places of 1 or "
            "more (3 per 7 since SFS 2020:27)"
        )
    rates = require(item, "rates", where, dict) if "rates" in item else {}
    unknown = sorted(set(rates) - set(GrantCategory.values))
    if unknown:
        raise RegionDataError(
            f"{where}.rates: unknown grant category {', '.join(unknown)} "
            f"(one of {', '.join(GrantCategory.values)})"
        )
    commitments = require(item, "commitments", where, dict) if "commitments" in item else {}
    for code in commitments:
        if not (len(code) == 4 and code.isdigit()):
            raise RegionDataError(
                f"{where}.commitments: {code!r} is not a four-digit municipality code"
            )
    return GrantYearData(
        year=year,
        sector=_choice(item, "sector", where, Sector, None),
        granted_places=_amount(
            require(item, "granted_places", where, (int, float, str)), f"{where}.granted_places"
        ),
        granted_amount=_amount(
            require(item, "granted_amount", where, (int, float, str)), f"{where}.granted_amount"
        ),
        cofinancing_municipal=municipal,
        cofinancing_state=state,
        decision_reference=optional(item, "decision_reference", where, str, ""),
        rates=tuple(
            (category, _amount(amount, f"{where}.rates.{category}"))
            for category, amount in sorted(rates.items())
        ),
        commitments=tuple(
            (code, _amount(places, f"{where}.commitments.{code}"))
            for code, places in sorted(commitments.items())
        ),
    )


def _course(item: Any, where: str) -> CourseData:
    _known_keys(item, {"code", "name", "points"}, where)
    points = require(item, "points", where, int)
    if points < 1:
        raise RegionDataError(f"{where}.points must be at least 1")
    return CourseData(
        code=require(item, "code", where), name=require(item, "name", where), points=points
    )


def _programme(item: Any, where: str) -> ProgrammeData:
    _known_keys(
        item,
        {
            "code",
            "name",
            "name_en",
            "description",
            "vp",
            "grant_category",
            "ssyk_code",
            "occupation",
            "courses",
            "sector",
        },
        where,
    )
    grant_category = require(item, "grant_category", where)
    if grant_category not in GrantCategory.values:
        raise RegionDataError(
            f"{where}.grant_category must be one of {', '.join(GrantCategory.values)}"
        )
    ssyk_code = require(item, "ssyk_code", where)
    if not (len(ssyk_code) == 4 and ssyk_code.isdigit()):
        raise RegionDataError(f"{where}.ssyk_code {ssyk_code!r} is not a four-digit SSYK 2012 code")
    courses = require_list(item, "courses", where)
    if not courses or not all(isinstance(code, str) for code in courses):
        raise RegionDataError(f"{where}.courses must list course codes")
    _unique(courses, f"{where}.courses", "course code")
    return ProgrammeData(
        code=require(item, "code", where),
        name=require(item, "name", where),
        name_en=optional(item, "name_en", where, str, ""),
        description=optional(item, "description", where, str, ""),
        vp=require(item, "vp", where, int),
        grant_category=grant_category,
        ssyk_code=ssyk_code,
        occupation=require(item, "occupation", where),
        courses=tuple(courses),
        sector=_choice(item, "sector", where, Sector, Sector.INDUSTRY),
    )


def _check_vp(programmes: tuple[ProgrammeData, ...], points: dict[str, int]) -> None:
    # Only programmes whose courses are all in this file; the rest are checked when loading.
    for programme in programmes:
        if all(code in points for code in programme.courses):
            total = sum(points[code] for code in programme.courses)
            if programme.vp != total:
                raise RegionDataError(
                    f"{SECTION}.programmes[{programme.code}]: vp {programme.vp} is not the sum "
                    f"of its courses' points ({total})"
                )


def _choice(item: dict[str, Any], key: str, where: str, choices, default: str | None) -> str:
    """A value of a TextChoices; `default` when the key is absent (None: required)."""
    if key not in item and default is not None:
        return default
    value = require(item, key, where)
    if value not in choices.values:
        raise RegionDataError(f"{where}.{key} must be one of {', '.join(choices.values)}")
    return value


def _amount(value: Any, where: str) -> Decimal:
    """Places or kronor: a number, or a string of one, zero or more, at most two decimals.
    A float is read through its shortest text, so 1.5 is exactly 1.50."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RegionDataError(f"{where} must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RegionDataError(f"{where} must be a number, not {value!r}") from error
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise RegionDataError(f"{where} must be zero or more with at most two decimals")
    return amount


def _list(section: dict[str, Any], key: str) -> list:
    return require_list(section, key, SECTION) if key in section else []


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise RegionDataError(f"{where} must be a date written YYYY-MM-DD") from error


def _known_keys(item: Any, allowed: set[str], where: str) -> None:
    if not isinstance(item, dict):
        raise RegionDataError(f"{where} must be an object")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise RegionDataError(f"{where} has unknown key {', '.join(repr(k) for k in unknown)}")


def _unique(values: list[str], where: str, what: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise RegionDataError(f"{where}: {what} {value} appears twice")
        seen.add(value)


# --- the checks the schema (regions/region.schema.json) cannot express -----------------------


def problems(*, data: dict[str, Any]) -> list[str]:
    """Every cross-field problem of the yrkescenter section of a file the schema accepts, each as
    "path: what is wrong" (see accounts.region_files.region_file_problems)."""
    section = data[SECTION]
    found: list[str] = []
    own = [item["code"] for item in section.get("municipalities", [])]
    found += duplicates(own, f"{SECTION}.municipalities", "code")
    known, national_problem = known_municipalities(data)
    if national_problem:
        found.append(national_problem)
    centres = section.get("centres", [])
    found += duplicates([c["slug"] for c in centres], f"{SECTION}.centres", "slug")
    for index, centre in enumerate(centres):
        found += municipality_problems(
            centre["host_municipality"], f"{SECTION}.centres[{index}].host_municipality", known
        )
    if "intake_office" in section:
        found += municipality_problems(
            section["intake_office"]["host_municipality"],
            f"{SECTION}.intake_office.host_municipality",
            known,
        )
    courses = {item["code"]: item["points"] for item in section.get("courses", [])}
    found += duplicates(
        [c["code"] for c in section.get("courses", [])], f"{SECTION}.courses", "code"
    )
    programmes = section.get("programmes", [])
    found += duplicates([p["code"] for p in programmes], f"{SECTION}.programmes", "code")
    for index, programme in enumerate(programmes):
        where = f"{SECTION}.programmes[{index}]"
        found += duplicates(programme["courses"], f"{where}.courses", "course code")
        if "courses" in section:
            for position, code in enumerate(programme["courses"]):
                if code not in courses:
                    found.append(
                        f"{where}.courses[{position}]: {code} is not one of the file's courses"
                    )
            if all(code in courses for code in programme["courses"]):
                total = sum(courses[code] for code in set(programme["courses"]))
                if programme["vp"] != total:
                    found.append(
                        f"{where}.vp: {programme['vp']} is not the sum of its courses' points "
                        f"({total})"
                    )
    programme_codes = {p["code"] for p in programmes}
    for index, agreement in enumerate(section.get("agreements", [])):
        where = f"{SECTION}.agreements[{index}]"
        found += duplicates(agreement["parties"], f"{where}.parties", "municipality code")
        for position, code in enumerate(agreement["parties"]):
            if code not in own:
                found.append(
                    f"{where}.parties[{position}]: {code} is not one of the region's "
                    f"municipalities (a party must be listed in {SECTION}.municipalities)"
                )
        until = agreement.get("valid_until")
        if until and until < agreement["valid_from"]:
            found.append(f"{where}.valid_until: {until} is before valid_from")
        prices = agreement.get("prices", [])
        found += duplicates([p["programme"] for p in prices], f"{where}.prices", "programme")
        for position, price in enumerate(prices):
            place = f"{where}.prices[{position}]"
            if "programmes" in section and price["programme"] not in programme_codes:
                found.append(
                    f"{place}.programme: {price['programme']} is not one of the file's programmes"
                )
            found += amount_problems(price["amount"], f"{place}.amount")
    years = section.get("grant_years", [])
    found += duplicates(
        [f"{g['year']} {g['sector']}" for g in years], f"{SECTION}.grant_years", "year and sector"
    )
    for index, year in enumerate(years):
        where = f"{SECTION}.grant_years[{index}]"
        for key in ("granted_places", "granted_amount"):
            found += amount_problems(year[key], f"{where}.{key}")
        for category, amount in year.get("rates", {}).items():
            found += amount_problems(amount, f"{where}.rates.{category}")
        for code, places in year.get("commitments", {}).items():
            found += municipality_problems(code, f"{where}.commitments.{code}", known)
            found += amount_problems(places, f"{where}.commitments.{code}")
    return found


def known_municipalities(data: dict[str, Any]) -> tuple[set[str] | None, str]:
    """The codes a file may refer to: its own municipalities and, when it names one, the
    national list; None when the file lists no municipalities (they are then checked against
    the database when loading). Also the problem of reading the national list, or ""."""
    section = data.get(SECTION, {})
    if "municipalities" not in section:
        return None, ""
    known = {item["code"] for item in section["municipalities"]}
    national = section.get("national_municipalities")
    if national:
        try:
            known |= {m.code for m in national_municipalities_read(national)}
        except RegionDataError as error:
            return known, str(error)
    return known, ""


def municipality_problems(code: str, where: str, known: set[str] | None) -> list[str]:
    if known is None or code in known:
        return []
    return [f"{where}: {code} is not one of the region's municipalities"]


def amount_problems(value: Any, where: str) -> list[str]:
    try:
        _amount(value, where)
    except RegionDataError as error:
        return [str(error)]
    return []


def duplicates(values: list[str], where: str, what: str) -> list[str]:
    seen: set[str] = set()
    found = []
    for value in values:
        if value in seen:
            found.append(f"{where}: {what} {value} appears twice")
        seen.add(value)
    return found
