"""The social-account side of allauth for e-ID: which brokers a region offers, and how a login
with a verified personnummer finds or makes its account."""

from __future__ import annotations

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.ratelimit import get_ip
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.utils.crypto import constant_time_compare
from requests import RequestException

from accounts.eid.brokers import all_brokers, brokers_for, secret_of
from accounts.eid.provider import NONCE_STATE_KEY, IdTokenAlgorithmRefused
from accounts.models import Role
from accounts.selectors import user_for_personnummer
from accounts.services import eid_login_refused_record, membership_grant

# Why an e-ID login was refused, as the audit log records it. The error page (socialaccount/
# authentication_error.html) explains no_personnummer and person_changed, which the person can
# act on; the rest get its general text.
ACR_NOT_MET = "acr_not_met"
NONCE_MISMATCH = "nonce_mismatch"
NO_PERSONNUMMER = "no_personnummer"
PERSON_CHANGED = "person_changed"
# The callback names no login of this browser: replayed, too late, or never started here.
STATE_UNKNOWN = "state_unknown"
CANCELLED = "cancelled"
BROKER_ERROR = "broker_error"
BROKER_UNREACHABLE = "broker_unreachable"
TOKEN_ALGORITHM = "token_algorithm"
TOKEN_SIGNATURE = "token_signature"
TOKEN_EXPIRED = "token_expired"
TOKEN_AUDIENCE = "token_audience"
TOKEN_ISSUER = "token_issuer"
# Any other token the checks refused (malformed, unknown key, already used, or a code the
# broker would not exchange).
TOKEN_INVALID = "token_invalid"
DENIED = "denied"

_TOKEN_ERRORS = (
    (jwt.InvalidSignatureError, TOKEN_SIGNATURE),
    (jwt.ExpiredSignatureError, TOKEN_EXPIRED),
    (jwt.InvalidAudienceError, TOKEN_AUDIENCE),
    (jwt.InvalidIssuerError, TOKEN_ISSUER),
)


def _app(broker: dict) -> SocialApp:
    # An unsaved SocialApp: allauth reads its fields and never needs a row.
    return SocialApp(
        provider="openid_connect",
        provider_id=broker["id"],
        name=broker["name"],
        client_id=broker["client_id"],
        secret=secret_of(broker),
        settings={
            "server_url": broker["issuer"],
            # Everything, the personnummer too, comes from the signed ID token, not userinfo.
            "fetch_userinfo": False,
            "oauth_pkce_enabled": True,
            "scope": broker["scope"],
            "personnummer_claim": broker["personnummer_claim"],
            "acr_values": broker["acr_values"],
            "auth_params": (
                {"acr_values": " ".join(broker["acr_values"])} if broker["acr_values"] else {}
            ),
        },
    )


def refuse(request, sociallogin, reason: str):
    raise ImmediateHttpResponse(
        render_authentication_error(
            request,
            sociallogin.provider,
            error=AuthError.DENIED,
            extra_context={
                "eid_refusal": reason,
                # For the audit log's entry (on_authentication_error); the page does not show it.
                "eid_account": sociallogin.user if sociallogin.is_existing else None,
            },
        )
    )


def refusal_reason(error, exception, context: dict) -> str:
    """The reason code of a login that ended on allauth's error page (render_authentication_error:
    from refuse above, or from allauth's callback view)."""
    if context.get("eid_refusal"):
        return context["eid_refusal"]
    if exception is None:
        if "state" not in context:
            return STATE_UNKNOWN
        return CANCELLED if error == AuthError.CANCELLED else BROKER_ERROR
    if isinstance(exception, IdTokenAlgorithmRefused):
        return TOKEN_ALGORITHM
    if isinstance(exception, OAuth2Error):
        for error_class, reason in _TOKEN_ERRORS:
            if isinstance(exception.__cause__, error_class):
                return reason
        return TOKEN_INVALID
    if isinstance(exception, RequestException):
        return BROKER_UNREACHABLE
    if isinstance(exception, ProviderException):
        return BROKER_ERROR
    return DENIED


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        """The region's brokers, from settings.EID_PROVIDERS; the admin's SocialApp table is
        not used. Without a request (allauth naming a stored account's provider) every
        region's brokers count; an id is one broker installation-wide (brokers.parse)."""
        brokers = (
            all_brokers() if request is None else brokers_for(getattr(request, "region", None))
        )
        apps = [_app(broker) for broker in brokers]
        if provider:
            apps = [app for app in apps if provider in (app.provider, app.provider_id)]
        if client_id:
            apps = [app for app in apps if app.client_id == client_id]
        return apps

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        # Only the reason code is written: an exception's text can quote the broker's answer.
        context = extra_context or {}
        eid_login_refused_record(
            region=getattr(request, "region", None),
            provider_id=provider.sub_id,
            reason=refusal_reason(error, exception, context),
            address=get_ip(request),
            user=context.get("eid_account"),
        )
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    def pre_social_login(self, request, sociallogin) -> None:
        claims = sociallogin.account.extra_data.get("id_token") or {}
        expected = sociallogin.state.get(NONCE_STATE_KEY) or ""
        if not expected or not constant_time_compare(str(claims.get("nonce", "")), expected):
            refuse(request, sociallogin, NONCE_MISMATCH)
        wanted_acr = sociallogin.provider.app.settings.get("acr_values") or []
        if wanted_acr and claims.get("acr") not in wanted_acr:
            # A lower assurance than the region asked for (an acr_values request is advice to
            # the broker, so the answer is checked).
            refuse(request, sociallogin, ACR_NOT_MET)
        number = getattr(sociallogin, "eid_personnummer", "")
        if not number:
            # Some people have no personnummer (or only one the broker does not send): they
            # keep logging in with their e-mail address.
            refuse(request, sociallogin, NO_PERSONNUMMER)
        if sociallogin.is_existing:
            if sociallogin.user.personnummer != number:
                # The broker's subject now names another person: open no one's account.
                refuse(request, sociallogin, PERSON_CHANGED)
            return
        known = user_for_personnummer(number)
        if known is not None:
            # The same person through another broker (or after the broker changed its
            # subjects): the personnummer is what identifies them.
            sociallogin.connect(request, known)
            return
        sociallogin.user.personnummer = number

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.full_name = " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        ) or (data.get("name") or "")
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        region = getattr(request, "region", None)
        # With a signup form the account adapter has already made them an applicant.
        if form is None and region is not None:
            membership_grant(acting_user=user, user=user, region=region, role=Role.APPLICANT)
        return user
