"""e-ID logins in the audit log, against the real OpenID Connect provider (provider.mjs): a login
with its broker, a refusal with its reason code, and never the personnummer."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, User
from tests.accounts.oidc.conftest import HOST, LOA3, PERSONNUMMER, eid_login, person

OTHER_PERSONNUMMER = "199001012380"
# provider.mjs writes this number into the token it spoils with "signature".
FORGED_PERSONNUMMER = "191212121212"


def browser() -> Client:
    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")


def refusals():
    return AuditEntry.objects.filter(action="login.eid_refused")


def the_refusal() -> AuditEntry:
    assert not AuditEntry.objects.filter(action="login.eid").exists()
    return refusals().get()


# The provider reports an assurance level only to the broker that asks for one.
@pytest.mark.parametrize(("provider_id", "acr"), [("broker", LOA3), ("other-broker", "")])
def test_a_login_is_written_with_its_broker(oidc_provider, region, provider_id, acr):
    oidc_provider.next_login(person())
    eid_login(browser(), oidc_provider, provider_id=provider_id)
    user = User.objects.get()
    entry = AuditEntry.objects.get(action="login.eid")
    assert (entry.region, entry.user, entry.object_id) == (region, user, str(user.pk))
    assert entry.data == {"provider": provider_id, "acr": acr}
    assert not refusals().exists()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("signature", "token_signature"),
        ("expired", "token_expired"),
        ("audience", "token_audience"),
        ("algorithm", "token_algorithm"),
        ("nonce", "nonce_mismatch"),
    ],
)
def test_a_bad_id_token_is_written_with_its_reason(oidc_provider, region, spoil, reason):
    oidc_provider.next_login(person(), spoil=spoil)
    eid_login(browser(), oidc_provider)
    entry = the_refusal()
    assert entry.region == region
    assert entry.user is None
    assert entry.data == {"provider": "broker", "reason": reason, "address": "127.0.0.1"}


def test_a_lower_assurance_than_asked_for_is_written(oidc_provider, settings, region):
    settings.EID_PROVIDERS[region.slug][0]["acr_values"] = ["http://id.elegnamnden.se/loa/1.0/loa4"]
    oidc_provider.next_login(person())
    eid_login(browser(), oidc_provider)
    assert the_refusal().data["reason"] == "acr_not_met"


def test_a_login_without_a_personnummer_is_written(oidc_provider):
    oidc_provider.next_login(person(number=None))
    eid_login(browser(), oidc_provider)
    assert the_refusal().data["reason"] == "no_personnummer"


def test_a_subject_that_names_another_person_is_written_with_the_account(oidc_provider):
    oidc_provider.next_login(person())
    eid_login(browser(), oidc_provider)
    account = User.objects.get()
    oidc_provider.next_login(person(number=OTHER_PERSONNUMMER))
    eid_login(browser(), oidc_provider)
    entry = refusals().get()
    assert entry.data["reason"] == "person_changed"
    # The account the broker's subject is linked to: the intake office can tell its owner.
    assert entry.object_id == str(account.pk)
    assert entry.user is None


def test_a_replayed_state_is_written_once_a_minute_per_address(oidc_provider):
    oidc_provider.next_login(person())
    first = browser()
    flow = eid_login(first, oidc_provider)
    first.post(reverse("account_logout"))
    assert first.get(flow.callback_url).status_code == 401
    assert browser().get(flow.callback_url).status_code == 401
    # A script replaying callbacks must not fill the log; another address is written.
    elsewhere = Client(HTTP_HOST=HOST, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.get(flow.callback_url).status_code == 401
    assert sorted((entry.data["reason"], entry.data["address"]) for entry in refusals()) == [
        ("state_unknown", "127.0.0.1"),
        ("state_unknown", "203.0.113.9"),
    ]


def test_a_login_cancelled_at_the_broker_is_written(oidc_provider):
    client = browser()
    to_broker = client.post("/accounts/oidc/broker/login/")["Location"]
    state = parse_qs(urlsplit(to_broker).query)["state"][0]
    response = client.get(
        "/accounts/oidc/broker/login/callback/", {"state": state, "error": "access_denied"}
    )
    assert response["Location"] == reverse("socialaccount_login_cancelled")
    assert the_refusal().data["reason"] == "cancelled"


def test_the_personnummer_is_in_no_audit_entry(oidc_provider):
    for spoil in ("", "", "signature", "nonce"):
        oidc_provider.next_login(person(), spoil=spoil)
        eid_login(browser(), oidc_provider)
    oidc_provider.next_login(person(number=OTHER_PERSONNUMMER))
    eid_login(browser(), oidc_provider)
    oidc_provider.next_login(
        person(sub="person-2", number=OTHER_PERSONNUMMER, email="b@example.test")
    )
    eid_login(browser(), oidc_provider)
    assert User.objects.count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"login.eid", "login.eid_refused"} <= actions
    for row in map(str, AuditEntry.objects.values()):
        for number in (PERSONNUMMER, OTHER_PERSONNUMMER, FORGED_PERSONNUMMER):
            assert number[2:] not in row
            assert f"{number[2:8]}-{number[8:]}" not in row
