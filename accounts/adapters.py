from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.eid import EID_SESSION_KEY
from accounts.models import Role
from accounts.selectors import user_for_email
from accounts.services import eid_login_record, login_refused_record, membership_grant

TOO_MANY_ATTEMPTS = "too_many_login_attempts"


def record_refused_login(request, *, user, login: str, step: str) -> None:
    """Writes a login refused by the throttling to the audit log (accounts.services)."""
    from allauth.core.internal.ratelimit import get_ip

    login_refused_record(
        region=getattr(request, "region", None),
        user=user,
        login=login,
        step=step,
        address=get_ip(request),
    )


class AccountAdapter(DefaultAccountAdapter):
    """A person who signs up on a region's site becomes an applicant in that region.

    Logins refused by the throttling (settings.ACCOUNT_RATE_LIMITS) say so plainly and are
    written to the audit log."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        TOO_MANY_ATTEMPTS: _(
            "Too many failed attempts to log in. For your safety, logging in to this account "
            "or from your network is paused for a while: wait a few minutes and try again. "
            "After many attempts the pause lasts up to an hour."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        region = getattr(request, "region", None)
        if commit and region is not None:
            membership_grant(acting_user=user, user=user, region=region, role=Role.APPLICANT)
        return user

    def get_login_stages(self) -> list[str]:
        return [
            "accounts.eid.stages.MfaAuthenticateStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == TOO_MANY_ATTEMPTS:
                login = credentials.get("email", "")
                record_refused_login(
                    request, user=user_for_email(login), login=login, step="password"
                )
            raise

    def post_login(self, request, user, **kwargs):
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            # After Django's login, so it lands in the session the user now has. The claims
            # were verified (accounts.eid.provider) and hold no personnummer by now.
            claims = sociallogin.account.extra_data.get("id_token") or {}
            eid_login = {
                "provider": sociallogin.account.provider,
                "acr": str(claims.get("acr", "")),
            }
            request.session[EID_SESSION_KEY] = eid_login
            eid_login_record(
                region=getattr(request, "region", None),
                user=user,
                provider_id=eid_login["provider"],
                acr=eid_login["acr"],
            )
        return super().post_login(request, user, **kwargs)
