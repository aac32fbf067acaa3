"""Staff must use MFA; sessions time out when idle and rotate at login; admin login is allauth's."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import STAFF_ROLES, Role
from tests.factories import MembershipFactory, UserFactory, current_totp_code, enrol_totp

STAFF = list(STAFF_ROLES)


@pytest.fixture
def client_home(region):
    return Client(HTTP_HOST="hemland.example.test")


def _membership(region, role):
    from tests.factories import CentreFactory, MunicipalityFactory

    extra = {}
    if role in (Role.RECTOR, Role.COUNSELLOR):
        extra["scope_municipality"] = MunicipalityFactory(region=region)
    if role == Role.COORDINATOR:
        extra["scope_centre"] = CentreFactory(region=region)
    return MembershipFactory(region=region, role=role, **extra)


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(region, client_home, role):
    user = _membership(region, role).user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client_home.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    response = client_home.get(reverse("accounts:start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # Setting one up is allowed (allauth asks for the password once more first).
    client_home.post(reverse("account_reauthenticate"), {"password": "correct-horse-battery"})
    page = client_home.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert b"secret" in page.content.lower() or b"qr" in page.content.lower()


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_an_authenticator_get_through(region, client_home, role):
    membership = _membership(region, role)
    enrol_totp(membership.user)
    client_home.force_login(membership.user)
    assert client_home.get(reverse("accounts:start")).status_code == 200


def test_staff_of_another_region_still_need_mfa_here(region, foreign_region, client_home):
    membership = MembershipFactory(region=foreign_region, role=Role.INTAKE_OFFICER)
    client_home.force_login(membership.user)
    response = client_home.get(reverse("home"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_applicants_do_not_need_mfa(region, client_home):
    membership = MembershipFactory(region=region, role=Role.APPLICANT)
    client_home.force_login(membership.user)
    assert client_home.get(reverse("accounts:start")).status_code == 200


def test_staff_log_in_with_password_and_totp_code(region, client_home):
    membership = MembershipFactory(region=region, role=Role.INTAKE_OFFICER)
    user = membership.user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    authenticator = enrol_totp(user)
    response = client_home.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Still not logged in: the password alone is not enough.
    assert client_home.get(reverse("accounts:start")).status_code == 302

    code = current_totp_code(authenticator)
    response = client_home.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client_home.get(reverse("accounts:start")).status_code == 200


def test_unverified_email_cannot_log_in(region, client_home):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client_home.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client_home.session


def test_the_session_key_rotates_at_login(region, client_home):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client_home.get(reverse("account_login"))
    before = client_home.session.session_key
    response = client_home.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    after = client_home.session.session_key
    assert before and after and before != after


def test_each_request_renews_the_idle_timeout(settings, region, client_home):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.SESSION_COOKIE_AGE = 15 * 60
    membership = MembershipFactory(region=region, role=Role.APPLICANT)
    client_home.force_login(membership.user)
    key = client_home.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=30)
    )
    assert client_home.get(reverse("accounts:start")).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + dt.timedelta(minutes=14)
    assert expires <= timezone.now() + dt.timedelta(minutes=15)


def test_an_idle_session_is_logged_out(region, client_home):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    membership = MembershipFactory(region=region, role=Role.APPLICANT)
    client_home.force_login(membership.user)
    assert client_home.get(reverse("accounts:start")).status_code == 200
    Session.objects.filter(session_key=client_home.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client_home.get(reverse("accounts:start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_login_goes_through_allauth(region, client_home):
    response = client_home.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client_home.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_a_logged_in_non_admin_is_refused_by_the_admin(region, client_home):
    membership = MembershipFactory(region=region, role=Role.APPLICANT)
    client_home.force_login(membership.user)
    response = client_home.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
