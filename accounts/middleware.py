"""Tenancy and the staff MFA rule, applied to every request."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from accounts.eid import EID_SESSION_KEY
from accounts.selectors import memberships_of, region_for_host, user_is_staff_anywhere

ACTIVE_MEMBERSHIP_SESSION_KEY = "active_membership_id"


class TenancyMiddleware:
    """Sets request.region from the host, and request.membership: the role the user acts in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.region = region_for_host(request.get_host())
        request.memberships = memberships_of(request.user, request.region)
        request.membership = _active(request)
        return self.get_response(request)


class StaffLanguageMiddleware:
    """Staff pages are in Swedish or English: the applicant side's other languages cover what
    applicants read, not the staff's tools. A staff user whose browser or cookie asks for
    another language gets Swedish."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = request.membership
        if (
            membership is not None
            and membership.is_staff_role
            and translation.get_language() not in settings.STAFF_LANGUAGES
        ):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


def _active(request):
    if not request.memberships:
        return None
    chosen = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
    for membership in request.memberships:
        if membership.pk == chosen:
            return membership
    return request.memberships[0]


# Paths a staff user without an authenticator may still use: setting one up, logging out,
# choosing a language, and the public health check.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class StaffMfaMiddleware:
    """A staff user without an authenticator is sent to set one up before any other page,
    unless this session's login was with e-ID: the e-ID is then the strong factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and not request.session.get(EID_SESSION_KEY)
            and user_is_staff_anywhere(request.user)
            and not _has_authenticator(request.user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)


def _has_authenticator(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
