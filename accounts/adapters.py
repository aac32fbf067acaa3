from allauth.account.adapter import DefaultAccountAdapter

from accounts.models import Role
from accounts.services import membership_grant


class AccountAdapter(DefaultAccountAdapter):
    """A person who signs up on a region's site becomes an applicant in that region."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        region = getattr(request, "region", None)
        if commit and region is not None:
            membership_grant(acting_user=user, user=user, region=region, role=Role.APPLICANT)
        return user
