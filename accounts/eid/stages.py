"""allauth's login stages, changed where an e-ID login already is the strong factor."""

from __future__ import annotations

from allauth.mfa.stages import AuthenticateStage


class MfaAuthenticateStage(AuthenticateStage):
    """allauth asks for the authenticator's code after every login, a social one too; after an
    e-ID login that would ask a person who has just proved who they are for a second proof
    (the staff MFA rule counts the e-ID as the strong factor: accounts.middleware)."""

    def handle(self) -> tuple:
        if (self.login.signal_kwargs or {}).get("sociallogin") is not None:
            return None, True
        return super().handle()
