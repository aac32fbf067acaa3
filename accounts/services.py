"""Write services of accounts: each owns its transaction and writes the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from accounts.models import AuditEntry, Membership, Region, RegionHost, Role, User

# Fields never copied into the audit log's details, whatever the model.
_SECRET_FIELDS = frozenset({"password", "personnummer", "secret"})


def audit_record(
    *,
    acting_user: User | None,
    region: Region | None,
    action: str,
    target: models.Model | None = None,
    role: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log. Called by every write service, inside its transaction."""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return AuditEntry.objects.create(
        region=region,
        user=user,
        user_email=user.email if user else "",
        role=role,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        data={k: v for k, v in (data or {}).items() if k not in _SECRET_FIELDS},
    )


def upsert(
    model: type[models.Model], *, lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[models.Model, dict[str, Any]]:
    """Create or update one row, saving only fields that differ.

    Returns the row and what changed ({} when nothing did), so loaders are idempotent and
    the audit log only records real changes.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, {"created": True, **{k: _plain(v) for k, v in values.items()}}
    changed = {k: _plain(v) for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.full_clean()
        obj.save(update_fields=list(changed))
    return obj, changed


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


@transaction.atomic
def region_upsert(
    *,
    acting_user: User | None,
    slug: str,
    name: str,
    hosts: list[str],
    language: str = "sv",
    max_choices: int = 5,
    tie_break: str = "lottery",
) -> tuple[Region, bool]:
    """Create or update a region and its host names. Returns (region, changed)."""
    region, changes = upsert(
        Region,
        lookup={"slug": slug},
        values={
            "name": name,
            "language": language,
            "max_choices": max_choices,
            "tie_break": tie_break,
        },
    )
    existing = set(region.hosts.values_list("host", flat=True))
    wanted = {host.lower() for host in hosts}
    if existing != wanted:
        region.hosts.exclude(host__in=wanted).delete()
        RegionHost.objects.bulk_create(
            [RegionHost(region=region, host=host) for host in sorted(wanted - existing)]
        )
        changes["hosts"] = sorted(wanted)
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="region.upsert",
            target=region,
            data=changes,
        )
    return region, bool(changes)


@transaction.atomic
def membership_grant(
    *,
    acting_user: User | None,
    user: User,
    region: Region,
    role: Role | str,
    scope_municipality=None,
    scope_centre=None,
) -> Membership:
    """Give a user a role in a region (or update its scope). Idempotent."""
    for scope in (scope_municipality, scope_centre):
        if scope is not None and scope.region_id != region.pk:
            raise ValueError("A membership's scope must belong to its region")
    membership, changes = upsert(
        Membership,
        lookup={"user": user, "region": region, "role": role},
        values={"scope_municipality": scope_municipality, "scope_centre": scope_centre},
    )
    if changes:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="membership.grant",
            target=membership,
            data=changes,
        )
    return membership


@transaction.atomic
def membership_revoke(*, acting_user: User, membership: Membership) -> None:
    audit_record(
        acting_user=acting_user,
        region=membership.region,
        action="membership.revoke",
        target=membership,
        data={"role": membership.role, "user": membership.user.email},
    )
    membership.delete()
