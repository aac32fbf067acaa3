"""Login with e-ID against a real OpenID Connect provider (oidc-provider, provider.mjs)."""

from __future__ import annotations

import logging

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from accounts.eid import EID_SESSION_KEY
from accounts.models import Membership, Role, User
from tests.accounts.oidc.conftest import HOST, LOA3, PERSONNUMMER, eid_login, person
from tests.factories import MembershipFactory, UserFactory, enrol_totp

FAILED = "The e-ID login did not go through"


@pytest.fixture
def browser(region):
    # The pages are read in English, the source language (the region's default is Swedish).
    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")


def _logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def _assert_no_personnummer_in(flow, *numbers):
    for location in flow.locations:
        for number in numbers:
            assert number not in location
            assert f"{number[:8]}-{number[8:]}" not in location


def test_the_login_page_offers_the_regions_brokers(oidc_provider, browser):
    page = browser.get(reverse("account_login")).content.decode()
    assert "Log in with Test e-ID" in page
    assert 'action="/accounts/oidc/broker/login/?process=login"' in page
    assert 'action="/accounts/oidc/other-broker/login/?process=login"' in page


def test_without_a_broker_the_login_page_has_e_mail_only(settings, browser):
    settings.EID_PROVIDERS = {}
    page = browser.get(reverse("account_login")).content.decode()
    assert "e-ID" not in page
    assert 'name="password"' in page
    assert browser.post("/accounts/oidc/broker/login/").status_code == 404


def test_another_regions_broker_is_not_found_here(oidc_provider, settings, region, browser):
    settings.EID_PROVIDERS = {"bortland": settings.EID_PROVIDERS[region.slug]}
    assert browser.post("/accounts/oidc/broker/login/").status_code == 404


def test_first_login_creates_the_account_and_links_theperson(oidc_provider, browser, region):
    oidc_provider.next_login(person())
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 200, flow.locations
    user = _logged_in_user(browser)
    assert user is not None
    assert user.personnummer == PERSONNUMMER
    assert user.email == "eva@example.test"
    assert user.full_name == "Eva Lind"
    assert Membership.objects.filter(user=user, region=region, role=Role.APPLICANT).exists()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("broker", "person-1")
    # The number is kept once, on the user, not in the claims allauth stores with the link.
    assert PERSONNUMMER not in str(account.extra_data)
    assert browser.session[EID_SESSION_KEY]["provider"] == "broker"
    assert browser.session[EID_SESSION_KEY]["acr"] == LOA3


def test_a_second_login_finds_the_same_account(oidc_provider, region):
    oidc_provider.next_login(person())
    first = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    eid_login(first, oidc_provider)
    oidc_provider.next_login(person())
    second = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    flow = eid_login(second, oidc_provider)
    assert flow.response.status_code == 200
    assert _logged_in_user(second) == _logged_in_user(first)
    assert User.objects.count() == 1


def test_the_same_person_through_another_broker_finds_the_same_account(oidc_provider, region):
    oidc_provider.next_login(person(sub="person-1"))
    first = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    eid_login(first, oidc_provider)
    oidc_provider.next_login(person(sub="other-subject", email="another@example.test"))
    second = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    flow = eid_login(second, oidc_provider, provider_id="other-broker")
    assert flow.response.status_code == 200
    user = _logged_in_user(second)
    assert user == _logged_in_user(first)
    assert set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True)) == {
        "broker",
        "other-broker",
    }


@pytest.mark.parametrize("spoil", ["signature", "expired", "audience", "nonce", "algorithm"])
def test_a_bad_id_token_is_refused_with_a_clear_page(oidc_provider, browser, spoil):
    oidc_provider.next_login(person(), spoil=spoil)
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 401
    assert FAILED in flow.response.content.decode()
    assert _logged_in_user(browser) is None
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_lower_assurance_than_asked_for_is_refused(oidc_provider, settings, region, browser):
    # The provider answers with LoA3; the region asks for a level it does not give.
    settings.EID_PROVIDERS[region.slug][0]["acr_values"] = ["http://id.elegnamnden.se/loa/1.0/loa4"]
    oidc_provider.next_login(person())
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 401
    assert _logged_in_user(browser) is None


