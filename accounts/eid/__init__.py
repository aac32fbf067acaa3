"""Login with Swedish e-ID (BankID, Freja eID, ...) through a region's OpenID Connect broker.

allauth's `openid_connect` provider does the protocol; this package tightens it where a login
proves who a person is: the ID token's signature is always checked (allauth skips it when the
token came straight from the token endpoint), a nonce binds the token to the login that asked
for it, and the personnummer is taken only from the verified ID token. The brokers of each region
come from settings.EID_PROVIDERS (the EID_PROVIDERS environment variable), not from the admin.
"""

# Set in the session of a login that used e-ID (accounts.adapters.AccountAdapter.post_login):
# the broker and the assurance level it reported. The staff MFA rule accepts it as the strong
# factor (accounts.middleware.StaffMfaMiddleware).
EID_SESSION_KEY = "eid_login"
