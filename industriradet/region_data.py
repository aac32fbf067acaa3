"""The industriradet section of a region data file (see accounts.region_files): the industry
council's member organisations, companies (usually members of a cluster) and needs surveys.
Loaded after the yrkescenter section, whose municipalities the companies refer to.

    "industriradet": {
      "description": "...",
      "members": [
        {"code": "iuc-stal-verkstad", "name": "IUC/Stål & Verkstad", "kind": "cluster",
         "member_companies": 110, "website": "https://..."}
      ],
      "companies": [
        {"name": "Exempel Verkstads AB", "cluster": "iuc-stal-verkstad",
         "municipality": "1780", "org_number": ""}
      ],
      "surveys": [
        {"code": "kompetensbehov-2027", "name": "Kompetensbehov 2027",
         "opens_on": "2026-09-01", "closes_on": "2027-03-31"}
      ]
    }

kind is one of industriradet.models.OrganisationKind (cluster, union, region, other); a company's
cluster names a member of kind cluster; its municipality is the code of a municipality
the region knows (a party, or one of the national list). Reads the section
into typed data, failing with a one-line RegionDataError that names the place, and hands it to
one service.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from accounts.models import Region, User
from accounts.region_files import RegionDataError, optional, require, require_list
from industriradet.models import OrganisationKind
from industriradet.services.members import (
    CompanyData,
    CouncilData,
    MemberData,
    SurveyData,
    council_load,
)
from yrkescenter.region_data import duplicates, known_municipalities, municipality_problems

SECTION = "industriradet"
ORG_NUMBER = re.compile(r"^\d{6}-?\d{4}$")


def load(*, region: Region, section: dict[str, Any], acting_user: User | None) -> int:
    return council_load(acting_user=acting_user, region=region, data=parse(section))


def parse(section: dict[str, Any]) -> CouncilData:
    _known_keys(section, {"description", "members", "companies", "surveys"}, SECTION)
    members = tuple(
        _member(item, f"{SECTION}.members[{index}]")
        for index, item in enumerate(_list(section, "members"))
    )
    _unique([m.code for m in members], f"{SECTION}.members", "code")
    _unique([m.name for m in members], f"{SECTION}.members", "name")
    companies = tuple(
        _company(item, f"{SECTION}.companies[{index}]")
        for index, item in enumerate(_list(section, "companies"))
    )
    _unique([c.name for c in companies], f"{SECTION}.companies", "name")
    _unique([c.org_number for c in companies if c.org_number], f"{SECTION}.companies", "org_number")
    surveys = tuple(
        _survey(item, f"{SECTION}.surveys[{index}]")
        for index, item in enumerate(_list(section, "surveys"))
    )
    _unique([s.code for s in surveys], f"{SECTION}.surveys", "code")
    return CouncilData(members=members, companies=companies, surveys=surveys)


def _member(item: Any, where: str) -> MemberData:
    _known_keys(item, {"code", "name", "kind", "member_companies", "website"}, where)
    code = require(item, "code", where)
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        raise RegionDataError(f"{where}.code {code!r} may hold only letters, digits, - and _")
    kind = require(item, "kind", where)
    if kind not in OrganisationKind.values:
        raise RegionDataError(
            f"{where}.kind {kind!r} is not one of {', '.join(OrganisationKind.values)}"
        )
    member_companies = optional(item, "member_companies", where, int, None)
    if member_companies is not None and member_companies < 0:
        raise RegionDataError(f"{where}.member_companies must be 0 or more")
    return MemberData(
        code=code,
        name=require(item, "name", where),
        kind=kind,
        member_companies=member_companies,
        website=optional(item, "website", where, str, ""),
    )


def _company(item: Any, where: str) -> CompanyData:
    _known_keys(item, {"name", "cluster", "municipality", "org_number"}, where)
    municipality = optional(item, "municipality", where, str, None)
    if municipality is not None and not (len(municipality) == 4 and municipality.isdigit()):
        raise RegionDataError(
            f"{where}.municipality {municipality!r} is not a four-digit municipality code"
        )
    org_number = optional(item, "org_number", where, str, "")
    if org_number and not ORG_NUMBER.match(org_number):
        raise RegionDataError(
            f"{where}.org_number {org_number!r} is not an organisation number (NNNNNN-NNNN)"
        )
    return CompanyData(
        name=require(item, "name", where),
        cluster=optional(item, "cluster", where, str, None),
        municipality=municipality,
        org_number=org_number,
    )


def _survey(item: Any, where: str) -> SurveyData:
    _known_keys(item, {"code", "name", "opens_on", "closes_on"}, where)
    opens_on = _date(require(item, "opens_on", where), f"{where}.opens_on")
    closes_on = _date(require(item, "closes_on", where), f"{where}.closes_on")
    if closes_on < opens_on:
        raise RegionDataError(f"{where}.closes_on is before opens_on")
    code = require(item, "code", where)
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        raise RegionDataError(f"{where}.code {code!r} may hold only letters, digits, - and _")
    return SurveyData(
        code=code, name=require(item, "name", where), opens_on=opens_on, closes_on=closes_on
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


def problems(*, data: dict[str, Any]) -> list[str]:
    """The checks the schema cannot express, each as "path: what is wrong"."""
    section = data[SECTION]
    found: list[str] = []
    members = section.get("members", [])
    found += duplicates([m["code"] for m in members], f"{SECTION}.members", "code")
    found += duplicates([m["name"] for m in members], f"{SECTION}.members", "name")
    kinds = {m["code"]: m["kind"] for m in members}
    known, _ = known_municipalities(data)
    companies = section.get("companies", [])
    found += duplicates([c["name"] for c in companies], f"{SECTION}.companies", "name")
    found += duplicates(
        [c["org_number"] for c in companies if c.get("org_number")],
        f"{SECTION}.companies",
        "org_number",
    )
    for index, company in enumerate(companies):
        where = f"{SECTION}.companies[{index}]"
        cluster = company.get("cluster")
        if cluster and cluster not in kinds:
            found.append(f"{where}.cluster: {cluster} is not one of {SECTION}.members")
        elif cluster and kinds[cluster] != OrganisationKind.CLUSTER:
            found.append(
                f"{where}.cluster: {cluster} is a {kinds[cluster]}, not a cluster; companies "
                "belong to clusters"
            )
        if company.get("municipality"):
            found += municipality_problems(company["municipality"], f"{where}.municipality", known)
    surveys = section.get("surveys", [])
    found += duplicates([s["code"] for s in surveys], f"{SECTION}.surveys", "code")
    for index, survey in enumerate(surveys):
        if survey["closes_on"] < survey["opens_on"]:
            found.append(f"{SECTION}.surveys[{index}].closes_on is before opens_on")
    return found
