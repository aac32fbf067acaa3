"""e-ID login (accounts.eid): allauth's social-account pages and the OpenID Connect login and
callback. The sweep configures no broker, so the login and callback of a broker id are a 404
for everyone (tests/accounts/oidc test them against a real provider)."""

from tests.sweep import LOGIN, PUBLIC, REDIRECTS, rule

_BROKER = {"provider_id": "broker"}

RULES: dict = {
    "openid_connect_login": rule(PUBLIC, kwargs=_BROKER, ok=(404,)),
    "openid_connect_callback": rule(PUBLIC, kwargs=_BROKER, ok=(404,)),
    "socialaccount_login_cancelled": rule(PUBLIC),
    # The failed-login page (401) that allauth opens to logged-in users only.
    "socialaccount_login_error": rule(LOGIN, ok=(401,)),
    # Without a login waiting for its e-mail address, the form sends people to the login page.
    "socialaccount_signup": rule(LOGIN, ok=REDIRECTS),
    "socialaccount_connections": rule(LOGIN, ok=REDIRECTS),
    # allauth's old paths, permanent redirects to the ones above; LoginRequiredMiddleware
    # sends anonymous users to login first (allauth does not mark them public).
    "accounts/social/login/cancelled/": rule(LOGIN),
    "accounts/social/login/error/": rule(LOGIN, ok=(401,)),
    "accounts/social/signup/": rule(LOGIN, ok=REDIRECTS),
    "accounts/social/connections/": rule(LOGIN, ok=REDIRECTS),
}
