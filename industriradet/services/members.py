"""The council's members: member organisations, their companies and company contacts, and the
needs surveys, as the region data file gives them (industriradet.region_data) or as a region
admin adds them.

Loading is idempotent: loading the same data again changes no row and writes no audit entry.
Rows the data no longer names are kept (needs and APL offers refer to them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Region, User
from accounts.region_files import RegionDataError, reported_as
from accounts.services import audit_record, upsert
from industriradet.models import (
    Company,
    CompanyContact,
    MemberOrganisation,
    NeedsSurvey,
    OrganisationKind,
)
from yrkescenter.models import Municipality


@dataclass(frozen=True)
class MemberData:
    code: str
    name: str
    kind: str
    member_companies: int | None = None
    website: str = ""


@dataclass(frozen=True)
class CompanyData:
    name: str
    cluster: str | None  # a member organisation's code, of kind cluster
    municipality: str | None  # municipality code
    org_number: str = ""


@dataclass(frozen=True)
class SurveyData:
    code: str
    name: str
    opens_on: dt.date
    closes_on: dt.date


@dataclass(frozen=True)
class CouncilData:
    members: tuple[MemberData, ...] = ()
    companies: tuple[CompanyData, ...] = ()
    surveys: tuple[SurveyData, ...] = ()


def _audited(acting_user, region, action, model, *, lookup, values) -> tuple:
    row, changes = upsert(model, lookup=lookup, values=values)
    if changes:
        audit_record(
            acting_user=acting_user, region=region, action=action, target=row, data=changes
        )
    return row, bool(changes)


@transaction.atomic
def council_load(*, acting_user: User | None, region: Region, data: CouncilData) -> int:
    """Create or update the region's member organisations, companies and needs surveys.
    Returns how many rows were created or changed."""
    changes = 0
    members: dict[str, MemberOrganisation] = {
        m.code: m for m in MemberOrganisation.objects.for_region(region)
    }
    for item in data.members:
        where = f"industriradet.members[{item.code}]"
        with reported_as(where):
            member, changed = _audited(
                acting_user,
                region,
                "member_organisation.upsert",
                MemberOrganisation,
                lookup={"region": region, "code": item.code},
                values={
                    "name": item.name,
                    "kind": item.kind,
                    "member_companies": item.member_companies,
                    "website": item.website,
                },
            )
        members[item.code] = member
        changes += changed
    # Any municipality the region knows (with the national list, every Swedish one): a member
    # company may be located outside the agreement's parties.
    municipalities = {m.code: m for m in Municipality.objects.for_region(region)}
    for item in data.companies:
        where = f"industriradet.companies[{item.name}]"
        cluster = None
        if item.cluster:
            cluster = members.get(item.cluster)
            if cluster is None:
                raise RegionDataError(f"{where}: unknown member organisation {item.cluster}")
            if cluster.kind != OrganisationKind.CLUSTER:
                raise RegionDataError(
                    f"{where}: {item.cluster} is a {cluster.kind}, not a cluster; companies "
                    "belong to clusters"
                )
        municipality = None
        if item.municipality:
            municipality = municipalities.get(item.municipality)
            if municipality is None:
                raise RegionDataError(f"{where}: unknown municipality code {item.municipality}")
        with reported_as(where):
            changes += _audited(
                acting_user,
                region,
                "company.upsert",
                Company,
                lookup={"region": region, "name": item.name},
                values={
                    "organisation": cluster,
                    "municipality": municipality,
                    "org_number": item.org_number,
                },
            )[1]
    for item in data.surveys:
        where = f"industriradet.surveys[{item.code}]"
        if item.closes_on < item.opens_on:
            raise RegionDataError(f"{where}: closes_on is before opens_on")
        with reported_as(where):
            changes += _audited(
                acting_user,
                region,
                "needs_survey.upsert",
                NeedsSurvey,
                lookup={"region": region, "code": item.code},
                values={"name": item.name, "opens_on": item.opens_on, "closes_on": item.closes_on},
            )[1]
    return changes


@transaction.atomic
def company_contact_add(
    *, acting_user: User | None, company: Company, user: User, title: str = ""
) -> CompanyContact:
    """Make `user` a contact of `company` (they also need a company-contact membership in the
    region to use the pages). Adding an existing contact again only updates the title."""
    contact, changes = upsert(
        CompanyContact, lookup={"company": company, "user": user}, values={"title": title}
    )
    if changes:
        audit_record(
            acting_user=acting_user,
            region=company.region,
            action="company_contact.add",
            target=contact,
            data={"company": company.pk, "user": user.pk, **changes},
        )
    return contact
