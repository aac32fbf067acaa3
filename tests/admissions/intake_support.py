"""Shared set-up of the intake office's tests (tests/admissions/test_intake_*.py)."""

from django.test import Client

from accounts.models import Role
from tests.factories import MembershipFactory, enrol_totp

HOST = "hemland.example.test"


def staff_client(region, role=Role.INTAKE_OFFICER, **scope):
    """A logged-in client of a staff member (with MFA set up) in the home region."""
    membership = MembershipFactory(region=region, role=role, **scope)
    enrol_totp(membership.user)
    # English, so that the tests read the msgids whatever the translations say.
    client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    client.user = membership.user
    return client
