"""The validation section of a region data file (see accounts.region_files): the region's
validation centre and its competence standards, each with areas mapped to course codes of the
region's catalogue (the yrkescenter section, loaded before this one).

    "validation": {
      "description": "...",
      "centre": {"name": ..., "host_municipality": "1780", "address": ..., "email": ...},
      "standards": [
        {"code": "svetsare", "name": ..., "name_en": ..., "branch": ..., "owner": ...,
         "description": ..., "four_eyes": true,
         "areas": [{"code": "tig", "name": ..., "name_en": ..., "method": "practical_centre",
                    "courses": ["SVTKTI01"]}]}
      ]
    }

Reads the section into typed data, failing with a one-line RegionDataError that names the
place, and hands it to one service.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Region, User
from accounts.region_files import RegionDataError, optional, require, require_list
from validation.models import Method
from validation.services import AreaData, CentreData, StandardData, ValidationData, validation_load
from yrkescenter.region_data import duplicates, known_municipalities, municipality_problems

SECTION = "validation"


def load(*, region: Region, section: dict[str, Any], acting_user: User | None) -> int:
    return validation_load(acting_user=acting_user, region=region, data=parse(section))


def parse(section: dict[str, Any]) -> ValidationData:
    _known_keys(section, {"description", "centre", "standards"}, SECTION)
    centre = section.get("centre")
    standards = tuple(
        _standard(item, f"{SECTION}.standards[{index}]")
        for index, item in enumerate(
            require_list(section, "standards", SECTION) if "standards" in section else []
        )
    )
    _unique([standard.code for standard in standards], f"{SECTION}.standards", "code")
    return ValidationData(
        centre=_centre(centre, f"{SECTION}.centre") if centre is not None else None,
        standards=standards,
    )


def _centre(item: Any, where: str) -> CentreData:
    _known_keys(item, {"name", "host_municipality", "address", "email"}, where)
    return CentreData(
        name=require(item, "name", where),
        host_municipality=require(item, "host_municipality", where),
        address=optional(item, "address", where, str, ""),
        email=optional(item, "email", where, str, ""),
    )


def _standard(item: Any, where: str) -> StandardData:
    _known_keys(
        item,
        {"code", "name", "name_en", "branch", "owner", "description", "four_eyes", "areas"},
        where,
    )
    code = require(item, "code", where)
    where = f"{SECTION}.standards[{code}]"
    areas = tuple(
        _area(area, f"{where}.areas[{index}]")
        for index, area in enumerate(require_list(item, "areas", where))
    )
    if not areas:
        raise RegionDataError(f"{where}.areas must list at least one competence area")
    _unique([area.code for area in areas], f"{where}.areas", "code")
    return StandardData(
        code=code,
        name=require(item, "name", where),
        name_en=optional(item, "name_en", where, str, ""),
        branch=require(item, "branch", where),
        owner=optional(item, "owner", where, str, ""),
        description=optional(item, "description", where, str, ""),
        four_eyes=require(item, "four_eyes", where, bool),
        areas=areas,
    )


def _area(item: Any, where: str) -> AreaData:
    _known_keys(item, {"code", "name", "name_en", "method", "courses"}, where)
    method = require(item, "method", where)
    if method not in Method.values:
        raise RegionDataError(f"{where}.method {method!r} is not one of {', '.join(Method.values)}")
    courses = require_list(item, "courses", where)
    if not courses or not all(isinstance(code, str) and code.strip() for code in courses):
        raise RegionDataError(f"{where}.courses must list course codes")
    _unique(courses, f"{where}.courses", "course code")
    return AreaData(
        code=require(item, "code", where),
        name=require(item, "name", where),
        name_en=optional(item, "name_en", where, str, ""),
        method=method,
        courses=tuple(courses),
    )


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


def problems(*, data: dict[str, Any]) -> list[str]:
    """The checks the schema cannot express, each as "path: what is wrong"; course codes are
    checked against the file's courses when it lists them (else against the database on
    loading)."""
    section = data[SECTION]
    found: list[str] = []
    known, _ = known_municipalities(data)
    if "centre" in section:
        found += municipality_problems(
            section["centre"]["host_municipality"], f"{SECTION}.centre.host_municipality", known
        )
    catalogue = data.get("yrkescenter", {})
    courses = {item["code"] for item in catalogue.get("courses", [])}
    standards = section.get("standards", [])
    found += duplicates([s["code"] for s in standards], f"{SECTION}.standards", "code")
    for index, standard in enumerate(standards):
        where = f"{SECTION}.standards[{index}]"
        found += duplicates([a["code"] for a in standard["areas"]], f"{where}.areas", "code")
        for area_index, area in enumerate(standard["areas"]):
            found += duplicates(
                area["courses"], f"{where}.areas[{area_index}].courses", "course code"
            )
            if "courses" not in catalogue:
                continue
            for position, code in enumerate(area["courses"]):
                if code not in courses:
                    found.append(
                        f"{where}.areas[{area_index}].courses[{position}]: {code} is not one of "
                        "the file's courses (yrkescenter.courses)"
                    )
    return found
