"""The yrkescenter section of a region data file (see accounts.region_files).

Reads the section into typed data, failing with a one-line RegionDataError that names the
place, and hands it to one service.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts.models import Region, User
from accounts.region_files import RegionDataError, optional, require, require_list
from yrkescenter.models import GrantCategory
from yrkescenter.services import (
    AgreementData,
    CentreData,
    CourseData,
    IntakeOfficeData,
    MunicipalityData,
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
    _known_keys(item, {"name", "valid_from", "valid_until", "parties"}, where)
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
