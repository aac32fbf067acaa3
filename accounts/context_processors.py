from django.conf import settings
from django.utils.translation import get_language_info


def tenancy(request):
    membership = getattr(request, "membership", None)
    return {
        "region": getattr(request, "region", None),
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "language_choices": language_choices(membership),
    }


def language_choices(membership) -> list[dict]:
    """The languages the switch offers, each in its own name: all of them on the applicant's
    side, Swedish and English on staff's (accounts.middleware.StaffLanguageMiddleware)."""
    staff = membership is not None and membership.is_staff_role
    return [
        get_language_info(code)
        for code, _name in settings.LANGUAGES
        if not staff or code in settings.STAFF_LANGUAGES
    ]
