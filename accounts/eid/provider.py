"""allauth's OpenID Connect provider, with the checks a login that proves identity needs."""

from __future__ import annotations

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.utils.crypto import get_random_string

from accounts.eid.brokers import normalised_personnummer

# Asymmetric algorithms only: a token that names HS256 would have its signature checked with
# the broker's public key as an HMAC secret.
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"})
NONCE_STATE_KEY = "eid_nonce"


class IdTokenAlgorithmRefused(OAuth2Error):
    """A token signed with an algorithm outside ALLOWED_ALGORITHMS: a reason of its own in the
    audit log, as such a token is forged rather than broken."""


class EidOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        # allauth trusts a token fetched over TLS without its signature (OIDC Core 3.1.3.7 allows
        # it); the personnummer in it decides whose account opens, so the signature is checked.
        try:
            algorithm = jwtkit.jwt.get_unverified_header(id_token).get("alg")
        except jwtkit.jwt.PyJWTError as error:
            raise OAuth2Error("Invalid id_token") from error
        if algorithm not in ALLOWED_ALGORITHMS:
            raise IdTokenAlgorithmRefused("id_token algorithm not allowed")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def personnummer_claim_of(app) -> str:
    return app.settings.get("personnummer_claim") or ""


class EidProvider(OpenIDConnectProvider):
    """Registered in place of allauth's (SOCIALACCOUNT_PROVIDERS provider_class); its URLs are
    accounts.eid.urls, the same paths as allauth's, with views that use EidOAuth2Adapter."""

    package = "accounts.eid"
    oauth2_adapter_class = EidOAuth2Adapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # allauth sends no nonce; one kept with the login's state ties the ID token to this
        # login (checked in accounts.eid.adapter.SocialAccountAdapter.pre_social_login).
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            **{NONCE_STATE_KEY: nonce},
            **kwargs,
        )

    def sociallogin_from_response(self, request, response):
        # The personnummer is taken out of the claims before allauth keeps them (the linked
        # account's extra_data): it is stored once, on the user (accounts.eid.adapter).
        claims = dict(response.get("id_token") or {})
        number = claims.pop(personnummer_claim_of(self.app), None)
        login = super().sociallogin_from_response(request, {**response, "id_token": claims})
        login.eid_personnummer = normalised_personnummer(number)
        return login


provider_classes = [EidProvider]
