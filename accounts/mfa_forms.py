"""The second-factor step of the login (allauth's MFA_FORMS): a code refused by the throttling
is written to the audit log, like a refused password (accounts.adapters)."""

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from django.core.exceptions import ValidationError

from accounts.adapters import TOO_MANY_ATTEMPTS, record_refused_login


class AuthenticateForm(AllauthAuthenticateForm):
    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code == TOO_MANY_ATTEMPTS:
                record_refused_login(
                    context.request, user=self.user, login=self.user.email, step="code"
                )
            raise
