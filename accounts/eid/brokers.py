"""The e-ID brokers of each region, from settings.EID_PROVIDERS (see README, "e-ID login")."""

from __future__ import annotations

import os
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The claim of the Swedish OpenID Connect profile (Sweden Connect / id.oidc.se) that carries a
# personnummer, and the scope that asks for it; a broker may name another (personnummer_claim).
DEFAULT_PERSONNUMMER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
DEFAULT_SCOPE = ("openid", "profile", "email", "https://id.oidc.se/scope/naturalPersonNumber")
# YYYYMMDDNNNN, as the Swedish OIDC profile sends it; a hyphen is tolerated.
_PERSONNUMMER = re.compile(r"^(\d{8})-?(\d{4})$")
_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_REQUIRED = ("id", "issuer", "client_id")


def parse(config: Any) -> dict[str, list[dict]]:
    """Checks the shape of EID_PROVIDERS: {region slug: [broker, ...]}; returns it normalised.

    A broker's id is its provider id in the callback URL and in the stored link of a login to
    an account, so one id means one broker (one issuer) across the whole installation: two
    brokers under one id could give the same subject to two different people."""
    if not config:
        return {}
    if not isinstance(config, dict):
        raise ImproperlyConfigured("EID_PROVIDERS must map region slugs to lists of brokers")
    issuers: dict[str, str] = {}
    result: dict[str, list[dict]] = {}
    for slug, brokers in config.items():
        if not isinstance(brokers, list):
            raise ImproperlyConfigured(f"EID_PROVIDERS[{slug!r}] must be a list of brokers")
        seen: set[str] = set()
        result[slug] = []
        for broker in brokers:
            missing = [key for key in _REQUIRED if not broker.get(key)]
            if missing:
                raise ImproperlyConfigured(f"EID_PROVIDERS[{slug!r}]: a broker lacks {missing}")
            provider_id = broker["id"]
            if not _PROVIDER_ID.match(provider_id):
                raise ImproperlyConfigured(f"EID_PROVIDERS: {provider_id!r} is not a valid id")
            if provider_id in seen:
                raise ImproperlyConfigured(f"EID_PROVIDERS[{slug!r}]: {provider_id!r} twice")
            seen.add(provider_id)
            if issuers.setdefault(provider_id, broker["issuer"]) != broker["issuer"]:
                raise ImproperlyConfigured(
                    f"EID_PROVIDERS: {provider_id!r} names two issuers; give each broker its id"
                )
            if not broker.get("secret") and not broker.get("secret_env"):
                raise ImproperlyConfigured(
                    f"EID_PROVIDERS[{slug!r}][{provider_id!r}]: give secret or secret_env"
                )
            result[slug].append(
                {
                    "id": provider_id,
                    "name": broker.get("name") or provider_id,
                    "issuer": broker["issuer"],
                    "client_id": broker["client_id"],
                    "secret": broker.get("secret", ""),
                    "secret_env": broker.get("secret_env", ""),
                    "scope": list(broker.get("scope") or DEFAULT_SCOPE),
                    "personnummer_claim": broker.get("personnummer_claim")
                    or DEFAULT_PERSONNUMMER_CLAIM,
                    # The assurance levels asked for (acr_values), e.g. Sweden Connect's
                    # "http://id.elegnamnden.se/loa/1.0/loa3"; a token with another is refused.
                    "acr_values": list(broker.get("acr_values") or ()),
                }
            )
    return result


def brokers_for(region) -> list[dict]:
    """The brokers a region's login page offers; none for a region without e-ID."""
    if region is None:
        return []
    return settings.EID_PROVIDERS.get(region.slug, [])


def all_brokers() -> list[dict]:
    """One entry per provider id over every region (an id is one broker: see parse)."""
    unique: dict[str, dict] = {}
    for brokers in settings.EID_PROVIDERS.values():
        for broker in brokers:
            unique.setdefault(broker["id"], broker)
    return list(unique.values())


def secret_of(broker: dict) -> str:
    # Read when a login needs it, so a secret set in its own variable (secret_env) can be
    # rotated by restarting without the JSON changing.
    if broker["secret_env"]:
        return os.environ.get(broker["secret_env"], "")
    return broker["secret"]


def normalised_personnummer(value) -> str:
    """A claim's personnummer in twelve digits, or "" when it is missing or not one."""
    match = _PERSONNUMMER.match(value.strip()) if isinstance(value, str) else None
    return "".join(match.groups()) if match else ""
