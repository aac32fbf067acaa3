"""Reads of competence needs, scoped to who asks (see industriradet.services.needs for the rules):

- a company contact sees every need of their own companies (CompetenceNeed.objects.visible_to);
- council members and region admins see only the rows they entered themselves, on a company's
  behalf (one by one or by import); every other need reaches them only as the aggregates of
  the council's dashboards;
- anyone else sees none.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Membership, Region, Role
from accounts.tenancy import get_scoped_or_404
from industriradet.models import (
    COUNCIL_READERS,
    Company,
    CompetenceNeed,
    MemberOrganisation,
    NeedsSurvey,
    OrganisationKind,
)

# Who enters needs on a company's behalf, and imports a cluster's survey.
ON_BEHALF_ROLES = COUNCIL_READERS
NEEDS_ROLES = (Role.COMPANY_CONTACT, *ON_BEHALF_ROLES)


def enters_on_behalf(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ON_BEHALF_ROLES


def needs_for(membership: Membership | None) -> QuerySet[CompetenceNeed]:
    """The needs the membership may list, change and delete."""
    if membership is None:
        return CompetenceNeed.objects.none()
    if membership.role == Role.COMPANY_CONTACT:
        queryset = CompetenceNeed.objects.visible_to(membership)
    elif enters_on_behalf(membership):
        queryset = CompetenceNeed.objects.for_region(membership.region).filter(
            created_by_id=membership.user_id
        )
    else:
        return CompetenceNeed.objects.none()
    return queryset.select_related(
        "survey", "company", "municipality", "entered_by_organisation"
    ).order_by("-survey__opens_on", "company__name", "ssyk_code", "pk")


def get_need_for(request, pk) -> CompetenceNeed:
    return get_scoped_or_404(needs_for(request.membership), pk=pk)


def companies_for_entry(membership: Membership | None) -> QuerySet[Company]:
    """The companies the membership may enter needs for: a contact's own companies; for the
    council, every company of the region that belongs to a cluster (the cluster speaks for it)."""
    if membership is None:
        return Company.objects.none()
    if membership.role == Role.COMPANY_CONTACT:
        return Company.objects.visible_to(membership).order_by("name")
    if enters_on_behalf(membership):
        return (
            Company.objects.for_region(membership.region)
            .filter(organisation__kind=OrganisationKind.CLUSTER)
            .select_related("organisation")
            .order_by("name")
        )
    return Company.objects.none()


def open_surveys(region: Region | None, today: dt.date | None = None) -> QuerySet[NeedsSurvey]:
    today = today or timezone.localdate()
    return NeedsSurvey.objects.for_region(region).filter(opens_on__lte=today, closes_on__gte=today)


def clusters(region: Region | None) -> QuerySet[MemberOrganisation]:
    return MemberOrganisation.objects.for_region(region).filter(kind=OrganisationKind.CLUSTER)
