"""The admin of the grant: region admins edit a grant year and its rates, and the agreement's
price list; commitments and allocation versions are decision records, shown but never added,
changed or deleted there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.admissions.intake_support import staff_client
from tests.yrkescenter.grants_support import grant_year, offering, party
from yrkescenter.models import Agreement, GrantRate, GrantYear, PriceUnit
from yrkescenter.services import allocation_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(region):
    return staff_client(region, Role.REGION_ADMIN)


def test_a_region_admin_adds_a_grant_year_with_its_rates(region, admin_client):
    response = admin_client.post(
        reverse("admin:yrkescenter_grantyear_add"),
        {
            "year": "2028",
            "sector": "industry",
            "granted_places": "60",
            "granted_amount": "4500000",
            "cofinancing_municipal": "3",
            "cofinancing_state": "7",
            "decision_reference": "Dnr 1",
            "rates-TOTAL_FORMS": "1",
            "rates-INITIAL_FORMS": "0",
            "rates-0-grant_category": "3",
            "rates-0-amount_per_place": "75000",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    year = GrantYear.objects.get()
    assert year.region == region
    assert GrantRate.objects.get(grant_year=year).amount_per_place == Decimal("75000")


def test_a_region_admin_prices_a_programme_in_the_agreement(region, admin_client):
    counted = offering(region)
    agreement = Agreement.objects.create(region=region, name="Avtal", valid_from="2019-01-01")
    agreement.parties.add(counted.centre.host_municipality)

    response = admin_client.post(
        reverse("admin:yrkescenter_agreement_change", args=[agreement.pk]),
        {
            "name": "Avtal",
            "valid_from": "2019-01-01",
            "valid_until": "",
            "early_stop_rule": "pro_rata",
            "parties": [counted.centre.host_municipality.pk],
            "prices-TOTAL_FORMS": "1",
            "prices-INITIAL_FORMS": "0",
            "prices-0-programme": counted.programme.pk,
            "prices-0-unit": PriceUnit.PER_WEEK,
            "prices-0-amount": "3000",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    price = agreement.prices.get()
    assert (price.programme, price.amount) == (counted.programme, Decimal("3000"))
    agreement.refresh_from_db()
    assert agreement.early_stop_rule == "pro_rata"


def test_commitments_and_allocations_are_shown_but_never_written(region, admin_client):
    municipality = party(region)
    year = grant_year(region, commitments={municipality: "2"})
    counted = offering(region, seats=10)
    allocation = allocation_save(
        acting_user=admin_client.user,
        grant_year=year,
        seats_by_offering={counted.pk: 3},
        reason="Första",
        based_on_version=None,
    )
    commitment = year.commitments.get()

    for model, obj in (("cofinancingcommitment", commitment), ("allocation", allocation)):
        change = admin_client.get(reverse(f"admin:yrkescenter_{model}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert 'name="_save"' not in change.content.decode()
        assert admin_client.get(reverse(f"admin:yrkescenter_{model}_add")).status_code == 403
        delete = reverse(f"admin:yrkescenter_{model}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    page = admin_client.get(
        reverse("admin:yrkescenter_allocation_change", args=[allocation.pk])
    ).content.decode()
    assert str(counted) in page
    assert year.allocations.count() == 1
    assert year.commitments.count() == 1
