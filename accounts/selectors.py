"""Reads of accounts that need scoping."""

from __future__ import annotations

from django.conf import settings

from accounts.models import STAFF_ROLES, AuditEntry, Membership, Region, Role, User

# Which membership acts when a user has several in a region and has not chosen one.
_ROLE_PRIORITY = [
    Role.REGION_ADMIN,
    Role.INTAKE_OFFICER,
    Role.RECTOR,
    Role.COUNSELLOR,
    Role.COORDINATOR,
    Role.ASSESSOR,
    Role.COUNCIL_MEMBER,
    Role.COMPANY_CONTACT,
    Role.APPLICANT,
]


def region_for_host(host: str) -> Region | None:
    """The region serving a host name; else the default region; else the only region."""
    name = host.split(":")[0].strip("[]").lower()
    region = Region.objects.filter(hosts__host=name).first()
    if region is not None:
        return region
    region = Region.objects.filter(slug=settings.DEFAULT_REGION_SLUG).first()
    if region is not None:
        return region
    only = list(Region.objects.all()[:2])
    return only[0] if len(only) == 1 else None


def memberships_of(user: User, region: Region | None) -> list[Membership]:
    if region is None or not user.is_authenticated:
        return []
    memberships = list(
        Membership.objects.filter(user=user, region=region).select_related(
            "region", "scope_municipality", "scope_centre"
        )
    )
    memberships.sort(key=lambda m: _ROLE_PRIORITY.index(m.role))
    return memberships


def user_is_staff_anywhere(user: User) -> bool:
    """Staff roles in any region, or an installation operator: these must use MFA."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()


def audit_entries_for(membership: Membership | None):
    return AuditEntry.objects.visible_to(membership).select_related("user")


def membership_in_role(user: User, region: Region, role: Role) -> Membership | None:
    return Membership.objects.filter(user=user, region=region, role=role).first()


def user_for_email(email: str) -> User | None:
    """The account an e-mail address names, if any (case-insensitive, as allauth logs in)."""
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def user_for_personnummer(number: str) -> User | None:
    """The account an e-ID login with this verified personnummer belongs to, if any."""
    if not number:
        return None
    return User.objects.filter(personnummer=number).first()
