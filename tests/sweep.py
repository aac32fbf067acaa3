"""What the URL sweep needs to classify a page: shared by tests/test_url_sweep.py and the
per-area rule modules in tests/sweep_rules/ (one per area, so areas do not edit one file)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Role

PUBLIC = "public"  # anyone, without logging in
LOGIN = "login"  # any logged-in user, whatever their role
ROLES = "roles"  # only the roles named; others get 403
ADMIN = "admin"  # the Django admin: region admins (scoped to their region)
SUPERUSER = "superuser"  # installation-level admin pages: no region role may use them
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    access: str
    roles: frozenset[Role] = frozenset()
    # The kind of planted object whose pk fills the URL (a model label), or None.
    obj: str | None = None
    # Fixed URL arguments for patterns that take something other than an object's pk.
    kwargs: dict[str, str] = field(default_factory=dict)
    # Status a permitted user gets on a home object or a plain page (a bogus key gives 404...).
    ok: tuple[int, ...] = (200,)
    # The object belongs to a person, not a region: only its owner may see it.
    owner_only: bool = False

    def permits(self, role: Role | None) -> bool:
        if self.access == PUBLIC:
            return True
        if role is None or self.access == SUPERUSER:
            return False
        if self.access == LOGIN:
            return True
        if self.access == ADMIN:
            return role == Role.REGION_ADMIN
        return role in self.roles


def rule(access: str, *roles: Role, **options) -> Rule:
    return Rule(access=access, roles=frozenset(roles), **options)


# Statuses a page may give a permitted user when the page itself redirects or refuses a GET.
REDIRECTS = (200, 302)
GET_NOT_ALLOWED = (405,)
