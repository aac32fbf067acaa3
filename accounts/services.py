"""Write services of accounts: each owns its transaction and writes the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.db import models, transaction

from accounts.models import AuditEntry, Membership, Region, RegionHost, Role, TieBreak, User
from accounts.region_files import (
    HEADER_KEYS,
    RegionDataError,
    RegionFileInvalid,
    optional,
    region_file_problems,
    reported_as,
    require,
    require_list,
    section_loaders,
)

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


# One refusal of an account from an address is written once per this many seconds: a script that
# keeps trying after the refusal must not fill the audit log (allauth's "login" limit, 30 a minute
# per address, bounds the requests themselves).
LOGIN_REFUSED_AUDIT_SECONDS = 60


def login_refused_record(
    *, region: Region | None, user: User | None, login: str, step: str, address: str
) -> AuditEntry | None:
    """The audit log's entry for a login refused by the throttling (too many failures).

    `step` is "password" or "code" (the second factor). The account, when the address names one,
    is the entry's object; an address that names no account is kept as typed (an e-mail address:
    the login form accepts nothing else). Returns None when the same refusal was written less
    than LOGIN_REFUSED_AUDIT_SECONDS ago."""
    who = str(user.pk) if user is not None else login.lower()
    once = f"audit:login-refused:{step}:{address}:{who}"
    if not cache.add(once, 1, timeout=LOGIN_REFUSED_AUDIT_SECONDS):
        return None
    data = {"step": step, "address": address}
    if user is None:
        data["login"] = login
    return audit_record(
        acting_user=None, region=region, action="login.refused", target=user, data=data
    )


def eid_login_record(
    *, region: Region | None, user: User, provider_id: str, acr: str
) -> AuditEntry:
    """The audit log's entry for a login with e-ID: the broker and the assurance level it
    reported. The entry's user is the person; their personnummer is never written."""
    return audit_record(
        acting_user=user,
        region=region,
        action="login.eid",
        target=user,
        data={"provider": provider_id, "acr": acr},
    )


