"""A region admin changes the region's own terms in the app (issue 13.7): max choices,
tie-break rule, answer time, co-financing ratio and price list; audited, validated, for the
region admin only."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Region, Role, TieBreak
from admissions.applications.services.applications import application_start
from tests.admissions.apply_support import *  # noqa: F403
from tests.admissions.apply_support import FOREIGN_HOST, staff
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    MunicipalityFactory,
    ProgrammeFactory,
)
from yrkescenter.models import Agreement, GrantYear, Price, PriceUnit, Sector

pytestmark = pytest.mark.django_db

URL = reverse("yrkescenter:region_terms")


@pytest.fixture
def grant_year(region):
    return GrantYear.objects.create(
        region=region,
        year=timezone.localdate().year,
        sector=Sector.CARE,
        granted_places=40,
        granted_amount=1400000,
        cofinancing_municipal=3,
        cofinancing_state=7,
    )


@pytest.fixture
def past_grant_year(region):
    return GrantYear.objects.create(
        region=region,
        year=timezone.localdate().year - 2,
        sector=Sector.CARE,
        granted_places=10,
        granted_amount=350000,
    )


@pytest.fixture
def price(region):
    agreement = Agreement.objects.create(
        region=region, name="Samverkansavtal", valid_from=dt.date(2026, 1, 1)
    )
    programme = ProgrammeFactory(region=region, name="Undersköterska")
    return Price.objects.create(
        agreement=agreement, programme=programme, unit=PriceUnit.PER_VP, amount=95
    )


@pytest.fixture
def admin(region):
    return staff(region, Role.REGION_ADMIN)


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def form_data(region, grant_year, price, **changes) -> dict:
    data = {
        "max_choices": region.max_choices,
        "tie_break": region.tie_break,
        "answer_days": region.answer_days,
        f"grant_year_{grant_year.pk}_municipal": grant_year.cofinancing_municipal,
        f"grant_year_{grant_year.pk}_state": grant_year.cofinancing_state,
        f"price_{price.pk}_unit": price.unit,
        f"price_{price.pk}_amount": str(price.amount),
    }
    data.update(changes)
    return data


def test_the_page_shows_the_current_terms(admin_client, region, grant_year, price, past_grant_year):
    html = admin_client.get(URL).content.decode()

    assert 'name="max_choices" value="5"' in html
    assert f'name="grant_year_{grant_year.pk}_municipal" value="3"' in html
    assert f'name="grant_year_{grant_year.pk}_state" value="7"' in html
    assert f'name="price_{price.pk}_amount" value="95.00"' in html
    # An earlier year's allocation rests on its ratio: it is not offered for change.
    assert f"grant_year_{past_grant_year.pk}_" not in html


def test_every_term_is_saved_and_one_audit_entry_has_old_and_new_values(
    admin_client, admin, region, grant_year, price
):
    response = admin_client.post(
        URL,
        form_data(
            region,
            grant_year,
            price,
            max_choices=3,
            tie_break=TieBreak.GIVEN,
            answer_days=10,
            **{
                f"grant_year_{grant_year.pk}_municipal": 1,
                f"grant_year_{grant_year.pk}_state": 1,
                f"price_{price.pk}_unit": PriceUnit.PER_WEEK,
                f"price_{price.pk}_amount": "2100.50",
            },
        ),
    )

    assert response.status_code == 302
    region.refresh_from_db()
    grant_year.refresh_from_db()
    price.refresh_from_db()
    assert (region.max_choices, region.tie_break, region.answer_days) == (3, "given", 10)
    assert (grant_year.cofinancing_municipal, grant_year.cofinancing_state) == (1, 1)
    assert (price.unit, price.amount) == (PriceUnit.PER_WEEK, Decimal("2100.50"))
    entry = AuditEntry.objects.get(action="region.terms_update")
    assert entry.user == admin and entry.region == region and entry.role == Role.REGION_ADMIN
    year = timezone.localdate().year
    assert entry.data["changes"] == {
        "max_choices": {"old": 5, "new": 3},
        "tie_break": {"old": "lottery", "new": "given"},
        "answer_days": {"old": 14, "new": 10},
        f"cofinancing {year} care": {"old": "3:7", "new": "1:1"},
        f"price {price.programme.code}": {"old": "95.00 per_vp", "new": "2100.50 per_week"},
    }


def test_saving_unchanged_terms_writes_no_audit_entry(admin_client, region, grant_year, price):
    admin_client.post(URL, form_data(region, grant_year, price))

    assert not AuditEntry.objects.filter(action="region.terms_update").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_choices": 0}, "max_choices"),
        ({"max_choices": 21}, "max_choices"),
        ({"tie_break": "coin"}, "tie_break"),
        ({"answer_days": 0}, "answer_days"),
        ({"answer_days": "two weeks"}, "answer_days"),
        ({"state": 0}, "state"),
        ({"municipal": -1}, "municipal"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "9.999"}, "amount"),
        ({"unit": "per_month"}, "unit"),
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_saved(
    admin_client, region, grant_year, price, change, field
):
    names = {
        "state": f"grant_year_{grant_year.pk}_state",
        "municipal": f"grant_year_{grant_year.pk}_municipal",
        "amount": f"price_{price.pk}_amount",
        "unit": f"price_{price.pk}_unit",
    }
    # A good change besides the bad one: it must not be saved either.
    data = form_data(region, grant_year, price, max_choices=4)
    data.update({names.get(key, key): value for key, value in change.items()})

    response = admin_client.post(URL, data)

    assert response.status_code == 200
    assert names.get(field, field) in response.context["form"].errors
    region.refresh_from_db()
    grant_year.refresh_from_db()
    price.refresh_from_db()
    assert region.max_choices == 5
    assert (grant_year.cofinancing_municipal, grant_year.cofinancing_state) == (3, 7)
    assert (price.unit, price.amount) == (PriceUnit.PER_VP, Decimal("95"))
    assert not AuditEntry.objects.filter(action="region.terms_update").exists()


def test_a_lower_max_choices_is_enforced_on_the_application_form_at_once(
    admin_client, region, grant_year, price, client_for, applicant, offerings
):
    draft = application_start(acting_user=applicant, region=region, offering=offerings[0])
    applicant_client = client_for(applicant)
    step = reverse("admissions:application_step", kwargs={"pk": draft.pk, "step": "choices"})
    assert (
        applicant_client.post(step, {"action": "add", "offering": offerings[1].pk}).status_code
        == 302
    )

    admin_client.post(URL, form_data(region, grant_year, price, max_choices=2))
    response = applicant_client.post(step, {"action": "add", "offering": offerings[2].pk})

    assert response.status_code == 400
    assert "You can choose at most 2 courses." in response.content.decode()
    assert draft.choices.count() == 2


def test_the_answer_time_proposes_a_new_rounds_deadline(
    admin_client, region, grant_year, price, client_for
):
    admin_client.post(URL, form_data(region, grant_year, price, answer_days=9))
    officer = client_for(staff(region, Role.INTAKE_OFFICER))

    form = officer.get(reverse("admissions:round_create")).context["form"]

    assert form["answer_deadline"].initial == timezone.localdate() + dt.timedelta(days=9)


@pytest.mark.parametrize(
    "role", [role for role in Role if role != Role.REGION_ADMIN], ids=lambda role: role.value
)
def test_no_other_role_may_see_or_change_the_terms(client_for, region, grant_year, price, role):
    scope = {}
    if role in (Role.RECTOR, Role.COUNSELLOR):
        scope["scope_municipality"] = MunicipalityFactory(region=region)
    if role == Role.COORDINATOR:
        scope["scope_centre"] = CentreFactory(region=region)
    if role == Role.APPLICANT:
        user = MembershipFactory(region=region, role=role).user
    else:
        user = staff(region, role, **scope)
    client = client_for(user)

    assert client.get(URL).status_code in (403, 404)
    assert client.post(URL, form_data(region, grant_year, price, max_choices=1)).status_code in (
        403,
        404,
    )
    region.refresh_from_db()
    assert region.max_choices == 5


def test_a_region_admin_of_another_region_cannot_change_this_one(
    client_for, admin, region, foreign_region, grant_year, price
):
    # The admin of hemland, on bortland's host: no role there.
    client = client_for(admin, host=FOREIGN_HOST)

    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(region, grant_year, price, max_choices=1)).status_code == 403
    region.refresh_from_db()
    assert region.max_choices == 5


def test_an_anonymous_visitor_is_sent_to_login(client_for):
    response = client_for().get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_reload_of_a_region_file_without_the_terms_keeps_what_the_admin_set(tmp_path):
    path = tmp_path / "region.json"
    data = json.loads(
        (Path(__file__).resolve().parents[2] / "regions" / "ostmark.json").read_text()
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_region", str(path), stdout=StringIO())
    Region.objects.filter(slug="ostmark").update(max_choices=2, answer_days=20)
    for key in ("max_choices", "tie_break", "answer_days"):
        del data["accounts"]["region"][key]
    path.write_text(json.dumps(data), encoding="utf-8")

    call_command("load_region", str(path), stdout=StringIO())

    region = Region.objects.get(slug="ostmark")
    assert (region.max_choices, region.tie_break, region.answer_days) == (2, "given", 20)