def test_a_replayed_state_is_refused(oidc_provider, browser):
    oidc_provider.next_login(person())
    flow = eid_login(browser, oidc_provider)
    assert _logged_in_user(browser) is not None
    browser.post(reverse("account_logout"))
    replay = browser.get(flow.callback_url)
    assert replay.status_code == 401
    assert FAILED in replay.content.decode()
    assert _logged_in_user(browser) is None
    # Nor does the same callback open a session in another browser.
    other = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    assert other.get(flow.callback_url).status_code == 401
    assert _logged_in_user(other) is None


def test_without_a_personnummer_the_person_is_sent_to_e_mail_login(oidc_provider, browser):
    oidc_provider.next_login(person(number=None))
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 401
    page = flow.response.content.decode()
    assert "did not give us a Swedish personnummer" in page
    assert reverse("account_login") in page
    assert not User.objects.exists()


def test_a_broker_subject_that_names_another_person_opens_no_account(oidc_provider, region):
    oidc_provider.next_login(person())
    eid_login(Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en"), oidc_provider)
    oidc_provider.next_login(person(number="199001012380"))
    browser = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
    flow = eid_login(browser, oidc_provider)
    assert flow.response.status_code == 401
    assert _logged_in_user(browser) is None


def test_an_e_mail_account_keeps_its_password_login(oidc_provider, browser, region):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="anna@example.test")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = browser.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert _logged_in_user(browser) == user
    assert EID_SESSION_KEY not in browser.session


def test_e_id_counts_as_the_strong_factor_for_staff(oidc_provider, browser, region):
    from allauth.account.models import EmailAddress

    officer = MembershipFactory(region=region, role=Role.INTAKE_OFFICER).user
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    # An officer whose account an earlier e-ID login linked to their personnummer.
    User.objects.filter(pk=officer.pk).update(personnummer=PERSONNUMMER)
    oidc_provider.next_login(person(email=officer.email))
    flow = eid_login(browser, oidc_provider)
    assert _logged_in_user(browser) == officer, flow.locations
    assert not any(reverse("mfa_activate_totp") in location for location in flow.locations)
    assert browser.get(reverse("accounts:start")).status_code == 200


def test_staff_with_an_authenticator_are_not_asked_for_its_code_after_e_id(
    oidc_provider, browser, region
):
    from allauth.account.models import EmailAddress

    officer = MembershipFactory(region=region, role=Role.INTAKE_OFFICER).user
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    enrol_totp(officer)
    User.objects.filter(pk=officer.pk).update(personnummer=PERSONNUMMER)
    oidc_provider.next_login(person(email=officer.email))
    flow = eid_login(browser, oidc_provider)
    assert not any(reverse("mfa_authenticate") in location for location in flow.locations)
    assert _logged_in_user(browser) == officer, flow.locations
    assert browser.get(reverse("accounts:start")).status_code == 200


def test_staff_logged_in_with_a_password_still_need_an_authenticator(region, browser):
    officer = MembershipFactory(region=region, role=Role.INTAKE_OFFICER).user
    User.objects.filter(pk=officer.pk).update(personnummer=PERSONNUMMER)
    browser.force_login(officer)
    response = browser.get(reverse("accounts:start"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_personnummer_is_in_no_url_and_no_log_line(oidc_provider, caplog):
    caplog.set_level(logging.DEBUG)
    flows = []
    for spoil in ("", "", "nonce"):
        oidc_provider.next_login(person(), spoil=spoil)
        flows.append(eid_login(Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en"), oidc_provider))
    oidc_provider.next_login(person(sub="person-2", number="199001012380", email="b@ex.test"))
    flows.append(eid_login(Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en"), oidc_provider))
    assert User.objects.count() == 2
    assert caplog.records, "the flow was expected to log something (requests to the provider)"
    for flow in flows:
        assert flow.locations
        _assert_no_personnummer_in(flow, PERSONNUMMER, "199001012380")
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        for number in (PERSONNUMMER, "199001012380"):
            assert number not in line
            assert number[2:] not in line