def eid_login_refused_record(
    *, region: Region | None, provider_id: str, reason: str, address: str, user: User | None = None
) -> AuditEntry | None:
    """The audit log's entry for a refused e-ID login: the broker and the reason code
    (accounts.eid.adapter), with the account when the login named one.

    Anyone can send a callback that is refused (an unknown state costs nothing to forge), so,
    as for login_refused_record, one refusal from an address is written once per
    LOGIN_REFUSED_AUDIT_SECONDS; returns None when it was written already."""
    who = str(user.pk) if user is not None else ""
    if not cache.add(
        f"audit:eid-refused:{provider_id}:{reason}:{address}:{who}",
        1,
        timeout=LOGIN_REFUSED_AUDIT_SECONDS,
    ):
        return None
    return audit_record(
        acting_user=None,
        region=region,
        action="login.eid_refused",
        target=user,
        data={"provider": provider_id, "reason": reason, "address": address},
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
    max_choices: int | None = None,
    tie_break: str | None = None,
    answer_days: int | None = None,
) -> tuple[Region, bool]:
    """Create or update a region and its host names. Returns (region, changed).

    A term left as None (max_choices, tie_break, answer_days) keeps the region's current value,
    which a region admin may have changed in the app; a new region gets the model's default."""
    terms = {"max_choices": max_choices, "tie_break": tie_break, "answer_days": answer_days}
    region, changes = upsert(
        Region,
        lookup={"slug": slug},
        values={
            "name": name,
            "language": language,
            **{key: value for key, value in terms.items() if value is not None},
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


@dataclass(frozen=True)
class RegionLoadResult:
    region: Region
    region_created: bool
    # Rows created or changed, per section (app label), in the order they were loaded.
    changes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.changes.values())


@transaction.atomic
def region_load(*, acting_user: User | None, data: dict[str, Any]) -> RegionLoadResult:
    """Load a region data file: the region from the accounts section, then each installed app's
    section through its region_data.load. The file is checked first against the schema
    (regions/region.schema.json) and each app's cross-field checks: RegionFileInvalid lists
    every problem. One transaction: bad data anywhere changes nothing. Loading the same data
    again changes no row and writes no audit entry."""
    if not isinstance(data, dict):
        raise RegionDataError("A region file holds a JSON object with one section per app")
    problems = region_file_problems(data)
    if problems:
        raise RegionFileInvalid(problems)
    version = data["version"]
    loaders = section_loaders()
    unknown = sorted(set(data) - HEADER_KEYS - {"accounts", *(label for label, _ in loaders)})
    if unknown:
        raise RegionDataError(
            f"Unknown section {', '.join(repr(label) for label in unknown)}: "
            "no installed app loads it"
        )
    spec = require(require(data, "accounts", "file", dict), "region", "accounts", dict)
    where = "accounts.region"
    slug = require(spec, "slug", where)
    hosts = require_list(spec, "hosts", where)
    if not all(isinstance(host, str) and host.strip() for host in hosts):
        raise RegionDataError(f"{where}.hosts must be a list of host names")
    taken = (
        RegionHost.objects.filter(host__in=[host.lower() for host in hosts])
        .exclude(region__slug=slug)
        .select_related("region")
        .first()
    )
    if taken is not None:
        raise RegionDataError(f"{where}.hosts: {taken.host} already serves {taken.region.slug}")
    tie_break = optional(spec, "tie_break", where, str, None)
    if tie_break is not None and tie_break not in TieBreak.values:
        raise RegionDataError(f"{where}.tie_break must be one of {', '.join(TieBreak.values)}")
    region_created = not Region.objects.filter(slug=slug).exists()
    with reported_as(where):
        region, changed = region_upsert(
            acting_user=acting_user,
            slug=slug,
            name=require(spec, "name", where),
            hosts=hosts,
            language=optional(spec, "language", where, str, "sv"),
            max_choices=optional(spec, "max_choices", where, int, None),
            tie_break=tie_break,
            answer_days=optional(spec, "answer_days", where, int, None),
        )
    changes = {"accounts": int(changed)}
    for label, load in loaders:
        if label in data:
            section = require(data, label, "file", dict)
            changes[label] = load(region=region, section=section, acting_user=acting_user)
    if any(changes.values()):
        audit_record(
            acting_user=acting_user,
            region=region,
            action="region.load",
            target=region,
            data={"version": version, "changes": changes},
        )
    return RegionLoadResult(region=region, region_created=region_created, changes=changes)


@transaction.atomic
def user_ensure(
    *,
    acting_user: User | None,
    email: str,
    full_name: str = "",
    password: str | None = None,
    email_verified: bool = False,
    region: Region | None = None,
) -> tuple[User, bool]:
    """Make sure a user with this e-mail exists, with this password and, if asked, a verified
    primary address. Returns (user, changed); a second call with the same values changes nothing."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    changes: dict[str, Any] = {}
    if user is None:
        user = User(email=email, full_name=full_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        changes["created"] = True
    elif password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        changes["password"] = "reset"
    if email_verified:
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            changes["email_verified"] = True
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
            changes["email_verified"] = True
    if changes:
        audit_record(
            acting_user=acting_user, region=region, action="user.ensure", target=user, data=changes
        )
    return user, bool(changes)


@transaction.atomic
def totp_enrol(
    *, acting_user: User | None, user: User, secret: str, region: Region | None = None
) -> bool:
    """Give a user a TOTP authenticator with this base32 secret unless they have one already."""
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return False
    TOTP.activate(user, secret)
    audit_record(acting_user=acting_user, region=region, action="mfa.totp_enrol", target=user)
    return True


@transaction.atomic
def applicant_users_create(
    *, acting_user: User | None, region: Region, people: Sequence[tuple[str, str]]
) -> dict[str, User]:
    """Accounts for many applicants at once (e-mail, full name), each an applicant in the region.

    They get no usable password: a person who wants to sign in sets one through the password
    reset. Existing users are reused. One audit entry summarises what was created.
    """
    wanted = {email.strip().lower(): name for email, name in people}
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    new_users = []
    for email, name in wanted.items():
        if email not in existing:
            user = User(email=email, full_name=name)
            user.set_unusable_password()
            new_users.append(user)
    User.objects.bulk_create(new_users)
    users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    members = set(
        Membership.objects.filter(
            region=region, role=Role.APPLICANT, user__email__in=wanted
        ).values_list("user__email", flat=True)
    )
    new_memberships = [
        Membership(user=user, region=region, role=Role.APPLICANT)
        for email, user in users.items()
        if email not in members
    ]
    Membership.objects.bulk_create(new_memberships)
    if new_users or new_memberships:
        audit_record(
            acting_user=acting_user,
            region=region,
            action="user.create_applicants",
            data={"users_created": len(new_users), "memberships_created": len(new_memberships)},
        )
    return users


def preferred_language_set(*, user: User, language: str) -> None:
    """Remember the language a user chose: their letters and e-mails are written in it, on
    whichever device they chose it."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
